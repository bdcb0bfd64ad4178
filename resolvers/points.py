"""Resolvers for purchases, points history, behaviour points, adjustments, expiry and earning rules."""

from __future__ import annotations

from domain.access import CallerKind
from domain.errors import AccessDenied, DomainError
from domain.earning import adjustments, behaviour, expiry, purchases, rules_admin
from domain.earning.models import Purchase as PurchaseModel
from domain.earning.models import PurchaseLine as PurchaseLineModel
from domain.idempotency import run_once
from domain.ledger import service as ledger
from domain.members import services as members
from domain.pagination import keyset_page
from resolvers.connections import connection_from_page, page_request
from resolvers.context import RequestContext
from resolvers.members.queries import member_after_write as _member_after_write
from schema import points as gql
from schema.errors import errors_from, invalid_id_error
from schema.relay import Connection, InvalidGlobalId, pk_of, to_global_id
from schema.members.types import Member as MemberType
from schema.scalars import Money

MAX_BATCH = 500


def _errors(exc: DomainError) -> list[gql.PointsError]:
    return errors_from(exc, gql.PointsError, gql.PointsErrorCode)


def _invalid(field: str) -> list[gql.PointsError]:
    return invalid_id_error(gql.PointsError, gql.PointsErrorCode, field)


async def member_purchases(ctx: RequestContext, member_pk: int, home_store_pk: int | None, first, after) -> Connection[gql.Purchase]:
    scope = members.history_scope(ctx.viewer, member_pk, home_store_id=home_store_pk)
    query = PurchaseModel.filter(member_id=member_pk)
    if not scope.is_full:
        query = query.filter(store_id=scope.store_id)
    page = await keyset_page(query, page_request(first, after), descending=True)
    return connection_from_page(page, gql.Purchase.from_model)


async def purchase_lines(purchase_ids: list[int]) -> dict[int, list[gql.PurchaseLine]]:
    found: dict[int, list[gql.PurchaseLine]] = {i: [] for i in purchase_ids}
    for line in await PurchaseLineModel.filter(purchase_id__in=purchase_ids).order_by("purchase_id", "line_no"):
        found[line.purchase_id].append(gql.PurchaseLine(  # type: ignore[attr-defined]
            line_no=line.line_no, sku=line.sku, category=line.category, quantity=line.quantity,
            unit_price=Money.from_minor(line.unit_price_fen), points=line.points, returned_quantity=line.returned_quantity,
        ))
    return found


async def member_after_write(ctx, member_id):  # transitional
    return MemberType.from_model(await _member_after_write(ctx, member_id))


# ---- purchases ------------------------------------------------------------------------------


def _request(data: gql.RecordPurchaseInput) -> purchases.PurchaseRequest:
    return purchases.PurchaseRequest(
        member_code=data.member_code, store_id=pk_of(data.store_id, "Store"), channel=data.channel.value,
        lines=tuple(purchases.LineInput(l.sku, l.category, l.quantity, l.unit_price) for l in data.lines),
        client_txn_id=data.client_txn_id, occurred_at=data.occurred_at, points_to_redeem=data.points_to_redeem,
    )


def _failed_purchase(errors: list[gql.PointsError]) -> gql.RecordPurchasePayload:
    return gql.RecordPurchasePayload(purchase=None, member=None, replayed=False, errors=errors)


async def record_purchase(ctx: RequestContext, data: gql.RecordPurchaseInput) -> gql.RecordPurchasePayload:
    try:
        request = _request(data)
    except InvalidGlobalId:
        return _failed_purchase(_invalid("storeId"))
    try:
        outcome = await purchases.record_purchase(ctx.viewer, request, clock=ctx.clock)
    except DomainError as exc:
        return _failed_purchase(_errors(exc))
    return gql.RecordPurchasePayload(
        purchase=gql.Purchase.from_model(outcome.purchase),
        member=await member_after_write(ctx, outcome.purchase.member_id),  # type: ignore[attr-defined]
        replayed=outcome.replayed, errors=[],
    )


async def submit_purchase_batch(ctx: RequestContext, data: gql.SubmitPurchaseBatchInput) -> gql.SubmitPurchaseBatchPayload:
    if len(data.purchases) > MAX_BATCH:
        return gql.SubmitPurchaseBatchPayload(results=[], errors=[gql.PointsError(
            code=gql.PointsErrorCode.TOO_MANY_PURCHASES, field="purchases",
            message=f"Send at most {MAX_BATCH} purchases in one batch.",
        )])
    requests: list[purchases.PurchaseRequest | DomainError] = []
    for item in data.purchases:
        try:
            requests.append(_request(item))
        except InvalidGlobalId:
            requests.append(DomainError("INVALID_ID", "That ID is not valid here.", field="storeId"))
    results = []
    for i, outcome in enumerate(await purchases.record_batch(ctx.viewer, requests, clock=ctx.clock)):
        if isinstance(outcome, DomainError):
            errors = _errors(outcome)
            for error in errors:
                if error.field:
                    error.field = f"purchases.{i}.{error.field}"
            results.append(_failed_purchase(errors))
            continue
        results.append(gql.RecordPurchasePayload(
            purchase=gql.Purchase.from_model(outcome.purchase),
            member=await member_after_write(ctx, outcome.purchase.member_id),  # type: ignore[attr-defined]
            replayed=outcome.replayed, errors=[],
        ))
    return gql.SubmitPurchaseBatchPayload(results=results, errors=[])


