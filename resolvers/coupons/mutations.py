"""Coupon mutations: template administration, an admin's grant, the counter write-off."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from domain.coupons import counter, granting, templates
from domain.coupons.models import CouponTemplate
from resolvers.context import RequestContext
from resolvers.global_ids import input_pk


async def create_coupon_template(
    ctx: RequestContext, *, name: str, description: str, kind: str, amount_off: tuple[Decimal, str] | None,
    percent_off: int | None, cap: tuple[Decimal, str] | None, item_name: str | None,
    minimum_spend: tuple[Decimal, str] | None, categories: list[str], store_ids: list[str], valid_from: datetime | None,
    valid_until: datetime | None, valid_days: int | None, stackable: bool,
) -> CouponTemplate:
    draft = templates.TemplateDraft(
        name=name, kind=kind, description=description, amount_off=amount_off, percent_off=percent_off, cap=cap,
        item_name=item_name, minimum_spend=minimum_spend, categories=tuple(categories),
        store_ids=tuple(input_pk(s, "Store", f"storeIds.{i}") for i, s in enumerate(store_ids)),
        valid_from=valid_from, valid_until=valid_until, valid_days=valid_days, stackable=stackable,
    )
    return await templates.create_template(ctx.viewer, draft, clock=ctx.clock)


async def retire_coupon_template(ctx: RequestContext, template_id: str) -> CouponTemplate:
    return await templates.retire_template(ctx.viewer, input_pk(template_id, "CouponTemplate", "templateId"), clock=ctx.clock)


async def issue_coupon(ctx: RequestContext, template_id: str, member_id: str, idempotency_key: str) -> granting.Granted:
    return await granting.grant(
        ctx.viewer, input_pk(template_id, "CouponTemplate", "templateId"), input_pk(member_id, "Member", "memberId"),
        idempotency_key=idempotency_key, clock=ctx.clock,
    )


async def use_coupon(ctx: RequestContext, code: str, store_id: str, idempotency_key: str) -> counter.CounterUse:
    return await counter.use_coupon(
        ctx.viewer, code, input_pk(store_id, "Store", "storeId"), idempotency_key=idempotency_key, clock=ctx.clock
    )
