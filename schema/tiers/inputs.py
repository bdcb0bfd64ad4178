"""Tier inputs."""

from __future__ import annotations

from decimal import Decimal

import strawberry


@strawberry.input
class TierBenefitInput:
    code: str
    description: str


@strawberry.input
class CreateTierInput:
    code: str
    name: str
    rank: int
    min_points: int = 0
    min_purchases: int = 0
    earn_multiplier: Decimal = Decimal("1")
    redemption_discount_percent: int = 0
    benefits: list[TierBenefitInput] = strawberry.field(default_factory=list)


@strawberry.input
class UpdateTierInput:
    id: strawberry.ID
    code: str | None = None
    name: str | None = None
    rank: int | None = None
    min_points: int | None = None
    min_purchases: int | None = None
    earn_multiplier: Decimal | None = None
    redemption_discount_percent: int | None = None
    benefits: list[TierBenefitInput] | None = None


@strawberry.input
class SetMemberTierFloorInput:
    member_id: strawberry.ID
    tier_code: str | None = strawberry.field(default=None, description="null clears the floor.")
    reason: str


@strawberry.input
class ReviewTiersInput:
    member_id: strawberry.ID | None = strawberry.field(default=None, description="One member, or everyone when null.")
