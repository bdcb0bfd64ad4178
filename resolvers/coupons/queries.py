"""Coupon queries: the templates (chain admins) and a member's wallet."""

from __future__ import annotations

from domain.coupons import templates, wallet
from domain.coupons.models import Coupon, CouponStatus, CouponTemplate
from domain.pagination import Page
from resolvers.context import RequestContext
from resolvers.paging import page_request


async def coupon_templates(ctx: RequestContext, first: int | None, after: str | None) -> Page[CouponTemplate]:
    return await templates.list_templates(ctx.viewer, page_request(first, after))


async def member_coupons(
    ctx: RequestContext, member_pk: int, status: str | None, first: int | None, after: str | None
) -> Page[Coupon]:
    chosen = CouponStatus(status) if status is not None else None
    return await wallet.of_member(ctx.viewer, member_pk, chosen, page_request(first, after), now=ctx.clock.now())
