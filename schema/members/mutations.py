"""Member root mutations."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from domain.errors import DomainError
from domain.members.services import Registration
from resolvers.members import mutations
from schema.errors import errors_of, payload_of
from schema.members import inputs
from schema.members.payloads import (
    MemberError,
    MemberSessionPayload,
    RegisterMemberPayload,
    RequestLoginCodePayload,
    UpdateMyProfilePayload,
)
from schema.members.types import Member


def _profile(data: inputs.RegisterMemberInput | inputs.UpdateMyProfileInput) -> dict[str, Any]:
    return {
        "name": data.name, "birthday": data.birthday, "gender": data.gender.value if data.gender else None,
        "region": data.region, "marketing_consent": data.marketing_consent, "home_store_id": data.home_store_id,
    }


def _registered(registration: Registration) -> dict[str, Any]:
    session = registration.session
    errors = []
    if registration.duplicate:
        errors = errors_of(MemberError, DomainError(
            "PHONE_ALREADY_REGISTERED", "This phone already belongs to a member: here they are.", field="phone"
        ))
    return {
        "member": Member.from_model(registration.member), "token": session.access_token if session else None,
        "refresh_token": session.refresh_token if session else None, "errors": errors,
    }


def _session(found: tuple[Any, Any]) -> dict[str, Any]:
    member, pair = found
    return {
        "token": pair.access_token, "expires_at": pair.expires_at, "refresh_token": pair.refresh_token,
        "member": Member.from_model(member),
    }


@strawberry.type
class MemberMutation:
    @strawberry.mutation(description="Register a member; the same phone never makes a second member.")
    async def register_member(
        self, info: Info,
        input: Annotated[inputs.RegisterMemberInput, strawberry.argument(description="The new member.")],
    ) -> RegisterMemberPayload:
        work = mutations.register_member(
            info.context, phone=input.phone, channel=input.channel.value, referral_code=input.referral_code,
            login_code=input.login_code, **_profile(input),
        )
        return await payload_of(RegisterMemberPayload, work, _registered)

    @strawberry.mutation(description="Send a one-time sign-in code to a phone.")
    async def request_login_code(
        self, info: Info,
        input: Annotated[inputs.RequestLoginCodeInput, strawberry.argument(description="The phone.")],
    ) -> RequestLoginCodePayload:
        return await payload_of(
            RequestLoginCodePayload, mutations.request_login_code(info.context, input.phone),
            lambda code: {"sent": True, "expires_at": code.expires_at},
        )

    @strawberry.mutation(description="Sign a member in with the code sent to their phone.")
    async def login_with_code(
        self, info: Info,
        input: Annotated[inputs.LoginWithCodeInput, strawberry.argument(description="The phone and its code.")],
    ) -> MemberSessionPayload:
        return await payload_of(MemberSessionPayload, mutations.login_with_code(info.context, input.phone, input.code), _session)

    @strawberry.mutation(description="Trade a member's refresh token (once) for a new token pair.")
    async def refresh_member_session(
        self, info: Info,
        input: Annotated[inputs.RefreshMemberSessionInput, strawberry.argument(description="The refresh token.")],
    ) -> MemberSessionPayload:
        return await payload_of(MemberSessionPayload, mutations.refresh_member_session(info.context, input.refresh_token), _session)

    @strawberry.mutation(description="The signed-in member edits their own profile; a birthday, once set, is locked.")
    async def update_my_profile(
        self, info: Info,
        input: Annotated[inputs.UpdateMyProfileInput, strawberry.argument(description="The changes.")],
    ) -> UpdateMyProfilePayload:
        return await payload_of(
            UpdateMyProfilePayload, mutations.update_my_profile(info.context, **_profile(input)),
            lambda member: {"member": Member.from_model(member)},
        )
