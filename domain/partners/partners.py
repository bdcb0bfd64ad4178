"""Partner organisations (chain admins manage them) and who sees which partner.

A partner key sees its own partner only; another partner answers as if it did not exist
(PARTNER_NOT_FOUND, or null), never as a permission error that would confirm it exists.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from domain.access import CallerKind, Viewer, require_chain_admin
from domain.partners.errors import PartnerError, PartnerErrorCode
from domain.stores import api_keys
from domain.stores.models import ApiKey, Partner, Store
from domain.text import column_text


class PartnerKind(StrEnum):
    BAKERY = "BAKERY"
    FLORIST = "FLORIST"
    OTHER = "OTHER"


class PartnerStatus(StrEnum):
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"


@dataclass(frozen=True)
class PartnerDraft:
    name: str
    kind: PartnerKind
    contact: str = ""
    store_ids: tuple[int, ...] = ()
    share_percent: int | None = None  # of a bundle's cash, when the bundle sets no per-unit share


def own_partner(viewer: Viewer) -> int | None:
    """The partner a partner key acts for; None for everyone else."""
    return viewer.partner_id if viewer.kind is CallerKind.PARTNER else None


def may_see(viewer: Viewer, partner_id: int) -> bool:
    return viewer.is_chain_admin or own_partner(viewer) == partner_id


async def visible(viewer: Viewer, partner_id: int) -> Partner | None:
    if not may_see(viewer, partner_id):
        return None
    return await Partner.get_or_none(id=partner_id)


async def by_ids(viewer: Viewer, ids: list[int]) -> dict[int, Partner]:
    """Partners by id as a bundle shows them: public names, for everyone (members browse bundles)."""
    return {p.id: p for p in await Partner.filter(id__in=ids)}


async def existing(viewer: Viewer, partner_id: int, field: str = "partnerId") -> Partner:
    partner = await visible(viewer, partner_id)
    if partner is None:
        raise PartnerError(PartnerErrorCode.PARTNER_NOT_FOUND, "No partner has that ID.", field)
    return partner


def _checked(values: dict[str, Any]) -> dict[str, Any]:
    if "name" in values:
        values["name"] = column_text(Partner, "name", values["name"])
        if not values["name"]:
            raise PartnerError(PartnerErrorCode.INVALID_NAME, "A partner needs a name of at most 120 characters.", "name")
    if "contact" in values:
        values["contact"] = column_text(Partner, "contact", values["contact"])
    if values.get("share_percent") is not None and not 0 <= values["share_percent"] <= 100:
        raise PartnerError(PartnerErrorCode.INVALID_SHARE, "A partner's share is 0 to 100 percent of the cash.", "sharePercent")
    if "kind" in values:
        values["kind"] = PartnerKind(values["kind"]).value
    if "status" in values:
        values["status"] = PartnerStatus(values["status"]).value
    return values


async def _checked_stores(store_ids: tuple[int, ...] | list[int]) -> list[int]:
    chosen = sorted(set(store_ids))
    if chosen and await Store.filter(id__in=chosen).count() != len(chosen):
        raise PartnerError(PartnerErrorCode.STORE_NOT_FOUND, "One of those stores does not exist.", "storeIds")
    return chosen


def _code_for(name: str) -> str:
    """A readable unique code: the name's letters and digits, and a random tail."""
    stem = re.sub(r"[^A-Z0-9]+", "-", name.upper()).strip("-")[:20] or "PARTNER"
    return f"{stem}-{secrets.token_hex(3).upper()}"


async def create_partner(viewer: Viewer, draft: PartnerDraft) -> Partner:
    require_chain_admin(viewer)
    values = _checked({"name": draft.name, "kind": draft.kind, "contact": draft.contact, "share_percent": draft.share_percent})
    values["store_ids"] = await _checked_stores(draft.store_ids)
    return await Partner.create(code=_code_for(values["name"]), **values)


async def update_partner(viewer: Viewer, partner_id: int, changes: dict[str, Any]) -> Partner:
    """Change the given fields (name, kind, contact, store_ids, share_percent, status)."""
    require_chain_admin(viewer)
    await existing(viewer, partner_id, "id")
    values = _checked(dict(changes))
    if "store_ids" in values:
        values["store_ids"] = await _checked_stores(values["store_ids"])
    if values:
        await Partner.filter(id=partner_id).update(**values)
    return await Partner.get(id=partner_id)


async def listed(viewer: Viewer) -> list[Partner]:
    if viewer.is_chain_admin:
        return list(await Partner.all().order_by("id"))
    own = own_partner(viewer)
    return list(await Partner.filter(id=own)) if own is not None else []


async def create_key(viewer: Viewer, partner_id: int, name: str, scopes: list[str] | None) -> api_keys.IssuedKey:
    require_chain_admin(viewer)
    partner = await existing(viewer, partner_id)
    name = column_text(ApiKey, "name", name)
    if not name:
        raise PartnerError(PartnerErrorCode.INVALID_NAME, "A partner key needs a name.", "name")
    return await api_keys.create_partner_key(partner.id, name, scopes)


def require_active(partner: Partner) -> None:
    if partner.status != PartnerStatus.ACTIVE:
        raise PartnerError(PartnerErrorCode.PARTNER_SUSPENDED, "This partner is suspended: its bundles are not sold or verified.")
