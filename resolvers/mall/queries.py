"""Mall queries: the catalogue with the viewer's prices, redemptions, price rules and settings."""

from __future__ import annotations

from typing import Any

from domain.mall import catalogue, history, price_rules, shoppers, stock
from domain.mall import settings as mall_settings
from domain.mall.catalogue import BrowseQuery, PricedItem, SortField
from domain.mall.models import MallPriceRule, Redemption
from domain.pagination import Page, page_in_order
from resolvers.context import RequestContext
from resolvers.global_ids import pk_of
from resolvers.paging import page_request


async def mall_items(
    ctx: RequestContext, *, band: str | None, kind: str | None, affordable: bool, eligible_for_me: bool, new_only: bool,
    store_id: str | None, include_unavailable: bool, sort: str, descending: bool,
    first: int | None, after: str | None, last: int | None, before: str | None,
) -> tuple[Page[PricedItem], dict[int, int]]:
    """A page of the catalogue, and the stock left of its stock-limited items (read with the page)."""
    store_pk = pk_of(store_id, "Store") if store_id else None
    query = BrowseQuery(
        band=band, kind=kind, affordable=affordable, eligible_for_me=eligible_for_me, new_only=new_only, store_id=store_pk,
        include_unavailable=include_unavailable, sort=SortField(sort), descending=descending,
        page=page_request(first, after, last, before),
    )
    shopper = await shoppers.for_viewer(ctx.viewer, store_pk, ctx.clock)
    page = await catalogue.browse(ctx.viewer, query, shopper)
    left = await stock.remaining([entry.item.id for entry in page.items if entry.item.stock_limited])
    return page, left


async def mall_item(ctx: RequestContext, global_id: str) -> PricedItem | None:
    return await ctx.loaders.mall_item.load(pk_of(global_id, "MallItem"))


async def member_redemptions(
    ctx: RequestContext, member_pk: int, status: str | None, first: int | None, after: str | None
) -> Page[Redemption]:
    return await history.of_member(ctx.viewer, member_pk, status, page_request(first, after))


async def store_redemptions(
    ctx: RequestContext, store_id: str | None, status: str | None, first: int | None, after: str | None
) -> Page[Redemption]:
    store_pk = pk_of(store_id, "Store") if store_id else None
    return await history.of_stores(ctx.viewer, store_pk, status, page_request(first, after))


async def redemption_by_code(ctx: RequestContext, code: str) -> Redemption | None:
    return await history.by_code(ctx.viewer, code)


async def mall_price_rules(first: int | None, after: str | None) -> Page[MallPriceRule]:
    """Active rules first, then by code."""
    rules = await price_rules.all_rules()
    return page_in_order(rules, page_request(first, after), lambda rule: [0 if rule.is_active else 1, rule.code, rule.id])


async def mall_settings_values() -> dict[str, Any]:
    return await mall_settings.current()
