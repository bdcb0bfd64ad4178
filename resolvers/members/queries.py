"""Member queries, and the member a write acted for."""

from __future__ import annotations

from domain.members import search
from domain.members import services as members
from domain.members.models import Member
from domain.pagination import Page, keyset_page
from resolvers.context import RequestContext
from resolvers.global_ids import pk_of
from resolvers.paging import page_request


async def me(ctx: RequestContext) -> Member | None:
    if ctx.viewer.member_id is None:
        return None
    return await ctx.loaders.member.load(ctx.viewer.member_id)


async def member(ctx: RequestContext, code: str | None, phone: str | None, legacy_id: str | None = None) -> Member | None:
    if sum(value is not None for value in (code, phone, legacy_id)) != 1:
        raise members.MemberError("INVALID_ARGUMENTS", "Give exactly one of `code`, `phone` or `legacyId`.")
    if code is not None:
        return await members.find_by_code(ctx.viewer, code)
    if legacy_id is not None:
        return await members.find_by_legacy_id(ctx.viewer, legacy_id)
    return await members.find_by_phone(ctx.viewer, phone or "", ctx.settings)


async def members_page(
    ctx: RequestContext, *, tier_code: str | None, home_store_id: str | None, name_prefix: str | None,
    first: int | None, after: str | None,
) -> Page[Member]:
    query = search.search(
        ctx.viewer, tier_code=tier_code, home_store_id=pk_of(home_store_id, "Store") if home_store_id else None,
        name_prefix=name_prefix,
    )
    return await keyset_page(query, page_request(first, after))


async def member_after_write(ctx: RequestContext, member_id: int) -> Member:
    """The member a mutation acted for, read with its balances in one statement for the payload."""
    return member_as_written(ctx, await members.member_with_balance(member_id))


def member_as_written(ctx: RequestContext, found: members.MemberWithBalance) -> Member:
    """The member with the balances a write left, for its payload: its balance fields read nothing."""
    ctx.loaders.points_balance.prime(
        found.member.id, {"balance": found.balance, "pending_balance": found.pending, "debt": found.debt}
    )
    return found.member
