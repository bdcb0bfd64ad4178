"""Tier inputs."""

from __future__ import annotations

from decimal import Decimal

import strawberry


@strawberry.input(description="A benefit of a tier, as members see it listed.")
class TierBenefitInput:
    code: str = strawberry.field(description="A short code for apps to key on, e.g. BIRTHDAY_GIFT; upper-cased.")
    description: str = strawberry.field(description="What the benefit is, for members to read; at most 255 characters.")


@strawberry.input(description="A new tier, for `createTier`.")
class CreateTierInput:
    code: str = strawberry.field(description="A unique code, 1-32 characters, upper-cased, e.g. GOLD (CODE_TAKEN).")
    name: str = strawberry.field(description="The tier's display name.")
    rank: int = strawberry.field(description="The tier's place in the order: higher is better; unique (RANK_TAKEN).")
    min_points: int = strawberry.field(
        default=0, description="Points to earn in the rolling window to qualify, 0 to 1,000,000,000."
    )
    min_purchases: int = strawberry.field(
        default=0, description="Purchases in the rolling window to qualify (as well as the points), 0 to 1,000,000,000."
    )
    earn_multiplier: Decimal = strawberry.field(
        default=Decimal("1"), description="What the tier multiplies earned points by, 0.01 to 100, as a string (\"1.5\")."
    )
    redemption_discount_percent: int = strawberry.field(
        default=0, description="The discount on mall points prices for this tier, 0 to 100 percent."
    )
    benefits: list[TierBenefitInput] = strawberry.field(
        default_factory=list, description="The tier's benefits, in order."
    )


@strawberry.input(description="Changes to a tier, for `updateTier`; null leaves a field as it is.")
class UpdateTierInput:
    id: strawberry.ID = strawberry.field(description="The Tier to change.")
    code: str | None = strawberry.field(default=None, description="A new unique code, 1-32 characters, upper-cased.")
    name: str | None = strawberry.field(default=None, description="A new display name.")
    rank: int | None = strawberry.field(default=None, description="A new unique rank: higher is better.")
    min_points: int | None = strawberry.field(default=None, description="Points in the rolling window to qualify.")
    min_purchases: int | None = strawberry.field(
        default=None, description="Purchases in the rolling window to qualify."
    )
    earn_multiplier: Decimal | None = strawberry.field(default=None, description="The earn multiplier, 0.01 to 100.")
    redemption_discount_percent: int | None = strawberry.field(
        default=None, description="The mall discount, 0 to 100 percent."
    )
    benefits: list[TierBenefitInput] | None = strawberry.field(
        default=None, description="The whole new list of benefits, replacing the old one."
    )


@strawberry.input(description="A manual tier floor for a member, for `setMemberTierFloor`.")
class SetMemberTierFloorInput:
    member_id: strawberry.ID = strawberry.field(description="The Member to set the floor of.")
    tier_code: str | None = strawberry.field(default=None, description="null clears the floor.")
    reason: str = strawberry.field(description="Why, for the audit trail and the tier history (REASON_REQUIRED).")


@strawberry.input(description="Whom to review, for `reviewTiers`.")
class ReviewTiersInput:
    member_id: strawberry.ID | None = strawberry.field(default=None, description="One member, or everyone when null.")
