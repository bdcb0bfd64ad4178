"""Partner bundles queries: partners, bundles, settlement statements."""

from __future__ import annotations

from domain.pagination import Page
from domain.partners import bundles, partners, settlement
from domain.stores.models import Partner
from resolvers.context import RequestContext
from resolvers.global_ids import InvalidGlobalId, pk_of
from resolvers.paging import page_request


def _pk(global_id: str | None, type_name: str) -> int | None:
    """An ID's key; an ID of nothing (or of another type) matches nothing: -1."""
    if global_id is None:
        return None
    try:
        return pk_of(global_id, type_name)
    except InvalidGlobalId:
        return -1


async def partners_listed(ctx: RequestContext) -> list[Partner]:
    return await partners.listed(ctx.viewer)


async def partner(ctx: RequestContext, global_id: str) -> Partner | None:
    pk = _pk(global_id, "Partner")
    return None if pk is None or pk < 0 else await partners.visible(ctx.viewer, pk)


async def bundles_page(ctx: RequestContext, partner_id: str | None, store_id: str | None, first: int | None,
                       after: str | None) -> Page[bundles.BundleView]:
    query = bundles.BundleQuery(partner_id=_pk(partner_id, "Partner"), store_id=_pk(store_id, "Store"),
                                page=page_request(first, after))
    return await bundles.browse(ctx.viewer, query, ctx.clock)


async def partner_settlement(ctx: RequestContext, partner_id: str, period: str) -> settlement.Statement | None:
    pk = _pk(partner_id, "Partner")
    if pk is None or pk < 0:
        return None
    return await settlement.statement(ctx.viewer, pk, period)  # INVALID_PERIOD: a top-level error
