"""Tiers, a member's progress to the next one and their tier changes."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum

import strawberry
from strawberry.types import Info

from domain.tiers.service import Progress
from schema.relay import Node, maybe, to_global_id


@strawberry.enum(description="Why a member's tier changed.")
class TierChangeReason(Enum):
    REGISTRATION = strawberry.enum_value("REGISTRATION", description="The member registered, in the lowest tier.")
    QUALIFIED = strawberry.enum_value(
        "QUALIFIED", description="The member's activity qualified them for a higher tier."
    )
    REVIEW = strawberry.enum_value("REVIEW", description="The periodic review moved them (down one tier at most).")
    MANUAL_FLOOR = strawberry.enum_value("MANUAL_FLOOR", description="A chain admin set a floor above their tier.")


@strawberry.type(description="A benefit a tier gives its members.")
class TierBenefit:
    code: str = strawberry.field(description="A short code for apps to key on, e.g. BIRTHDAY_GIFT.")
    description: str = strawberry.field(description="What the benefit is, for members to read.")


@strawberry.type(description="A membership tier (REGULAR, SILVER, GOLD, DIAMOND by default); tiers are public.")
class Tier(Node):
    code: str = strawberry.field(description="The tier's unique code, e.g. GOLD.")
    name: str = strawberry.field(description="The tier's display name.")
    rank: int = strawberry.field(
        description="The tier's place in the order: higher is better; the lowest is 0 by default."
    )
    min_points: int = strawberry.field(description="Points earned in the rolling window to qualify.")
    min_purchases: int = strawberry.field(description="Purchases in the rolling window to qualify (both are needed).")
    earn_multiplier: Decimal = strawberry.field(description="What the tier multiplies earned points by, e.g. 1.2.")
    redemption_discount_percent: int = strawberry.field(
        description="The discount on mall points prices for members of this tier, 0 to 100 percent."
    )
    benefits: list[TierBenefit] = strawberry.field(description="The tier's benefits, in order.")

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
    next_tier: Tier | None = strawberry.field(description="The tier above the member's; null at the top.")
    points: int = strawberry.field(description="Points the member earned in the rolling window.")
    purchases: int = strawberry.field(description="Purchases the member made in the rolling window.")
    points_needed: int = strawberry.field(
        description="Points still to earn for the next tier; 0 when met or at the top."
    )
    purchases_needed: int = strawberry.field(
        description="Purchases still to make for the next tier; 0 when met or at the top."
    )

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


@strawberry.type(description="One change of a member's tier, for the member and their home store's staff.")
class TierChange:
    from_tier: Tier | None = strawberry.field(
        resolver=_from_tier, description="The tier before; null for the first tier at registration."
    )
    to_tier: Tier = strawberry.field(resolver=_to_tier, description="The tier after.")
    reason: TierChangeReason = strawberry.field(description="Why it changed.")
    note: str | None = strawberry.field(description="The admin's reason for a manual floor; null otherwise.")
    changed_at: datetime = strawberry.field(description="When it changed (ISO 8601 with offset).")
    from_tier_pk: strawberry.Private[int | None]
    to_tier_pk: strawberry.Private[int]

    @classmethod
    def from_model(cls, change) -> TierChange:
        return cls(
            reason=TierChangeReason(change.reason), note=change.note, changed_at=change.created_at,
            from_tier_pk=change.from_tier_id, to_tier_pk=change.to_tier_id,
        )
