"""Mall mutations: catalogue and price-rule administration, settings, redemptions and the counter."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from domain import money
from domain.mall import cancellation, catalogue, manual_runs, price_rules, visibility, writeoff
from domain.mall import settings as mall_settings
from domain.mall.catalogue import ItemDraft, PricedItem
from domain.mall.limits import LimitPeriod
from domain.mall.models import MallItem, MallPriceRule, Redemption
from domain.mall.pricing import RuleKind
from domain.mall.redemptions import RedeemOutcome, RedeemRequest, redeem
from resolvers.context import RequestContext
from resolvers.global_ids import input_pk, optional_input_pk

# Fields of an item that null clears; for the others null means "unchanged".
NULLABLE = {"image_url", "per_member_limit", "available_until", "cost_fen"}


async def _priced(ctx: RequestContext, item: MallItem) -> PricedItem:
    return (await visibility.priced_items(ctx.viewer, ctx.clock, [item.id], retired_too=True))[item.id]


def _store_pks(global_ids: list[str]) -> list[int]:
    return [input_pk(s, "Store", "storeIds") for s in global_ids]


def _cash_fen(cash_price: str | None, cash_price_money: tuple[Decimal, str] | None) -> int:
    return catalogue.fen_from_yuan(money.yuan_text(cash_price, cash_price_money, field="cashPrice"))


def _cost_fen(cost_money: tuple[Decimal, str] | None) -> int | None:
    return None if cost_money is None else catalogue.fen_from_yuan(money.yuan_text(None, cost_money, field="cost"), field="cost")


async def create_mall_item(
    ctx: RequestContext, *, cash_price: str | None, cash_price_money: tuple[Decimal, str] | None,
    cost_money: tuple[Decimal, str] | None = None, store_ids: list[str],
    limit_period: str, eligible_tiers: list[str], idempotency_key: str | None, **values: Any,
) -> PricedItem:
    """`values`: the other fields of an ItemDraft; the cash price as text (deprecated) or money (amount, currency)."""
    draft = ItemDraft(
        cash_fen=_cash_fen(cash_price, cash_price_money), cost_fen=_cost_fen(cost_money), store_ids=tuple(_store_pks(store_ids)),
        limit_period=LimitPeriod(limit_period), eligible_tiers=tuple(eligible_tiers), **values,
    )
    item = await catalogue.create_item(ctx.viewer, draft, idempotency_key=idempotency_key, clock=ctx.clock)
    return await _priced(ctx, item)


def _changes(given: dict[str, Any]) -> dict[str, Any]:
    """Given fields only; null clears the nullable ones and is ignored for the others."""
    changes: dict[str, Any] = {}
    given = dict(given)
    cash = given.pop("cash_price", None), given.pop("cash_price_money", None)
    if cash != (None, None):
        given["cash_fen"] = _cash_fen(*cash)
    if "cost_money" in given:
        given["cost_fen"] = _cost_fen(given.pop("cost_money"))
    for name, value in given.items():
        if value is None and name not in NULLABLE:
            continue
        if name == "store_ids":
            value = _store_pks(value)
        changes[name] = value
    return changes


async def update_mall_item(ctx: RequestContext, item_id: str, given: dict[str, Any]) -> PricedItem:
    """`given`: the fields the input set (enums as their values), null included."""
    item_pk = input_pk(item_id, "MallItem", "id")
    item = await catalogue.update_item(ctx.viewer, item_pk, _changes(given), clock=ctx.clock)
    return await _priced(ctx, item)


async def retire_mall_item(ctx: RequestContext, item_id: str) -> PricedItem:
    item = await catalogue.retire_item(ctx.viewer, input_pk(item_id, "MallItem", "id"), clock=ctx.clock)
    return await _priced(ctx, item)


async def restock_mall_item(ctx: RequestContext, item_id: str, quantity: int, idempotency_key: str) -> PricedItem:
    item = await catalogue.restock_item(
        ctx.viewer, input_pk(item_id, "MallItem", "itemId"), quantity, idempotency_key=idempotency_key, clock=ctx.clock
    )
    return await _priced(ctx, item)


async def create_mall_price_rule(
    ctx: RequestContext, *, code: str, name: str, kind: str, percent: int, bands: list[str], day_of_month: int | None,
    date_from: date | None, date_to: date | None,
) -> MallPriceRule:
    return await price_rules.create_rule(
        ctx.viewer, code=code, name=name, kind=RuleKind(kind), percent=percent, bands=bands, day_of_month=day_of_month,
        date_from=date_from, date_to=date_to, clock=ctx.clock,
    )


async def retire_mall_price_rule(ctx: RequestContext, rule_id: str) -> MallPriceRule:
    return await price_rules.retire_rule(ctx.viewer, input_pk(rule_id, "MallPriceRule", "id"))


async def update_mall_settings(changes: dict[str, int]) -> dict[str, Any]:
    return await mall_settings.update({key: value for key, value in changes.items() if key in mall_settings.DEFAULTS})


async def redeem_mall_item(
    ctx: RequestContext, *, item_id: str, quantity: int, store_id: str | None, member_code: str | None, idempotency_key: str
) -> RedeemOutcome:
    request = RedeemRequest(
        item_id=input_pk(item_id, "MallItem", "itemId"), quantity=quantity, idempotency_key=idempotency_key,
        store_id=optional_input_pk(store_id, "Store", "storeId"), member_code=member_code,
    )
    return await redeem(ctx.viewer, request, clock=ctx.clock)


async def fulfill_redemption(ctx: RequestContext, code: str, store_id: str) -> Redemption:
    return await writeoff.fulfil(ctx.viewer, code, input_pk(store_id, "Store", "storeId"), clock=ctx.clock)


async def cancel_redemption(ctx: RequestContext, redemption_id: str, reason: str, idempotency_key: str) -> Redemption:
    redemption_pk = input_pk(redemption_id, "Redemption", "redemptionId")
    return await cancellation.cancel(ctx.viewer, redemption_pk, reason, idempotency_key=idempotency_key, clock=ctx.clock)


async def expire_redemptions(ctx: RequestContext) -> int:
    return await manual_runs.expire_redemptions_now(ctx.viewer, clock=ctx.clock)
