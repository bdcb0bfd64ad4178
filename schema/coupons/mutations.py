"""Coupon root mutations."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from resolvers.coupons import mutations
from schema.coupons import inputs
from schema.coupons.payloads import CouponTemplatePayload, IssueCouponPayload, UseCouponPayload
from schema.coupons.types import Coupon, CouponTemplate
from schema.errors import payload_of
from schema.permissions import IsChainAdmin
from schema.scalars import money_pair


def _template(template: Any) -> dict[str, Any]:
    return {"template": CouponTemplate.from_model(template)}


def _coupon(outcome: Any) -> dict[str, Any]:
    return {"coupon": Coupon.from_model(outcome.coupon), "replayed": outcome.replayed}


@strawberry.type
class CouponMutation:
    @strawberry.mutation(permission_classes=[IsChainAdmin], description="Create a coupon template (chain admin).")
    async def create_coupon_template(
        self,
        info: Info,
        input: Annotated[
            inputs.CreateCouponTemplateInput, strawberry.argument(description="The template's kind, value, rules and validity.")
        ],
    ) -> CouponTemplatePayload:
        work = mutations.create_coupon_template(
            info.context, name=input.name, description=input.description, kind=input.kind.value,
            amount_off=money_pair(input.amount_off), percent_off=input.percent_off, cap=money_pair(input.cap),
            item_name=input.item_name, minimum_spend=money_pair(input.minimum_spend), categories=input.categories,
            store_ids=input.store_ids, valid_from=input.valid_from, valid_until=input.valid_until, valid_days=input.valid_days,
            stackable=input.stackable,
        )
        return await payload_of(CouponTemplatePayload, work, _template)

    @strawberry.mutation(
        permission_classes=[IsChainAdmin], description="Stop issuing coupons from a template; issued coupons stay usable (chain admin)."
    )
    async def retire_coupon_template(
        self, info: Info, input: Annotated[inputs.RetireCouponTemplateInput, strawberry.argument(description="The template to retire.")]
    ) -> CouponTemplatePayload:
        return await payload_of(CouponTemplatePayload, mutations.retire_coupon_template(info.context, input.template_id), _template)

    @strawberry.mutation(
        permission_classes=[IsChainAdmin], description="Grant a member a coupon (support, goodwill; chain admin). Idempotent."
    )
    async def issue_coupon(
        self,
        info: Info,
        input: Annotated[inputs.IssueCouponInput, strawberry.argument(description="The template, the member and an idempotency key.")],
    ) -> IssueCouponPayload:
        work = mutations.issue_coupon(info.context, input.template_id, input.member_id, input.idempotency_key)
        return await payload_of(IssueCouponPayload, work, _coupon)

    @strawberry.mutation(description="Write a counter coupon (TASTING, FREE_ITEM) off at the store handing it over, exactly once.")
    async def use_coupon(
        self,
        info: Info,
        input: Annotated[inputs.UseCouponInput, strawberry.argument(description="The code shown, the store and an idempotency key.")],
    ) -> UseCouponPayload:
        work = mutations.use_coupon(info.context, input.code, input.store_id, input.idempotency_key)
        return await payload_of(UseCouponPayload, work, _coupon)
