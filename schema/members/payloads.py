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


@strawberry.type(description="The result of `registerMember`.")
class RegisterMemberPayload:
    member: Member | None = strawberry.field(
        default=None, description="The new member; with PHONE_ALREADY_REGISTERED the existing one (staff and devices only)."
    )
    token: str | None = strawberry.field(default=None, description="A member token, for self-registration only.")
    refresh_token: str | None = strawberry.field(
        default=None, description="Single use: trade it for a new pair; for self-registration only."
    )
    errors: list[MemberError] = strawberry.field(
        default_factory=list, description="Why not; PHONE_ALREADY_REGISTERED comes with the existing member."
    )


@strawberry.type(description="The result of `requestLoginCode`.")
class RequestLoginCodePayload:
    sent: bool = strawberry.field(default=False, description="True when a code went out to the phone.")
    expires_at: datetime | None = strawberry.field(
        default=None, description="When the code stops working (ISO 8601 with offset); null when none was sent."
    )
    errors: list[MemberError] = strawberry.field(default_factory=list, description="Why not; empty on success.")


@strawberry.type(description="The result of `loginWithCode` and `refreshMemberSession`: a token pair, or why not.")
class MemberSessionPayload:
    token: str | None = strawberry.field(default=None, description="Bearer access token of the member, short-lived.")
    expires_at: datetime | None = strawberry.field(
        default=None, description="When `token` stops working (ISO 8601 with offset); null on failure."
    )
    refresh_token: str | None = strawberry.field(default=None, description="Single use: trade it for a new pair.")
    member: Member | None = strawberry.field(default=None, description="The signed-in member; null on failure.")
    errors: list[MemberError] = strawberry.field(default_factory=list, description="Why not; empty on success.")


@strawberry.type(description="The result of `updateMyProfile`.")
class UpdateMyProfilePayload:
    member: Member | None = strawberry.field(default=None, description="The member as changed; null on errors.")
    errors: list[MemberError] = strawberry.field(default_factory=list, description="Why not; empty on success.")
