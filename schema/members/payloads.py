"""Member payloads and their error."""

from __future__ import annotations

from datetime import datetime

import strawberry

from domain.members.errors import MemberErrorCode
from schema.errors import UserError, codes_listed
from schema.members.types import Member


@strawberry.type(description=codes_listed(MemberErrorCode, "Why a registration, sign-in or profile change was refused."))
class MemberError(UserError):
    CODES = MemberErrorCode


@strawberry.type
class RegisterMemberPayload:
    member: Member | None = None
    token: str | None = strawberry.field(default=None, description="A member token, for self-registration only.")
    refresh_token: str | None = None
    errors: list[MemberError] = strawberry.field(default_factory=list)


@strawberry.type
class RequestLoginCodePayload:
    sent: bool = False
    expires_at: datetime | None = None
    errors: list[MemberError] = strawberry.field(default_factory=list)


@strawberry.type
class MemberSessionPayload:
    token: str | None = None
    expires_at: datetime | None = None
    refresh_token: str | None = None
    member: Member | None = None
    errors: list[MemberError] = strawberry.field(default_factory=list)


@strawberry.type
class UpdateMyProfilePayload:
    member: Member | None = None
    errors: list[MemberError] = strawberry.field(default_factory=list)
