"""Member inputs."""

from __future__ import annotations

from datetime import date

import strawberry

from schema.members.types import Gender, MemberChannel


@strawberry.input(description="A new member, for `registerMember`.")
class RegisterMemberInput:
    phone: str = strawberry.field(
        description="The member's phone, any common format; normalised to E.164 (default region CN)."
    )
    name: str = strawberry.field(description="The member's name, 1 to 120 characters.")
    channel: MemberChannel = strawberry.field(
        description="Where: APP, MINI_PROGRAM, WEB or STORE_QR on their own; KIOSK, POS or STORE_QR from a device."
    )
    home_store_id: strawberry.ID | None = strawberry.field(
        default=None, description="The member's home Store; staff and devices register for their own store (the default)."
    )
    birthday: date | None = strawberry.field(
        default=None, description="Date of birth (YYYY-MM-DD), for birthday-month points; the member cannot change it."
    )
    gender: Gender | None = strawberry.field(default=None, description="Optional.")
    region: str | None = strawberry.field(default=None, description="Optional free text, at most 64 characters.")
    marketing_consent: bool = strawberry.field(
        default=False, description="Whether the member agrees to marketing messages."
    )
    referral_code: str | None = strawberry.field(
        default=None, description="The referral code of the member who brought them: both earn points."
    )
    login_code: str | None = strawberry.field(default=None, description="Required for self-registration.")


@strawberry.input(description="The phone to send a one-time code to, for `requestLoginCode`.")
class RequestLoginCodeInput:
    phone: str = strawberry.field(description="The phone, any common format (default region CN).")


@strawberry.input(description="A phone and the code sent to it, for `loginWithCode`.")
class LoginWithCodeInput:
    phone: str = strawberry.field(description="The phone the code was sent to.")
    code: str = strawberry.field(
        description="The code from the message: single use, valid 5 minutes and 5 wrong guesses by default."
    )


@strawberry.input(description="The refresh token to trade in, for `refreshMemberSession`.")
class RefreshMemberSessionInput:
    refresh_token: str = strawberry.field(
        description="The refresh token of the last sign-in or refresh; a second use ends the whole sign-in."
    )


@strawberry.input(
    description="The signed-in member's profile changes, for `updateMyProfile`; null leaves a field as it is."
)
class UpdateMyProfileInput:
    name: str | None = strawberry.field(default=None, description="A new name, 1 to 120 characters.")
    birthday: date | None = strawberry.field(
        default=None, description="The date of birth, if none is set yet (BIRTHDAY_LOCKED otherwise)."
    )
    gender: Gender | None = strawberry.field(default=None, description="A new gender value.")
    region: str | None = strawberry.field(default=None, description="A new region, at most 64 characters.")
    marketing_consent: bool | None = strawberry.field(
        default=None, description="Whether marketing messages are welcome."
    )
    home_store_id: strawberry.ID | None = strawberry.field(default=None, description="A new home Store.")


@strawberry.input(description="Narrows `members`; every field given must match.")
class MemberFilter:
    tier_code: str | None = strawberry.field(default=None, description="Members in this tier, e.g. GOLD (any case).")
    home_store_id: strawberry.ID | None = strawberry.field(
        default=None, description="Members whose home is this Store."
    )
    name_prefix: str | None = strawberry.field(
        default=None, description="Members whose name starts with this, any case."
    )
