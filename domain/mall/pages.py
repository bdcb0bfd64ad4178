"""A catalogue page as the viewer sees it, with the units left of its limited items.

A signed-in member's page needs their row (their tier sets the price) and the page's stock. When
neither the order nor a filter depends on the member (no price sort, no affordable or
eligible-for-me filter), the page is chosen first at list prices and the member's row and the
page's stock come in one statement: a catalogue page is the peak hour's most frequent request,
and each statement through the pool costs more of the server's CPU than the work PostgreSQL
does for it.
"""

from __future__ import annotations

import dataclasses

from domain import db
from domain.access import CallerKind, Viewer
from domain.clock import Clock
from domain.mall import catalogue, shoppers, stock
from domain.mall.catalogue import BrowseQuery, PricedItem, SortField
from domain.members.models import Member
from domain.pagination import Page
from domain.stores import services as stores


async def browse_page(viewer: Viewer, query: BrowseQuery, clock: Clock) -> tuple[Page[PricedItem], dict[int, int]]:
    """The page, and the units left of each limited item on it."""
    if viewer.kind is not CallerKind.MEMBER or _depends_on_member(query):
        shopper = await shoppers.for_viewer(viewer, query.store_id, clock)
        page = await catalogue.browse(viewer, query, shopper)
        return page, await stock.remaining(_limited(page))
    store = await stores.store_by_id(query.store_id) if query.store_id is not None else None
    at_list_prices = await shoppers.for_member(None, store, clock)
    page = await catalogue.browse(viewer, query, at_list_prices)
    member, left = await _member_and_stock(viewer.subject_id, _limited(page))
    shopper = await shoppers.as_member(at_list_prices, member)
    return dataclasses.replace(page, items=[PricedItem(entry.item, shopper) for entry in page.items]), left


def _depends_on_member(query: BrowseQuery) -> bool:
    return query.affordable or query.eligible_for_me or query.sort is SortField.POINTS_PRICE


def _limited(page: Page[PricedItem]) -> list[int]:
    return [entry.item.id for entry in page.items if entry.item.stock_limited]


async def _member_and_stock(member_id: int, item_ids: list[int]) -> tuple[Member | None, dict[int, int]]:
    """The member's row and the units left per item, in one statement (a row per item with stock,
    each carrying the member's columns; one row with none when no item has buckets)."""
    if not item_ids:
        return await db.by_id(Member, member_id), {}
    rows = await db.fetch(
        "SELECT m.*, s.item_id AS stock_item_id, s.units AS stock_units FROM member m"
        f" LEFT JOIN ({stock.units_sql(db.placeholders(len(item_ids), start=2))}) AS s ON 1 = 1 WHERE m.id = $1",
        member_id, *item_ids,
    )
    if not rows:  # no such member (a token outliving its member): list prices, stock read on its own
        return None, await stock.remaining(item_ids)
    left = dict.fromkeys(item_ids, 0)
    for row in rows:
        if row["stock_item_id"] is not None:
            left[row["stock_item_id"]] = int(row["stock_units"])
    columns = {name: value for name, value in rows[0].items() if name not in ("stock_item_id", "stock_units")}
    return Member._init_from_db(**columns), left
