"""Member inputs."""

from __future__ import annotations

from datetime import date

import strawberry

from schema.members.types import Gender, MemberChannel


@strawberry.input
class RegisterMemberInput:
    phone: str
    name: str
    channel: MemberChannel
    home_store_id: strawberry.ID | None = None
    birthday: date | None = None
    gender: Gender | None = None
    region: str | None = None
    marketing_consent: bool = False
    referral_code: str | None = None
    login_code: str | None = strawberry.field(default=None, description="Required for self-registration.")


@strawberry.input
class RequestLoginCodeInput:
    phone: str


@strawberry.input
class LoginWithCodeInput:
    phone: str
    code: str


@strawberry.input
class RefreshMemberSessionInput:
    refresh_token: str


@strawberry.input
class UpdateMyProfileInput:
    name: str | None = None
    birthday: date | None = None
    gender: Gender | None = None
    region: str | None = None
    marketing_consent: bool | None = None
    home_store_id: strawberry.ID | None = None


@strawberry.input
class MemberFilter:
    tier_code: str | None = None
    home_store_id: strawberry.ID | None = None
    name_prefix: str | None = None
