"""The mall catalogue: chain admins create, edit, retire and restock items; everyone browses it.

Items are read-mostly and few (hundreds at most), so the whole catalogue is cached and
browsing filters, prices and sorts it in memory; stock is never cached, it is read from the
buckets when asked for.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import cached_property
from typing import Any

from tortoise.transactions import in_transaction

from domain import bounds
from domain.access import Viewer, require_chain_admin
from domain.errors import AccessDenied, DomainError
from domain.idempotency import run_once
from domain.mall import eligibility, stock
from domain.mall.cache_slots import bounded
from domain.mall.errors import MallError, MallErrorCode
from domain.mall.limits import LimitPeriod
from domain.mall.models import MallItem
from domain.mall.pricing import Price
from domain.mall.shoppers import Shopper
from domain.pagination import Page, PageRequest, counted
from domain.stores.models import Store
from domain.text import clean_text, column_text
from domain.tiers import service as tiers
from infra import cache
from infra.clock import Clock, utc

CACHE_KEY = "mall:catalogue"
CACHE_TTL = 60
BANDS = frozenset({"LOW", "MIDDLE", "HIGH"})
KINDS = frozenset({"PHYSICAL", "FRESH_CUT", "SERVICE", "PRIVILEGE", "COUPON", "STORED_VALUE_CARD"})
MAX_POINTS = bounds.MAX_ITEM_POINTS
MAX_STOCK = bounds.MAX_STOCK
MAX_BUCKETS = 64
MAX_DESCRIPTION = 2_000
IMAGE_URL = re.compile(r"^https?://[^\s]{1,490}$")


class SortField(StrEnum):
    AVAILABLE_FROM = "AVAILABLE_FROM"
    POINTS_PRICE = "POINTS_PRICE"
    NAME = "NAME"


@dataclass(frozen=True)
class ItemDraft:
    name: str
    band: str
    kind: str
    points_price: int
    description: str = ""
    image_url: str | None = None
    cash_fen: int = 0
    cost_fen: int | None = None  # what a unit costs the chain (docs/metrics.md); None: its points at face value
    stock: int | None = None  # None: unlimited
    stock_buckets: int = 1
    per_member_limit: int | None = None
    limit_period: LimitPeriod = LimitPeriod.LIFETIME
    eligible_tiers: tuple[str, ...] = ()
    store_ids: tuple[int, ...] = ()
    available_from: datetime | None = None  # default: now
    available_until: datetime | None = None
    partner_id: int | None = None  # a partner bundle's partner (domain/partners)
    points_redeemable: bool = True  # False: a cash-only bundle, sold at the till


@dataclass(eq=False)
class PricedItem:
    """An item as the shopper sees it. The price is worked out when first asked for: a page of
    the catalogue in its default order prices only the items on the page, not every item."""

    item: MallItem
    shopper: Shopper

    @cached_property
    def price(self) -> Price:
        return self.shopper.price(self.item)

    @cached_property
    def is_new(self) -> bool:
        return eligibility.is_new(self.item, self.shopper.now, self.shopper.new_item_days)


@dataclass(frozen=True)
class BrowseQuery:
    band: str | None = None
    kind: str | None = None
    affordable: bool = False
    eligible_for_me: bool = False
    new_only: bool = False
    store_id: int | None = None
    include_unavailable: bool = False
    sort: SortField = SortField.AVAILABLE_FROM
    descending: bool = True
    page: PageRequest = field(default_factory=PageRequest)


# ---- reading ----------------------------------------------------------------------------------


async def all_items() -> list[MallItem]:
    async def load() -> list[MallItem]:
        return list(await MallItem.all().order_by("id"))

    async with bounded:
        return await cache.get_or_load(CACHE_KEY, load, ttl=CACHE_TTL)


async def find(item_id: int) -> MallItem | None:
    return next((item for item in await all_items() if item.id == item_id), None)


async def forget() -> None:
    async with bounded:
        await cache.delete(CACHE_KEY)


def may_see(viewer: Viewer, item: MallItem) -> bool:
    """Retired items are for staff; everything else is public."""
    return item.retired_at is None or viewer.is_staff


async def browse(viewer: Viewer, query: BrowseQuery, shopper: Shopper) -> Page[PricedItem]:
    if (query.affordable or query.eligible_for_me) and shopper.member is None:
        raise AccessDenied("Sign in as a member to filter by what you can afford or redeem.",
                           unauthenticated=viewer.is_anonymous)
    show_all = query.include_unavailable and viewer.is_staff
    balance = await shopper.balance() if query.affordable else None
    found = []
    for item in await all_items():
        if not show_all and not eligibility.is_available(item, shopper.now):
            continue
        if query.band and item.band != query.band:
            continue
        if query.kind and item.kind != query.kind:
            continue
        if query.store_id is not None and not eligibility.collectable_at(item, query.store_id):
            continue
        if query.eligible_for_me and not eligibility.tier_allowed(item, shopper.tier_code or ""):
            continue
        entry = PricedItem(item, shopper)
        if query.new_only and not entry.is_new:
            continue
        if balance is not None and entry.price.points > balance:
            continue
        found.append(entry)
    return page_in_memory(found, _sort_key(query.sort), query.page, descending=query.descending)


def _sort_key(sort: SortField) -> Callable[[PricedItem], Any]:
    if sort is SortField.POINTS_PRICE:
        return lambda entry: entry.price.points
    if sort is SortField.NAME:
        return lambda entry: entry.item.name.casefold()
    return lambda entry: int(entry.item.available_from.timestamp())


def page_in_memory(
    rows: list[PricedItem], key: Callable[[PricedItem], Any], request: PageRequest, *, descending: bool
) -> Page[PricedItem]:
    """Keyset paging over a sorted list: the cursor is [sort value, id], like domain.pagination."""
    size = request.size()
    walk_descending = descending != request.backwards
    ordered = sorted(rows, key=lambda entry: (key(entry), entry.item.id), reverse=walk_descending)
    cursor = request.before if request.backwards else request.after
    if cursor:
        mark = _mark(cursor, key(rows[0]) if rows else None)
        ordered = [e for e in ordered if ((key(e), e.item.id) < mark if walk_descending else (key(e), e.item.id) > mark)]
    chosen = ordered[:size]
    more = len(ordered) > size
    if request.backwards:
        chosen.reverse()
    return Page(
        items=chosen, keys=[[key(e), e.item.id] for e in chosen],
        has_next=more if not request.backwards else bool(request.before),
        has_previous=more if request.backwards else bool(request.after),
        count_all=counted(len(rows)),
    )


def _mark(cursor: list[Any], sample: Any) -> tuple[Any, int]:
    """The (sort value, id) a cursor points at; a cursor of another list or order is refused."""
    fits = len(cursor) == 2 and isinstance(cursor[1], int) and (sample is None or type(cursor[0]) is type(sample))
    if not fits:
        raise DomainError("INVALID_CURSOR", "That cursor does not belong to this list and order.", field="after")
    return cursor[0], cursor[1]


# ---- writing ----------------------------------------------------------------------------------


async def _checked_tiers(codes: tuple[str, ...]) -> list[str]:
    known = {t.code for t in await tiers.all_tiers()}
    chosen = sorted({code.strip().upper() for code in codes})
    unknown = [code for code in chosen if code not in known]
    if unknown:
        raise MallError(MallErrorCode.INVALID_TIER, f"Unknown tiers: {', '.join(unknown)}.", field="eligibleTiers")
    return chosen


async def _checked_stores(store_ids: tuple[int, ...]) -> list[int]:
    chosen = sorted(set(store_ids))
    if chosen and await Store.filter(id__in=chosen).count() != len(chosen):
        raise MallError(MallErrorCode.STORE_NOT_FOUND, "One of those stores does not exist.", field="storeIds")
    return chosen


def fen_from_yuan(text: str | None, field: str = "cashPrice") -> int:
    """A cash price given as a decimal string of yuan (at most two decimals), in fen; none is 0."""
    if text is None:
        return 0
    try:
        return bounds.fen_from_yuan(text)
    except bounds.BadMoney as exc:
        raise MallError(MallErrorCode.INVALID_PRICE, f"A cash price {exc}.", field=field) from None


def _check_text(values: dict[str, Any]) -> None:
    if "name" in values:
        values["name"] = column_text(MallItem, "name", values["name"])
        if not values["name"]:
            raise MallError(MallErrorCode.INVALID_NAME, "An item needs a name of at most 120 characters.", field="name")
    if "description" in values:
        values["description"] = clean_text(values["description"], "description", MAX_DESCRIPTION, multiline=True)
    if values.get("image_url") is not None and not IMAGE_URL.match(values["image_url"]):
        raise MallError(MallErrorCode.INVALID_IMAGE_URL, "The image URL is an http(s) address.", field="imageUrl")


def _check_numbers(values: dict[str, Any]) -> None:
    if "band" in values and values["band"] not in BANDS:
        raise MallError(MallErrorCode.INVALID_BAND, "The band is LOW, MIDDLE or HIGH.", field="band")
    if "kind" in values and values["kind"] not in KINDS:
        raise MallError(MallErrorCode.INVALID_KIND, "Unknown item kind.", field="kind")
    if "points_price" in values and not 0 <= values["points_price"] <= MAX_POINTS:
        raise MallError(MallErrorCode.INVALID_PRICE, f"A points price is 0 to {MAX_POINTS:,}.", field="pointsPrice")
    if "cash_fen" in values and not 0 <= values["cash_fen"] <= bounds.MAX_MONEY_FEN:
        raise MallError(MallErrorCode.INVALID_PRICE, f"A cash part is 0 to {bounds.MAX_MONEY_FEN // 100:,} yuan.",
                        field="cashPrice")
    if values.get("cost_fen") is not None and not 0 <= values["cost_fen"] <= bounds.MAX_MONEY_FEN:
        raise MallError(MallErrorCode.INVALID_PRICE, f"A cost is 0 to {bounds.MAX_MONEY_FEN // 100:,} yuan.", field="cost")
    if "stock_buckets" in values and not 1 <= values["stock_buckets"] <= MAX_BUCKETS:
        raise MallError(MallErrorCode.INVALID_BUCKETS, f"An item has 1 to {MAX_BUCKETS} stock buckets.", field="stockBuckets")
    if values.get("per_member_limit") is not None and not 1 <= values["per_member_limit"] <= 10_000:
        raise MallError(MallErrorCode.INVALID_LIMIT, "A per-member limit is 1 to 10,000 units, or none.", field="perMemberLimit")


def _check_window(available_from: datetime, available_until: datetime | None) -> None:
    if available_from.tzinfo is None or (available_until is not None and available_until.tzinfo is None):
        raise MallError(MallErrorCode.INVALID_WINDOW, "Times need a time-zone offset.", field="availableFrom")
    if available_until is not None and available_until <= available_from:
        raise MallError(MallErrorCode.INVALID_WINDOW, "An item stops being available after it starts.", field="availableUntil")


async def create_item(viewer: Viewer, draft: ItemDraft, *, idempotency_key: str | None = None, clock: Clock) -> MallItem:
    """A new item, with its stock spread over its buckets; once per idempotency key when one is given."""
    require_chain_admin(viewer)

    async def action(conn) -> dict:
        return {"itemId": (await insert_item(draft, conn, clock)).id}

    if idempotency_key is None:
        async with in_transaction() as conn:
            created = await action(conn)
    else:
        request = {"draft": dataclasses.asdict(draft)}
        created = (await run_once(
            scope=viewer.idempotency_scope, key=idempotency_key, operation="createMallItem", request=request,
            action=action, clock=clock,
        )).result
    await forget()
    return await MallItem.get(id=created["itemId"])


async def insert_item(draft: ItemDraft, conn, clock: Clock) -> MallItem:
    """The item's row and its stock, inside the caller's transaction; the caller forgets the cached catalogue after."""
    values: dict[str, Any] = {
        "name": draft.name, "description": draft.description, "image_url": draft.image_url, "band": draft.band,
        "kind": draft.kind, "points_price": draft.points_price, "cash_fen": draft.cash_fen,
        "cost_fen": draft.cost_fen,
        "stock_buckets": draft.stock_buckets, "per_member_limit": draft.per_member_limit,
        "partner_id": draft.partner_id, "points_redeemable": draft.points_redeemable,
    }
    _check_text(values)
    _check_numbers(values)
    if draft.stock is not None and not 0 <= draft.stock <= MAX_STOCK:
        raise MallError(MallErrorCode.INVALID_STOCK, f"Stock is 0 to {MAX_STOCK:,} units, or unlimited.", field="stock")
    now = utc(clock.now())
    available_from = utc(draft.available_from) if draft.available_from else now
    available_until = utc(draft.available_until) if draft.available_until else None
    _check_window(available_from, available_until)
    values.update(
        stock_limited=draft.stock is not None, limit_period=draft.limit_period.value,
        eligible_tiers=await _checked_tiers(draft.eligible_tiers), store_ids=await _checked_stores(draft.store_ids),
        available_from=available_from, available_until=available_until, created_at=now, updated_at=now,
    )
    item = await MallItem.create(using_db=conn, **values)
    if draft.stock is not None:
        await stock.create_buckets(conn, item.id, draft.stock_buckets, draft.stock)
    return item


async def _existing(item_id: int, connection=None) -> MallItem:
    item = await MallItem.get_or_none(id=item_id).using_db(connection)
    if item is None:
        raise MallError(MallErrorCode.ITEM_NOT_FOUND, "No such mall item.", field="id")
    return item


async def update_item(viewer: Viewer, item_id: int, changes: dict[str, Any], *, clock: Clock) -> MallItem:
    """Change the given fields (the keys of ItemDraft, except stock: restock for that)."""
    require_chain_admin(viewer)
    item = await _existing(item_id)
    values = dict(changes)
    _check_text(values)
    _check_numbers(values)
    if "limit_period" in values:
        values["limit_period"] = LimitPeriod(values["limit_period"]).value
    if "eligible_tiers" in values:
        values["eligible_tiers"] = await _checked_tiers(tuple(values["eligible_tiers"]))
    if "store_ids" in values:
        values["store_ids"] = await _checked_stores(tuple(values["store_ids"]))
    for key in ("available_from", "available_until"):
        if values.get(key) is not None:
            values[key] = utc(values[key])
    _check_window(values.get("available_from", item.available_from), values.get("available_until", item.available_until))
    values["updated_at"] = utc(clock.now())
    async with in_transaction() as conn:
        await MallItem.filter(id=item_id).using_db(conn).update(**values)
        if item.stock_limited and values.get("stock_buckets", item.stock_buckets) != item.stock_buckets:
            await stock.rebalance(conn, item_id, values["stock_buckets"])
    await forget()
    return await MallItem.get(id=item_id)


async def retire_item(viewer: Viewer, item_id: int, *, clock: Clock) -> MallItem:
    """Retired items leave the catalogue; redemptions already made can still be collected."""
    require_chain_admin(viewer)
    await _existing(item_id)
    now = utc(clock.now())
    if not await MallItem.filter(id=item_id, retired_at__isnull=True).update(retired_at=now, updated_at=now):
        raise MallError(MallErrorCode.ALREADY_RETIRED, "This item was retired already.", field="id")
    await forget()
    return await MallItem.get(id=item_id)


async def restock_item(viewer: Viewer, item_id: int, quantity: int, *, idempotency_key: str, clock: Clock) -> MallItem:
    """Add units, spread over the item's buckets; once per idempotency key."""
    require_chain_admin(viewer)

    async def action(conn) -> dict:
        item = await _existing(item_id, conn)
        if not item.stock_limited:
            raise MallError(MallErrorCode.STOCK_UNLIMITED, "This item has unlimited stock.", field="itemId")
        if not 1 <= quantity <= MAX_STOCK or sum((await stock.levels(item_id, connection=conn)).values()) + quantity > MAX_STOCK:
            raise MallError(
                MallErrorCode.INVALID_STOCK, f"An item holds at most {MAX_STOCK:,} units: restock 1 to that many less what is left.",
                field="quantity",
            )
        await stock.restock(conn, item_id, quantity)
        return {"itemId": item_id}

    await run_once(
        scope=viewer.idempotency_scope, key=idempotency_key, operation="restockMallItem",
        request={"itemId": item_id, "quantity": quantity}, action=action, clock=clock,
    )
    await stock.forget_sold_out(item_id)
    return await MallItem.get(id=item_id)
