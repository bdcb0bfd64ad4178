"""Partner bundles mutations: partners and their keys, bundles, verification, closing a period."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from domain import bounds, money
from domain.mall.models import Redemption
from domain.partners import bundles, partners, settlement, verification
from domain.partners.errors import PartnerError, PartnerErrorCode
from domain.stores import api_keys
from domain.stores.models import Partner
from resolvers.context import RequestContext
from resolvers.global_ids import input_pk


def _partner_pk(global_id: str, field: str = "partnerId") -> int:
    return input_pk(global_id, "Partner", field)


def _store_pks(ids: list[str] | None, field: str = "storeIds") -> tuple[int, ...] | None:
    return None if ids is None else tuple(input_pk(i, "Store", f"{field}.{n}") for n, i in enumerate(ids))


def _fen(given: tuple[Decimal, str] | None, field: str) -> int | None:
    text = money.amount_text(given, field=field)
    if text is None:
        return None
    try:
        return bounds.fen_from_yuan(text)
    except bounds.BadMoney as exc:
        raise PartnerError(PartnerErrorCode.INVALID_PRICE, f"An amount {exc}.", f"{field}.amount") from None


async def create_partner(ctx: RequestContext, *, name: str, kind: str, contact: str, store_ids: list[str],
                         share_percent: int | None) -> Partner:
    draft = partners.PartnerDraft(name=name, kind=partners.PartnerKind(kind), contact=contact,
                                  store_ids=_store_pks(store_ids) or (), share_percent=share_percent)
    return await partners.create_partner(ctx.viewer, draft)


async def update_partner(ctx: RequestContext, partner_id: str, given: dict[str, Any]) -> Partner:
    changes = {name: value for name, value in given.items() if value is not None}
    if "store_ids" in changes:
        changes["store_ids"] = list(_store_pks(changes["store_ids"]) or ())
    return await partners.update_partner(ctx.viewer, _partner_pk(partner_id, "partnerId"), changes)


async def create_partner_key(ctx: RequestContext, partner_id: str, name: str, scopes: list[str] | None) -> api_keys.IssuedKey:
    return await partners.create_key(ctx.viewer, _partner_pk(partner_id), name, scopes)


async def create_bundle(
    ctx: RequestContext, *, partner_id: str, name: str, points_price: int | None, cash_price: tuple[Decimal, str] | None,
    stock: int | None, per_member_limit: int | None, partner_share: tuple[Decimal, str] | None,
    components: list[tuple[str, str]], description: str, image_url: str | None, store_ids: list[str] | None,
    available_from: datetime | None, available_until: datetime | None, idempotency_key: str | None,
) -> bundles.BundleView:
    draft = bundles.BundleDraft(
        partner_id=_partner_pk(partner_id), name=name, points_price=points_price, cash_fen=_fen(cash_price, "cashPrice") or 0,
        stock=stock, per_member_limit=per_member_limit, share_fen=_fen(partner_share, "partnerShare"),
        components=tuple(bundles.Component(n, s) for n, s in components), description=description, image_url=image_url,
        store_ids=_store_pks(store_ids), available_from=available_from, available_until=available_until,
    )
    return await bundles.create_bundle(ctx.viewer, draft, idempotency_key=idempotency_key, clock=ctx.clock)


async def verify_partner_redemption(ctx: RequestContext, code: str, idempotency_key: str) -> Redemption:
    return await verification.verify(ctx.viewer, code, idempotency_key=idempotency_key, clock=ctx.clock)


async def close_settlement_period(ctx: RequestContext, partner_id: str, period: str) -> settlement.Statement:
    return await settlement.close(ctx.viewer, _partner_pk(partner_id), period, clock=ctx.clock)
