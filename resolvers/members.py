"""Resolvers for members, sign-in and tiers."""

from __future__ import annotations

from domain.access import CallerKind
from domain.errors import AccessDenied, DomainError
from domain.members import services as members
from domain.members.models import Member as MemberModel
from domain.pagination import PageRequest, keyset_page
from domain.tiers import activity, service as tiers
from resolvers.connections import connection_from_page, page_request
from resolvers.context import RequestContext
from schema import members as gql
from schema.errors import errors_from, invalid_id_error
from schema.relay import Connection, InvalidGlobalId, pk_of


def _member_errors(exc: DomainError) -> list[gql.MemberError]:
    return errors_from(exc, gql.MemberError, gql.MemberErrorCode)


def _tier_errors(exc: DomainError) -> list[gql.TierError]:
    return errors_from(exc, gql.TierError, gql.TierErrorCode)


def _profile(data, home_store_id: int | None) -> members.Profile:
    return members.Profile(
        name=data.name, birthday=data.birthday, gender=data.gender.value if data.gender else None,
        region=data.region, marketing_consent=data.marketing_consent, home_store_id=home_store_id,
    )


def _optional_store_pk(value) -> int | None:
    return pk_of(value, "Store") if value else None


async def register_member(ctx: RequestContext, data: gql.RegisterMemberInput) -> gql.RegisterMemberPayload:
    try:
        home_store_id = _optional_store_pk(data.home_store_id)
    except InvalidGlobalId:
        return gql.RegisterMemberPayload(member=None, token=None, refresh_token=None,
                                         errors=invalid_id_error(gql.MemberError, gql.MemberErrorCode, "homeStoreId"))
    try:
        registration = await members.register_member(
            ctx.viewer, phone=data.phone, channel=members.Channel(data.channel.value),
            profile=_profile(data, home_store_id), referral_code=data.referral_code, login_code=data.login_code,
            settings=ctx.settings, clock=ctx.clock,
        )
    except DomainError as exc:
        return gql.RegisterMemberPayload(member=None, token=None, refresh_token=None, errors=_member_errors(exc))
    errors = []
    if registration.duplicate:
        errors = [gql.MemberError(
            code=gql.MemberErrorCode.PHONE_ALREADY_REGISTERED, field="phone",
            message="This phone already belongs to a member: here they are.",
        )]
    session = registration.session
    return gql.RegisterMemberPayload(
        member=gql.Member.from_model(registration.member), token=session.access_token if session else None,
        refresh_token=session.refresh_token if session else None, errors=errors,
    )


async def request_login_code(ctx: RequestContext, data: gql.RequestLoginCodeInput) -> gql.RequestLoginCodePayload:
    try:
        code = await members.request_login_code(
            data.phone, client_address=ctx.client_address, settings=ctx.settings, clock=ctx.clock
        )
    except DomainError as exc:
        return gql.RequestLoginCodePayload(sent=False, expires_at=None, errors=_member_errors(exc))
    return gql.RequestLoginCodePayload(sent=True, expires_at=code.expires_at, errors=[])


def _session_payload(member, pair) -> gql.MemberSessionPayload:
    return gql.MemberSessionPayload(
        token=pair.access_token, expires_at=pair.expires_at, refresh_token=pair.refresh_token,
        member=gql.Member.from_model(member), errors=[],
    )


def _session_failure(exc: DomainError) -> gql.MemberSessionPayload:
    return gql.MemberSessionPayload(token=None, expires_at=None, refresh_token=None, member=None, errors=_member_errors(exc))


async def login_with_code(ctx: RequestContext, data: gql.LoginWithCodeInput) -> gql.MemberSessionPayload:
    try:
        member, pair = await members.login_with_code(data.phone, data.code, settings=ctx.settings, clock=ctx.clock)
    except DomainError as exc:
        return _session_failure(exc)
    return _session_payload(member, pair)


async def refresh_member_session(ctx: RequestContext, data: gql.RefreshMemberSessionInput) -> gql.MemberSessionPayload:
    try:
        member, pair = await members.refresh_member_session(data.refresh_token, settings=ctx.settings, clock=ctx.clock)
    except DomainError as exc:
        return _session_failure(exc)
    return _session_payload(member, pair)


async def member_after_write(ctx: RequestContext, member_id: int) -> gql.Member:
    """The member a mutation acted for, read with its balances in one statement for the payload."""
    return member_as_written(ctx, await members.member_with_balance(member_id))


def member_as_written(ctx: RequestContext, found: members.MemberWithBalance) -> gql.Member:
    """The member with the balances a write left, for its payload: its balance fields read nothing."""
    ctx.loaders.points_balance.prime(
        found.member.id, {"balance": found.balance, "pending_balance": found.pending, "debt": found.debt}
    )
    return gql.Member.from_model(found.member)


async def me(ctx: RequestContext) -> gql.Member | None:
    if ctx.viewer.kind is not CallerKind.MEMBER:
        return None
    return await ctx.loaders.member.load(ctx.viewer.subject_id)


async def tier_history(ctx: RequestContext, member_pk: int, home_store_pk: int | None, first: int) -> list[gql.TierChange]:
    """Tier changes are chain-wide history: a store that is not the member's home sees none."""
    size = PageRequest(first=first).size()  # 0 to 100, as every connection takes
    if not members.history_scope(ctx.viewer, member_pk, home_store_id=home_store_pk).is_full:
        return []
    return (await ctx.loaders.tier_history.load(member_pk))[:size]


