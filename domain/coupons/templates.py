"""Coupon templates, administered by chain admins: what a coupon grants, where, from what spend, for how long.

A template is created whole and then only retired: coupons issued from it keep its terms, so
terms never change under a member's coupon. A retired template issues no new coupons (lottery
prizes and grants refuse it); the coupons already issued stay usable until they expire.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from domain import bounds, money, text
from domain.access import Viewer, require_chain_admin
from domain.coupons.errors import CouponError, CouponErrorCode
from domain.coupons.issuing import template_by_id
from domain.coupons.models import CouponKind, CouponTemplate
from domain.pagination import Page, PageRequest, keyset_page
from domain.stores import services as stores
from infra.clock import Clock, utc

MAX_VALID_DAYS = 3650
MAX_CATEGORIES = 50
MAX_STORES = 200
MAX_DESCRIPTION = 2000
CATEGORY = re.compile(r"^[A-Z0-9_]{1,32}$")


@dataclass(frozen=True)
class TemplateDraft:
    """A template as an admin sends it; amounts as (amount, currency) money pairs."""

    name: str
    kind: str
    description: str = ""
    amount_off: tuple[Decimal, str] | None = None
    percent_off: int | None = None
    cap: tuple[Decimal, str] | None = None
    item_name: str | None = None
    minimum_spend: tuple[Decimal, str] | None = None
    categories: tuple[str, ...] = ()
    store_ids: tuple[int, ...] = ()
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    valid_days: int | None = None
    stackable: bool = False


def _invalid(message: str, field: str) -> CouponError:
    return CouponError(CouponErrorCode.INVALID_COUPON_TEMPLATE, message, field=field)


def money_fen(pair: tuple[Decimal, str] | None, field: str) -> int | None:
    """A MoneyInput's amount in fen: CNY, 0 to 10,000,000 yuan, at most two decimals."""
    if pair is None:
        return None
    amount, currency = pair
    if currency.strip().upper() != money.CURRENCY:
        raise CouponError(CouponErrorCode.INVALID_CURRENCY, f"Amounts are in {money.CURRENCY}.", field=f"{field}.currency")
    try:
        return bounds.fen_from_yuan(str(amount))
    except bounds.BadMoney as exc:
        raise CouponError(CouponErrorCode.INVALID_PRICE, f"An amount {exc}.", field=f"{field}.amount") from None


def _kind(value: str) -> CouponKind:
    try:
        return CouponKind(value)
    except ValueError:
        raise _invalid("Unknown coupon kind.", "kind") from None


def _only_for(kind: CouponKind, allowed: set[CouponKind], given: bool, field: str) -> None:
    if given and kind not in allowed:
        raise _invalid(f"{field} is not for a {kind.value} coupon.", field)


def _categories(categories: tuple[str, ...]) -> list[str]:
    if len(categories) > MAX_CATEGORIES:
        raise _invalid(f"At most {MAX_CATEGORIES} categories.", "categories")
    cleaned: list[str] = []
    for i, category in enumerate(categories):
        code = category.strip().upper()
        if not CATEGORY.match(code):
            raise _invalid("A category code is 1 to 32 letters, digits or underscores.", f"categories.{i}")
        if code not in cleaned:
            cleaned.append(code)
    return cleaned


async def _stores(store_ids: tuple[int, ...]) -> list[int]:
    if len(store_ids) > MAX_STORES:
        raise _invalid(f"At most {MAX_STORES} stores.", "storeIds")
    for i, store_id in enumerate(store_ids):
        if await stores.store_by_id(store_id) is None:
            raise CouponError(CouponErrorCode.STORE_NOT_FOUND, "No such store.", field=f"storeIds.{i}")
    return sorted(set(store_ids))


