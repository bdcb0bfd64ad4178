"""Earning mutations: purchases and returns, behaviour points, adjustments, expiry and earning rules."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from domain import money
from domain.earning import adjustments, behaviour, manual_runs, purchases, rules_admin
from domain.earning.models import CampaignRule, EarnRate, Purchase
from domain.errors import DomainError
from domain.idempotency import run_once
from resolvers.context import RequestContext
from resolvers.global_ids import input_pk, optional_input_pk

MAX_BATCH = 500


def _line(i: int, sku: str, category: str, quantity: int, unit_price: str | None,
          unit_price_money: tuple[Decimal, str] | None, bundle_id: str | None = None) -> purchases.LineInput:
    price = money.yuan_text(unit_price, unit_price_money, field=f"lines.{i}.unitPrice")
    bundle = optional_input_pk(bundle_id, "MallItem", f"lines.{i}.bundleId")
    return purchases.LineInput(sku, category, quantity, price, bundle)  # type: ignore[arg-type]


def _request(fields: dict[str, Any]) -> purchases.PurchaseRequest:
    """A purchase request from an input's values; `lines` are (sku, category, quantity, unitPrice,
    unitPriceMoney as (amount, currency))."""
    return purchases.PurchaseRequest(
        member_code=fields["member_code"], store_id=input_pk(fields["store_id"], "Store", "storeId"),
        channel=fields["channel"], lines=tuple(_line(i, *line) for i, line in enumerate(fields["lines"])),
        client_txn_id=fields["client_txn_id"], occurred_at=fields["occurred_at"],
        points_to_redeem=fields["points_to_redeem"], coupon_codes=tuple(fields.get("coupon_codes") or ()),
        delivery_fee=money.amount_text(fields.get("delivery_fee"), field="deliveryFee"),
    )


async def record_purchase(ctx: RequestContext, fields: dict[str, Any]) -> purchases.PurchaseOutcome:
    return await purchases.record_purchase(ctx.viewer, _request(fields), clock=ctx.clock)


async def submit_purchase_batch(
    ctx: RequestContext, batch: list[dict[str, Any]]
) -> list[purchases.PurchaseOutcome | DomainError]:
    """One outcome or error per purchase, in input order."""
    if len(batch) > MAX_BATCH:
        raise purchases.PurchaseError("TOO_MANY_PURCHASES", f"Send at most {MAX_BATCH} purchases in one batch.", field="purchases")
    requests: list[purchases.PurchaseRequest | DomainError] = []
    for fields in batch:
        try:
            requests.append(_request(fields))
        except DomainError as exc:
            requests.append(exc)
    return await purchases.record_batch(ctx.viewer, requests, clock=ctx.clock)


async def return_purchase(ctx: RequestContext, purchase_id: str, lines: list[tuple[int, int]], idempotency_key: str) -> Purchase:
    purchase_pk = input_pk(purchase_id, "Purchase", "purchaseId")
    returned = [purchases.ReturnLine(line_no, quantity) for line_no, quantity in lines]

    async def action(connection) -> dict:
        done = await purchases.return_purchase(ctx.viewer, purchase_pk, returned, clock=ctx.clock, connection=connection)
        return {"purchaseId": done.id}

    request = {"purchaseId": purchase_pk, "lines": [[r.line_no, r.quantity] for r in returned]}
    outcome = await run_once(
        scope=ctx.viewer.idempotency_scope, key=idempotency_key, operation="returnPurchase",
        request=request, action=action, clock=ctx.clock,
    )
    return await Purchase.get(id=outcome.result["purchaseId"])


async def check_in(ctx: RequestContext, idempotency_key: str | None) -> behaviour.CheckInResult:
    return await behaviour.check_in(ctx.viewer, clock=ctx.clock, idempotency_key=idempotency_key)


async def submit_review(
    ctx: RequestContext, purchase_line_id: str, rating: int, text: str, idempotency_key: str | None
) -> behaviour.ReviewOutcome:
    line_pk = input_pk(purchase_line_id, "PurchaseLine", "purchaseLineId")
    return await behaviour.submit_review(ctx.viewer, line_pk, rating, text, clock=ctx.clock, idempotency_key=idempotency_key)


async def adjust_points(
    ctx: RequestContext, member_id: str, amount: int, reason: str, idempotency_key: str
) -> tuple[int, int, int]:
    """(member pk, balance before, balance after)."""
    member_pk = input_pk(member_id, "Member", "memberId")

    async def action(connection) -> dict:
        audit = await adjustments.adjust_points(ctx.viewer, member_pk, amount, reason, clock=ctx.clock, connection=connection)
        return {"before": audit.balance_before, "after": audit.balance_after}

    outcome = await run_once(
        scope=ctx.viewer.idempotency_scope, key=idempotency_key, operation="adjustPoints",
        request={"memberId": member_pk, "amount": amount, "reason": reason}, action=action, clock=ctx.clock,
    )
    return member_pk, outcome.result["before"], outcome.result["after"]


async def expire_points(ctx: RequestContext):
    return await manual_runs.expire_points_now(ctx.viewer, settings=ctx.settings, clock=ctx.clock)


async def set_earn_rate(ctx: RequestContext, category: str, points_per_yuan: Decimal, effective_from: datetime | None) -> EarnRate:
    return await rules_admin.set_earn_rate(ctx.viewer, category, points_per_yuan, effective_from, clock=ctx.clock)


async def create_campaign(ctx: RequestContext, *, conditions: dict[str, Any], **values: Any) -> CampaignRule:
    """`conditions` as the rulebook stores them; the unset ones (None, False) are left out."""
    return await rules_admin.create_campaign(
        ctx.viewer, conditions={k: v for k, v in conditions.items() if v not in (None, False)}, clock=ctx.clock, **values
    )


async def end_campaign(ctx: RequestContext, campaign_id: str, ends_at: datetime | None) -> CampaignRule:
    return await rules_admin.end_campaign(ctx.viewer, input_pk(campaign_id, "Campaign", "id"), ends_at, clock=ctx.clock)


async def set_store_flag(ctx: RequestContext, store_id: str, flag: str, on_date: date | None, on: bool) -> list[str]:
    store_pk = input_pk(store_id, "Store", "storeId")
    return await rules_admin.set_store_flag(ctx.viewer, store_pk, flag, on_date, on, clock=ctx.clock)