async def return_purchase(ctx: RequestContext, data: gql.ReturnPurchaseInput) -> gql.ReturnPurchasePayload:
    try:
        purchase_id = pk_of(data.purchase_id, "Purchase")
    except InvalidGlobalId:
        return gql.ReturnPurchasePayload(purchase=None, member=None, errors=_invalid("purchaseId"))
    returned = [purchases.ReturnLine(l.line_no, l.quantity) for l in data.lines or []]

    async def action(connection) -> dict:
        done = await purchases.return_purchase(ctx.viewer, purchase_id, returned, clock=ctx.clock, connection=connection)
        return {"purchaseId": done.id}

    request = {"purchaseId": purchase_id, "lines": [[r.line_no, r.quantity] for r in returned]}
    try:
        outcome = await run_once(
            scope=ctx.viewer.idempotency_scope, key=data.idempotency_key, operation="returnPurchase",
            request=request, action=action, clock=ctx.clock,
        )
    except DomainError as exc:
        return gql.ReturnPurchasePayload(purchase=None, member=None, errors=_errors(exc))
    purchase = await PurchaseModel.get(id=outcome.result["purchaseId"])
    return gql.ReturnPurchasePayload(
        purchase=gql.Purchase.from_model(purchase), member=await member_after_write(ctx, purchase.member_id), errors=[]  # type: ignore[attr-defined]
    )


# ---- behaviour ------------------------------------------------------------------------------


async def check_in(ctx: RequestContext, data: gql.CheckInInput) -> gql.CheckInPayload:
    try:
        result = await behaviour.check_in(ctx.viewer, clock=ctx.clock, idempotency_key=data.idempotency_key)
    except DomainError as exc:
        return gql.CheckInPayload(points_awarded=0, streak_days=0, member=None, replayed=False, errors=_errors(exc))
    return gql.CheckInPayload(
        points_awarded=result.points_awarded, streak_days=result.streak_days, replayed=result.replayed,
        member=await member_after_write(ctx, ctx.viewer.subject_id), errors=[],  # type: ignore[arg-type]
    )


async def submit_review(ctx: RequestContext, data: gql.SubmitReviewInput) -> gql.SubmitReviewPayload:
    try:
        line_id = pk_of(data.purchase_line_id, "PurchaseLine")
    except InvalidGlobalId:
        return gql.SubmitReviewPayload(points_awarded=0, replayed=False, errors=_invalid("purchaseLineId"))
    try:
        outcome = await behaviour.submit_review(
            ctx.viewer, line_id, data.rating, data.text, clock=ctx.clock, idempotency_key=data.idempotency_key
        )
    except DomainError as exc:
        return gql.SubmitReviewPayload(points_awarded=0, replayed=False, errors=_errors(exc))
    return gql.SubmitReviewPayload(points_awarded=outcome.review.points, replayed=outcome.replayed, errors=[])


# ---- adjustments and expiry -----------------------------------------------------------------


async def adjust_points(ctx: RequestContext, data: gql.AdjustPointsInput) -> gql.AdjustPointsPayload:
    try:
        member_id = pk_of(data.member_id, "Member")
    except InvalidGlobalId:
        return gql.AdjustPointsPayload(member=None, balance_before=None, balance_after=None, errors=_invalid("memberId"))

    async def action(connection) -> dict:
        audit = await adjustments.adjust_points(ctx.viewer, member_id, data.amount, data.reason, clock=ctx.clock, connection=connection)
        return {"before": audit.balance_before, "after": audit.balance_after}

    try:
        outcome = await run_once(
            scope=ctx.viewer.idempotency_scope, key=data.idempotency_key, operation="adjustPoints",
            request={"memberId": member_id, "amount": data.amount, "reason": data.reason}, action=action, clock=ctx.clock,
        )
    except DomainError as exc:
        return gql.AdjustPointsPayload(member=None, balance_before=None, balance_after=None, errors=_errors(exc))
    return gql.AdjustPointsPayload(
        member=await member_after_write(ctx, member_id), balance_before=outcome.result["before"],
        balance_after=outcome.result["after"], errors=[],
    )