async def update_my_profile(ctx: RequestContext, data: gql.UpdateMyProfileInput) -> gql.UpdateMyProfilePayload:
    try:
        home_store_id = _optional_store_pk(data.home_store_id)
    except InvalidGlobalId:
        return gql.UpdateMyProfilePayload(member=None, errors=invalid_id_error(gql.MemberError, gql.MemberErrorCode, "homeStoreId"))
    try:
        member = await members.update_profile(ctx.viewer, _profile(data, home_store_id), clock=ctx.clock)
    except DomainError as exc:
        return gql.UpdateMyProfilePayload(member=None, errors=_member_errors(exc))
    return gql.UpdateMyProfilePayload(member=gql.Member.from_model(member), errors=[])


async def member(ctx: RequestContext, code: str | None, phone: str | None) -> gql.Member | None:
    if (code is None) == (phone is None):
        raise members.MemberError("INVALID_ARGUMENTS", "Give exactly one of `code` or `phone`.")
    found = (
        await members.find_by_code(ctx.viewer, code) if code is not None
        else await members.find_by_phone(ctx.viewer, phone or "", ctx.settings)
    )
    return gql.Member.from_model(found) if found else None


async def members_connection(ctx: RequestContext, filter: gql.MemberFilter | None, first: int | None, after: str | None) -> Connection[gql.Member]:
    query = members.visible_members(ctx.viewer)
    if filter is not None:
        if filter.tier_code:
            query = query.filter(tier__code=filter.tier_code.upper())
        if filter.home_store_id:
            query = query.filter(home_store_id=pk_of(filter.home_store_id, "Store"))
        if filter.name_prefix:
            query = query.filter(name__istartswith=filter.name_prefix)
    page = await keyset_page(query, page_request(first, after))
    return connection_from_page(page, gql.Member.from_model)


async def tiers_list() -> list[gql.Tier]:
    return [gql.Tier.from_model(t) for t in await tiers.all_tiers()]


def _tier_values(data) -> dict:
    values = {
        "code": data.code, "name": data.name, "rank": data.rank, "min_points": data.min_points,
        "min_purchases": data.min_purchases, "earn_multiplier": data.earn_multiplier,
        "redemption_discount_percent": data.redemption_discount_percent,
    }
    if data.benefits is not None:
        values["benefits"] = [{"code": b.code.strip().upper(), "description": b.description} for b in data.benefits]
    return values


async def create_tier(ctx: RequestContext, data: gql.CreateTierInput) -> gql.TierPayload:
    try:
        tier = await tiers.create_tier(ctx.viewer, **_tier_values(data))
    except DomainError as exc:
        return gql.TierPayload(tier=None, errors=_tier_errors(exc))
    return gql.TierPayload(tier=gql.Tier.from_model(tier), errors=[])


async def update_tier(ctx: RequestContext, data: gql.UpdateTierInput) -> gql.TierPayload:
    try:
        tier = await tiers.update_tier(ctx.viewer, pk_of(data.id, "Tier"), **_tier_values(data))
    except InvalidGlobalId:
        return gql.TierPayload(tier=None, errors=invalid_id_error(gql.TierError, gql.TierErrorCode, "id"))
    except DomainError as exc:
        return gql.TierPayload(tier=None, errors=_tier_errors(exc))
    return gql.TierPayload(tier=gql.Tier.from_model(tier), errors=[])


async def _member_for_admin(ctx: RequestContext, global_id: str) -> MemberModel:
    target = await MemberModel.get_or_none(id=pk_of(global_id, "Member"))
    if target is None:
        raise tiers.TierError("MEMBER_NOT_FOUND", "No such member.", field="memberId")
    return target


async def set_member_tier_floor(ctx: RequestContext, data: gql.SetMemberTierFloorInput) -> gql.SetMemberTierFloorPayload:
    try:
        target = await _member_for_admin(ctx, data.member_id)
        updated = await tiers.set_floor(ctx.viewer, target, data.tier_code, data.reason, clock=ctx.clock)
    except InvalidGlobalId:
        return gql.SetMemberTierFloorPayload(member=None, errors=invalid_id_error(gql.TierError, gql.TierErrorCode, "memberId"))
    except DomainError as exc:
        return gql.SetMemberTierFloorPayload(member=None, errors=_tier_errors(exc))
    return gql.SetMemberTierFloorPayload(member=gql.Member.from_model(updated), errors=[])


async def review_tiers(ctx: RequestContext, data: gql.ReviewTiersInput) -> gql.ReviewTiersPayload:
    if not ctx.viewer.is_chain_admin:
        raise AccessDenied("Only a chain admin runs a tier review.")
    try:
        member_ids = [pk_of(data.member_id, "Member")] if data.member_id else None
    except InvalidGlobalId:
        return gql.ReviewTiersPayload(reviewed=0, upgraded=0, downgraded=0,
                                      errors=invalid_id_error(gql.TierError, gql.TierErrorCode, "memberId"))
    report = await tiers.review_all(
        activity.activity_in_window, window_start=await activity.window_start(ctx.clock),
        actor=ctx.viewer.idempotency_scope, clock=ctx.clock, member_ids=member_ids,
    )
    return gql.ReviewTiersPayload(reviewed=report.reviewed, upgraded=report.upgraded, downgraded=report.downgraded, errors=[])


