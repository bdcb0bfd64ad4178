"""Tier root mutations."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from resolvers.tiers import mutations
from schema.errors import payload_of
from schema.members.types import Member
from schema.permissions import IsChainAdmin
from schema.tiers import inputs
from schema.tiers.payloads import ReviewTiersPayload, SetMemberTierFloorPayload, TierPayload
from schema.tiers.types import Tier


def _tier_values(data: inputs.CreateTierInput | inputs.UpdateTierInput) -> dict[str, Any]:
    values = {
        "code": data.code, "name": data.name, "rank": data.rank, "min_points": data.min_points,
        "min_purchases": data.min_purchases, "earn_multiplier": data.earn_multiplier,
        "redemption_discount_percent": data.redemption_discount_percent,
    }
    if data.benefits is not None:
        values["benefits"] = [{"code": b.code.strip().upper(), "description": b.description} for b in data.benefits]
    return values


def _tier(tier: Any) -> dict[str, Any]:
    return {"tier": Tier.from_model(tier)}


@strawberry.type
class TierMutation:
    @strawberry.mutation(
        permission_classes=[IsChainAdmin], description="Add a tier with its thresholds, multiplier, discount and benefits (chain admin)."
    )
    async def create_tier(
        self, info: Info, input: Annotated[inputs.CreateTierInput, strawberry.argument(description="The new tier.")]
    ) -> TierPayload:
        return await payload_of(TierPayload, mutations.create_tier(info.context, _tier_values(input)), _tier)

    @strawberry.mutation(
        permission_classes=[IsChainAdmin],
        description="Edit a tier; members are re-evaluated by activity and at the next review (chain admin).",
    )
    async def update_tier(
        self, info: Info, input: Annotated[inputs.UpdateTierInput, strawberry.argument(description="The changes.")]
    ) -> TierPayload:
        return await payload_of(TierPayload, mutations.update_tier(info.context, input.id, _tier_values(input)), _tier)

    @strawberry.mutation(permission_classes=[IsChainAdmin], description="A manual tier floor, with a reason.")
    async def set_member_tier_floor(
        self, info: Info,
        input: Annotated[inputs.SetMemberTierFloorInput, strawberry.argument(description="The member and floor.")],
    ) -> SetMemberTierFloorPayload:
        work = mutations.set_member_tier_floor(info.context, input.member_id, input.tier_code, input.reason)
        return await payload_of(SetMemberTierFloorPayload, work, lambda member: {"member": Member.from_model(member)})

    @strawberry.mutation(permission_classes=[IsChainAdmin], description="The periodic review: downgrades by one tier at most.")
    async def review_tiers(
        self, info: Info, input: Annotated[inputs.ReviewTiersInput, strawberry.argument(description="Whom to review.")]
    ) -> ReviewTiersPayload:
        return await payload_of(
            ReviewTiersPayload, mutations.review_tiers(info.context, input.member_id),
            lambda report: {"reviewed": report.reviewed, "upgraded": report.upgraded, "downgraded": report.downgraded},
        )