async def expire_points(ctx: RequestContext) -> gql.ExpirePointsPayload:
    if not ctx.viewer.is_chain_admin:
        raise AccessDenied("Only a chain admin runs the expiry sweep.")
    report = await expiry.run_sweep(settings=ctx.settings, clock=ctx.clock)
    return gql.ExpirePointsPayload(expired_lots=report.expired_lots, reminders_sent=report.reminders, errors=[])


# ---- rules ------------------------------------------------------------------------------------


async def set_earn_rate(ctx: RequestContext, data: gql.SetEarnRateInput) -> gql.SetEarnRatePayload:
    try:
        rate = await rules_admin.set_earn_rate(
            ctx.viewer, data.category, data.points_per_yuan, data.effective_from, clock=ctx.clock
        )
    except DomainError as exc:
        return gql.SetEarnRatePayload(rate=None, errors=_errors(exc))
    return gql.SetEarnRatePayload(
        rate=gql.EarnRate(category=rate.category, points_per_yuan=rate.points_per_yuan, effective_from=rate.effective_from), errors=[]
    )


def _campaign(c) -> gql.Campaign:
    return gql.Campaign(
        id=to_global_id("Campaign", c.id), code=c.code, name=c.name, multiplier=c.multiplier, bonus_points=c.bonus_points,
        stacking=gql.Stacking(c.stacking), cap_per_member_per_day=c.cap_per_member_per_day,
        cap_per_member=c.cap_per_member, budget=c.budget,
        given_total=c.given_total, starts_at=c.starts_at, ends_at=c.ends_at, announced_at=c.announced_at,
    )


async def create_campaign(ctx: RequestContext, data: gql.CreateCampaignInput) -> gql.CampaignPayload:
    cond = data.conditions
    conditions = {
        "dateFrom": cond.date_from.isoformat() if cond.date_from else None,
        "dateTo": cond.date_to.isoformat() if cond.date_to else None,
        "dayOfMonth": cond.day_of_month, "weekdays": cond.weekdays,
        "channels": [c.value for c in cond.channels] if cond.channels else None,
        "categories": [c.upper() for c in cond.categories] if cond.categories else None,
        "tiers": [t.upper() for t in cond.tiers] if cond.tiers else None,
        "birthdayMonth": cond.birthday_month, "firstOrder": cond.first_order, "storeFlag": cond.store_flag,
    }
    try:
        campaign = await rules_admin.create_campaign(
            ctx.viewer, code=data.code, name=data.name, multiplier=data.multiplier, bonus_points=data.bonus_points,
            stacking=data.stacking.value, conditions={k: v for k, v in conditions.items() if v not in (None, False)},
            cap_per_member_per_day=data.cap_per_member_per_day, cap_per_member=data.cap_per_member,
            budget=data.budget, starts_at=data.starts_at,
            ends_at=data.ends_at, clock=ctx.clock,
        )
    except DomainError as exc:
        return gql.CampaignPayload(campaign=None, errors=_errors(exc))
    return gql.CampaignPayload(campaign=_campaign(campaign), errors=[])


async def end_campaign(ctx: RequestContext, data: gql.EndCampaignInput) -> gql.CampaignPayload:
    try:
        campaign = await rules_admin.end_campaign(ctx.viewer, pk_of(data.id, "Campaign"), data.ends_at, clock=ctx.clock)
    except InvalidGlobalId:
        return gql.CampaignPayload(campaign=None, errors=_invalid("id"))
    except DomainError as exc:
        return gql.CampaignPayload(campaign=None, errors=_errors(exc))
    return gql.CampaignPayload(campaign=_campaign(campaign), errors=[])


async def campaigns(ctx: RequestContext) -> list[gql.Campaign]:
    return [_campaign(c) for c in await rules_admin.list_campaigns()]


async def upcoming_rule_changes(ctx: RequestContext) -> list[gql.RuleChange]:
    return [
        gql.RuleChange(description=c.description, effective_from=c.effective_from, announced_at=c.announced_at,
                       reduces_earning=c.reduces_earning)
        for c in await rules_admin.upcoming_changes(ctx.clock)
    ]


async def set_store_flag(ctx: RequestContext, data: gql.SetStoreFlagInput) -> gql.SetStoreFlagPayload:
    try:
        store_id = pk_of(data.store_id, "Store")
    except InvalidGlobalId:
        return gql.SetStoreFlagPayload(flags=[], errors=_invalid("storeId"))
    try:
        flags = await rules_admin.set_store_flag(ctx.viewer, store_id, data.flag, data.date, data.on, clock=ctx.clock)
    except DomainError as exc:
        return gql.SetStoreFlagPayload(flags=[], errors=_errors(exc))
    return gql.SetStoreFlagPayload(flags=flags, errors=[])
