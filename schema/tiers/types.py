"""Tiers, a member's progress to the next one and their tier changes."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum

import strawberry
from strawberry.types import Info

from domain.tiers.service import Progress
from schema.relay import Node, maybe, to_global_id


@strawberry.enum
class TierChangeReason(Enum):
    REGISTRATION = "REGISTRATION"
    QUALIFIED = "QUALIFIED"
    REVIEW = "REVIEW"
    MANUAL_FLOOR = "MANUAL_FLOOR"


@strawberry.type
class TierBenefit:
    code: str
    description: str


@strawberry.type
class Tier(Node):
    code: str
    name: str
    rank: int
    min_points: int = strawberry.field(description="Points earned in the rolling window to qualify.")
    min_purchases: int = strawberry.field(description="Purchases in the rolling window to qualify (both are needed).")
    earn_multiplier: Decimal
    redemption_discount_percent: int
    benefits: list[TierBenefit]

    @classmethod
    def from_model(cls, tier) -> Tier:
        return cls(
            id=strawberry.ID(to_global_id("Tier", tier.id)), code=tier.code, name=tier.name, rank=tier.rank,
            min_points=tier.min_points, min_purchases=tier.min_purchases,
            earn_multiplier=Decimal(tier.earn_multiplier), redemption_discount_percent=tier.redemption_discount_percent,
            benefits=[TierBenefit(code=b["code"], description=b["description"]) for b in tier.benefits],
        )


@strawberry.type(description="What is left to reach the next tier, in the rolling window.")
class TierProgress:
    next_tier: Tier | None
    points: int
    purchases: int
    points_needed: int
    purchases_needed: int

    @classmethod
    def from_progress(cls, progress: Progress) -> TierProgress:
        return cls(
            next_tier=maybe(Tier.from_model, progress.next_tier),
            points=progress.activity.points, purchases=progress.activity.purchases,
            points_needed=progress.points_needed, purchases_needed=progress.purchases_needed,
        )


async def _tier_of(info: Info, tier_pk: int | None) -> Tier | None:
    return None if tier_pk is None else maybe(Tier.from_model, await info.context.loaders.tier.load(tier_pk))


async def _from_tier(root: TierChange, info: Info) -> Tier | None:
    return await _tier_of(info, root.from_tier_pk)


async def _to_tier(root: TierChange, info: Info) -> Tier:
    return await _tier_of(info, root.to_tier_pk)  # type: ignore[return-value]


@strawberry.type
class TierChange:
    from_tier: Tier | None = strawberry.field(resolver=_from_tier)
    to_tier: Tier = strawberry.field(resolver=_to_tier)
    reason: TierChangeReason
    note: str | None
    changed_at: datetime
    from_tier_pk: strawberry.Private[int | None]
    to_tier_pk: strawberry.Private[int]

    @classmethod
    def from_model(cls, change) -> TierChange:
        return cls(
            reason=TierChangeReason(change.reason), note=change.note, changed_at=change.created_at,
            from_tier_pk=change.from_tier_id, to_tier_pk=change.to_tier_id,
        )
