"""Co-branded bundles: a bundle is a mall item with a partner and the partner's terms.

Stock, per-member limits, idempotency and the rush design are the mall's own code: creating a
bundle inserts a mall item (catalogue.insert_item) and its terms in one transaction, members
redeem it with redeemMallItem, and a till sells it for cash on a purchase line (sales.py).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from domain import bounds
from domain.access import Viewer, require_chain_admin
from domain.idempotency import run_once
from domain.mall import catalogue, eligibility, shoppers
from domain.mall.catalogue import ItemDraft, PricedItem
from domain.mall.errors import MallError
from domain.mall.models import MallItem
from domain.pagination import Page, PageRequest
from domain.partners import partners
from domain.partners.errors import PartnerError, PartnerErrorCode
from domain.partners.models import PartnerBundle
from domain.stores.models import Partner
from domain.text import clean_text
from infra.clock import Clock, utc

SUPPLIERS = frozenset({"CHAIN", "PARTNER"})
MAX_COMPONENTS = 10


@dataclass(frozen=True)
class Component:
    name: str
    supplier: str  # CHAIN | PARTNER


@dataclass(frozen=True)
class BundleDraft:
    partner_id: int
    name: str
    points_price: int | None  # None: sold for cash only
    cash_fen: int = 0  # with points: the cash part; without: the cash price
    stock: int | None = None
    per_member_limit: int | None = None
    share_fen: int | None = None  # the partner's share of one unit; None: the partner's percent of the cash
    components: tuple[Component, ...] = ()
    description: str = ""
    image_url: str | None = None
    store_ids: tuple[int, ...] | None = None  # None: the stores the partner serves
    available_from: datetime | None = None
    available_until: datetime | None = None


@dataclass(frozen=True)
class BundleView:
    """A bundle as its reader sees it: the mall item with the viewer's price, its terms and partner."""

    entry: PricedItem
    terms: PartnerBundle
    partner: Partner

    @property
    def item(self) -> MallItem:
        return self.entry.item


@dataclass(frozen=True)
class BundleQuery:
    partner_id: int | None = None
    store_id: int | None = None
    page: PageRequest = field(default_factory=PageRequest)


def _components(given: tuple[Component, ...]) -> list[dict[str, str]]:
    if len(given) > MAX_COMPONENTS:
        raise PartnerError(PartnerErrorCode.TOO_LONG, f"A bundle has at most {MAX_COMPONENTS} components.", "components")
    checked = []
    for i, component in enumerate(given):
        name = clean_text(component.name, f"components.{i}.name", 120)
        if not name or component.supplier not in SUPPLIERS:
            raise PartnerError(PartnerErrorCode.INVALID_TEXT, "A component has a name and a supplier, CHAIN or PARTNER.",
                               f"components.{i}")
        checked.append({"name": name, "supplier": component.supplier})
    return checked


def _checked_share(share_fen: int | None) -> None:
    if share_fen is not None and not 0 <= share_fen <= bounds.MAX_MONEY_FEN:
        raise PartnerError(PartnerErrorCode.INVALID_SHARE, "A partner's share of a unit is 0 or more yuan.", "partnerShare")


def _item_draft(draft: BundleDraft, partner: Partner) -> ItemDraft:
    cash_only = draft.points_price is None
    if cash_only and draft.cash_fen <= 0:
        raise PartnerError(PartnerErrorCode.INVALID_PRICE, "A bundle sold for cash only needs a cash price.", "cashPrice")
    points = draft.points_price or 0
    return ItemDraft(
        name=draft.name, band="LOW" if points < 500 else "MIDDLE" if points < 3_000 else "HIGH", kind="PHYSICAL",
        points_price=points, description=draft.description, image_url=draft.image_url, cash_fen=draft.cash_fen,
        cost_fen=draft.share_fen, stock=draft.stock, per_member_limit=draft.per_member_limit,
        store_ids=tuple(partner.store_ids) if draft.store_ids is None else draft.store_ids,
        available_from=draft.available_from, available_until=draft.available_until,
        partner_id=partner.id, points_redeemable=not cash_only,
    )


