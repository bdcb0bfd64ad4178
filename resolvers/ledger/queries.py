"""Ledger queries: a member's points history and expiring points."""

from __future__ import annotations

from domain.ledger import service as ledger
from domain.members import services as members
from domain.pagination import Page, micros, page_in_order
from resolvers.context import RequestContext
from resolvers.paging import page_request


async def expiring(ctx: RequestContext, member_pk: int, within_days: int) -> list[ledger.ExpiringPoints]:
    return await ledger.expiring(member_pk, max(0, min(within_days, 3650)), ctx.clock)


async def expiring_page(
    ctx: RequestContext, member_pk: int, within_days: int, first: int | None, after: str | None
) -> Page[ledger.ExpiringPoints]:
    lots = await expiring(ctx, member_pk, within_days)
    return page_in_order(lots, page_request(first, after), lambda lot: [micros(lot.expires_at), lot.lot_id])


async def points_history(
    ctx: RequestContext, member_pk: int, home_store_pk: int | None, first: int | None, after: str | None, kind: str | None
) -> Page:
    scope = members.history_scope(ctx.viewer, member_pk, home_store_id=home_store_pk)
    return await ledger.history_page(member_pk, page_request(first, after), kind=kind, store_id=scope.store_id)
