"""Tier payloads and their error."""

from __future__ import annotations

import strawberry

from domain.tiers.errors import TierErrorCode
from schema.errors import UserError, codes_listed
from schema.members.types import Member
from schema.tiers.types import Tier


@strawberry.type(description=codes_listed(TierErrorCode, "Why a tier change was refused."))
class TierError(UserError):
    CODES = TierErrorCode


@strawberry.type(description="The result of `createTier` and `updateTier`.")
class TierPayload:
    tier: Tier | None = strawberry.field(default=None, description="The tier as saved; null on errors.")
    errors: list[TierError] = strawberry.field(default_factory=list, description="Why not; empty on success.")


@strawberry.type(description="The result of `setMemberTierFloor`.")
class SetMemberTierFloorPayload:
    member: Member | None = strawberry.field(
        default=None, description="The member with the new floor, lifted to it if it is above their tier; null on errors."
    )
    errors: list[TierError] = strawberry.field(default_factory=list, description="Why not; empty on success.")


@strawberry.type(description="The result of `reviewTiers`: how many members moved.")
class ReviewTiersPayload:
    reviewed: int = strawberry.field(default=0, description="Members reviewed.")
    upgraded: int = strawberry.field(default=0, description="Members moved up a tier or more.")
    downgraded: int = strawberry.field(default=0, description="Members moved down (one tier at most each).")
    errors: list[TierError] = strawberry.field(default_factory=list, description="Why not; empty on success.")