async def create_bundle(viewer: Viewer, draft: BundleDraft, *, idempotency_key: str | None, clock: Clock) -> BundleView:
    """A new bundle (chain admin): its mall item and terms together; once per idempotency key when one is given."""
    require_chain_admin(viewer)
    partner = await partners.existing(viewer, draft.partner_id)
    _checked_share(draft.share_fen)
    components = _components(draft.components)
    item_draft = _item_draft(draft, partner)

    async def action(conn) -> dict[str, Any]:
        item = await catalogue.insert_item(item_draft, conn, clock)
        await PartnerBundle.create(item_id=item.id, partner_id=partner.id, share_fen=draft.share_fen,
                                   components=components, created_at=utc(clock.now()), using_db=conn)
        return {"itemId": item.id}

    try:
        if idempotency_key is None:
            async with in_transaction() as conn:
                created = await action(conn)
        else:
            created = (await run_once(
                scope=viewer.idempotency_scope, key=idempotency_key, operation="createBundle",
                request={"draft": dataclasses.asdict(draft)}, action=action, clock=clock,
            )).result
    except MallError as exc:  # the mall item's own checks (name, prices, stock, limit, window, stores)
        raise PartnerError(_code(exc.code), exc.message, exc.field) from None
    await catalogue.forget()
    found = await views(viewer, [created["itemId"]], clock)
    return found[created["itemId"]]


def _code(mall_code: str) -> PartnerErrorCode:
    try:
        return PartnerErrorCode(mall_code)
    except ValueError:
        return PartnerErrorCode.INVALID_TEXT


def _may_list(viewer: Viewer, item: MallItem, partner: Partner, now: datetime) -> bool:
    """Members and apps see the active partners' bundles on offer; a partner key its own, all of
    them; chain admins everything."""
    if viewer.is_chain_admin:
        return True
    own = partners.own_partner(viewer)
    if own is not None:
        return own == partner.id
    return partner.status == partners.PartnerStatus.ACTIVE and eligibility.is_available(item, now)


async def _all(viewer: Viewer, clock: Clock) -> list[BundleView]:
    items = [item for item in await catalogue.all_items() if item.partner_id is not None]  # type: ignore[attr-defined]
    if not items:
        return []
    terms = {t.item_id: t for t in await PartnerBundle.filter(item_id__in=[i.id for i in items])}  # type: ignore[attr-defined]
    owners = {p.id: p for p in await Partner.filter(id__in={i.partner_id for i in items})}  # type: ignore[attr-defined]
    shopper = await shoppers.for_viewer(viewer, None, clock)
    return [
        BundleView(PricedItem(item, shopper), terms[item.id], owners[item.partner_id])  # type: ignore[attr-defined]
        for item in items
        if item.id in terms and _may_list(viewer, item, owners[item.partner_id], shopper.now)  # type: ignore[attr-defined]
    ]


async def views(viewer: Viewer, item_ids: list[int], clock: Clock) -> dict[int, BundleView]:
    wanted = set(item_ids)
    return {view.item.id: view for view in await _all(viewer, clock) if view.item.id in wanted}


async def browse(viewer: Viewer, query: BundleQuery, clock: Clock) -> Page[BundleView]:
    found = [
        view for view in await _all(viewer, clock)
        if (query.partner_id is None or view.partner.id == query.partner_id)
        and (query.store_id is None or eligibility.collectable_at(view.item, query.store_id))
    ]
    by_entry = {id(view.entry): view for view in found}
    page = catalogue.page_in_memory([view.entry for view in found], lambda entry: entry.item.id, query.page, descending=True)
    return Page(items=[by_entry[id(entry)] for entry in page.items], keys=page.keys, has_next=page.has_next,
                has_previous=page.has_previous, count_all=page.count_all)


def sees_terms(viewer: Viewer, partner_id: int) -> bool:
    """The partner's share is between the chain and that partner."""
    return partners.may_see(viewer, partner_id)