def _validity(draft: TemplateDraft, now: datetime) -> tuple[datetime | None, datetime | None, int | None]:
    for name, moment in (("validFrom", draft.valid_from), ("validUntil", draft.valid_until)):
        if moment is not None and moment.tzinfo is None:
            raise _invalid("A time needs a time-zone offset.", name)
    if (draft.valid_days is None) == (draft.valid_until is None):
        raise _invalid("Give validUntil (fixed dates) or validDays (days from issue), one of the two.", "validDays")
    if draft.valid_days is not None:
        if draft.valid_from is not None:
            raise _invalid("validFrom goes with validUntil; validDays count from the issue.", "validFrom")
        if not 1 <= draft.valid_days <= MAX_VALID_DAYS:
            raise _invalid(f"validDays is 1 to {MAX_VALID_DAYS}.", "validDays")
        return None, None, draft.valid_days
    until = utc(draft.valid_until)  # type: ignore[arg-type]
    start = utc(draft.valid_from) if draft.valid_from is not None else None
    if until <= now:
        raise _invalid("validUntil has passed already.", "validUntil")
    if start is not None and start >= until:
        raise _invalid("validFrom comes before validUntil.", "validFrom")
    return start, until, None


async def create_template(viewer: Viewer, draft: TemplateDraft, *, clock: Clock) -> CouponTemplate:
    require_chain_admin(viewer)
    name = text.column_text(CouponTemplate, "name", draft.name)
    if not name:
        raise CouponError(CouponErrorCode.INVALID_NAME, "A template needs a name.", field="name")
    description = text.clean_text(draft.description, "description", MAX_DESCRIPTION, multiline=True)
    kind = _kind(draft.kind)
    amount_off = money_fen(draft.amount_off, "amountOff")
    cap = money_fen(draft.cap, "cap")
    minimum_spend = money_fen(draft.minimum_spend, "minimumSpend") or 0
    _only_for(kind, {CouponKind.AMOUNT_OFF, CouponKind.FREE_DELIVERY}, amount_off is not None, "amountOff")
    _only_for(kind, {CouponKind.PERCENT_OFF}, draft.percent_off is not None, "percentOff")
    _only_for(kind, {CouponKind.PERCENT_OFF}, cap is not None, "cap")
    _only_for(kind, {CouponKind.FREE_ITEM, CouponKind.TASTING}, bool(draft.item_name and draft.item_name.strip()), "itemName")
    item_name = ""
    if kind is CouponKind.AMOUNT_OFF and not amount_off:
        raise _invalid("An AMOUNT_OFF coupon takes an amount above 0 off.", "amountOff")
    if kind is CouponKind.PERCENT_OFF:
        if draft.percent_off is None or not 1 <= draft.percent_off <= 100:
            raise _invalid("A PERCENT_OFF coupon takes 1 to 100 percent off.", "percentOff")
        if cap == 0:
            raise _invalid("A cap is above 0 (leave it out for no cap).", "cap")
    if kind in (CouponKind.FREE_ITEM, CouponKind.TASTING):
        item_name = text.column_text(CouponTemplate, "item_name", draft.item_name or "")
        if not item_name:
            raise _invalid("Say what the counter hands over.", "itemName")
    now = utc(clock.now())
    valid_from, valid_until, valid_days = _validity(draft, now)
    return await CouponTemplate.create(
        name=name, description=description, kind=kind.value, value_fen=amount_off or 0, percent=draft.percent_off or 0,
        cap_fen=cap, item_name=item_name, minimum_spend_fen=minimum_spend, categories=_categories(draft.categories),
        store_ids=await _stores(draft.store_ids), valid_from=valid_from, valid_until=valid_until, valid_days=valid_days,
        stackable=draft.stackable, created_at=now,
    )


async def retire_template(viewer: Viewer, template_id: int, *, clock: Clock) -> CouponTemplate:
    """Stop issuing from a template; retiring a retired one changes nothing."""
    require_chain_admin(viewer)
    try:
        template = await template_by_id(template_id)
    except CouponError as exc:
        raise CouponError(CouponErrorCode(exc.code), exc.message, field="templateId") from None
    await CouponTemplate.filter(id=template.id, retired_at__isnull=True).update(retired_at=utc(clock.now()))
    return await CouponTemplate.get(id=template.id)


async def list_templates(viewer: Viewer, page: PageRequest) -> Page[CouponTemplate]:
    """Newest first, retired ones too."""
    require_chain_admin(viewer)
    return await keyset_page(CouponTemplate.all(), page, descending=True)
