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


@strawberry.type
class TierPayload:
    tier: Tier | None = None
    errors: list[TierError] = strawberry.field(default_factory=list)


@strawberry.type
class SetMemberTierFloorPayload:
    member: Member | None = None
    errors: list[TierError] = strawberry.field(default_factory=list)


@strawberry.type
class ReviewTiersPayload:
    reviewed: int = 0
    upgraded: int = 0
    downgraded: int = 0
    errors: list[TierError] = strawberry.field(default_factory=list)
