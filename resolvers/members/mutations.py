"""Member mutations: registration, sign-in with a code, sessions, the member's own profile."""

from __future__ import annotations

from datetime import date

from domain import registration
from domain.members import services as members
from domain.members.models import Member
from domain.stores import tokens
from resolvers.context import RequestContext
from resolvers.global_ids import optional_input_pk


def _profile(
    *, name: str | None, birthday: date | None, gender: str | None, region: str | None,
    marketing_consent: bool | None, home_store_id: str | None,
) -> members.Profile:
    """A profile from input values; the home store's ID is decoded (INVALID_ID at homeStoreId)."""
    return members.Profile(
        name=name, birthday=birthday, gender=gender, region=region, marketing_consent=marketing_consent,
        home_store_id=optional_input_pk(home_store_id, "Store", "homeStoreId"),
    )


async def register_member(
    ctx: RequestContext, *, phone: str, channel: str, referral_code: str | None, login_code: str | None, **profile,
) -> registration.Registration:
    """`profile`: the keyword arguments of a profile (name, birthday, gender, region, marketingConsent, homeStoreId)."""
    return await registration.register_member(
        ctx.viewer, phone=phone, channel=members.Channel(channel), profile=_profile(**profile), referral_code=referral_code,
        login_code=login_code, settings=ctx.settings, clock=ctx.clock,
    )


async def request_login_code(ctx: RequestContext, phone: str):
    return await members.request_login_code(phone, client_address=ctx.client_address, settings=ctx.settings, clock=ctx.clock)


async def login_with_code(ctx: RequestContext, phone: str, code: str) -> tuple[Member, tokens.TokenPair]:
    return await members.login_with_code(phone, code, settings=ctx.settings, clock=ctx.clock)


async def refresh_member_session(ctx: RequestContext, refresh_token: str) -> tuple[Member, tokens.TokenPair]:
    return await members.refresh_member_session(refresh_token, settings=ctx.settings, clock=ctx.clock)


async def update_my_profile(ctx: RequestContext, **profile) -> Member:
    return await members.update_profile(ctx.viewer, _profile(**profile), clock=ctx.clock)
