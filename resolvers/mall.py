"""Resolvers for the points mall: the catalogue with the viewer's prices, redemptions, the counter, admin."""

from __future__ import annotations

from typing import Any

import strawberry

from domain.access import Viewer
from domain.errors import AccessDenied, DomainError
from domain.mall import cancellation, catalogue, eligibility, history, price_rules, shoppers, writeoff
from domain.mall import codes as redemption_codes
from domain.mall import settings as mall_settings
from domain.mall import stock
from domain.mall.catalogue import BrowseQuery, ItemDraft, PricedItem, SortField
from domain.mall.errors import MallError as DomainMallError
from domain.mall.errors import MallErrorCode as DomainCode
from domain.mall.limits import LimitPeriod
from domain.mall.models import MallItem as MallItemModel
from domain.mall.models import Redemption as RedemptionModel
from domain.mall.pricing import RuleKind
from domain.mall.redemptions import RedeemRequest, redeem
from resolvers.connections import connection_from_page, page_request
from resolvers.context import RequestContext
from resolvers.members.queries import member_after_write as _member_after_write, member_as_written as _member_as_written
from schema.members.types import Member as MemberType
from schema import mall as gql
from schema.errors import errors_from, invalid_id_error
from schema.relay import Connection, InvalidGlobalId, SortDirection, pk_of, to_global_id
from schema.scalars import Money


def _errors(exc: DomainError) -> list[gql.MallError]:
    return errors_from(exc, gql.MallError, gql.MallErrorCode)


def _invalid(field: str) -> list[gql.MallError]:
    return invalid_id_error(gql.MallError, gql.MallErrorCode, field)


async def member_after_write(ctx, member_id):  # transitional
    return MemberType.from_model(await _member_after_write(ctx, member_id))


def member_as_written(ctx, found):  # transitional
    return MemberType.from_model(_member_as_written(ctx, found))


# ---- views ----------------------------------------------------------------------------------


def item_view(entry: PricedItem, stock_left: int | None = None) -> gql.MallItem:
    item, price = entry.item, entry.price
    return gql.MallItem(
        id=strawberry.ID(to_global_id("MallItem", item.id)), name=item.name, description=item.description,
        image_url=item.image_url, band=gql.MallBand(item.band), kind=gql.MallItemKind(item.kind),
        points_price=item.points_price, cash_price=Money.from_minor(item.cash_fen),
        effective_price=gql.EffectivePrice(
            list_points=price.list_points, points=price.points, cash=Money.from_minor(price.cash_fen),
            reasons=[
                gql.PriceReason(kind=gql.PriceReasonKind(r.kind.value), code=r.code, description=r.description,
                                percent=r.percent, points_before=r.points_before, points_after=r.points_after)
                for r in price.reasons
            ],
        ),
        per_member_limit=item.per_member_limit, limit_period=gql.LimitPeriod(item.limit_period),
        eligible_tiers=list(item.eligible_tiers), available_from=item.available_from, available_until=item.available_until,
        is_new=entry.is_new, is_available=eligibility.is_available(item, entry.shopper.now), retired_at=item.retired_at,
        stock_buckets=item.stock_buckets, pk=item.id, stock_limited=item.stock_limited, store_pks=list(item.store_ids),
        stock_left=stock_left,
    )


def redemption_view(r: RedemptionModel) -> gql.Redemption:
    return gql.Redemption(
        id=strawberry.ID(to_global_id("Redemption", r.id)), code=r.code, qr_payload=redemption_codes.qr_payload(r.code),
        status=gql.RedemptionStatus(r.status), quantity=r.quantity, points_spent=r.points_spent,
        cash_due=Money.from_minor(r.cash_fen), created_at=r.created_at, expires_at=r.expires_at,
        fulfilled_at=r.fulfilled_at, cancelled_at=r.cancelled_at, cancel_reason=r.cancel_reason, pk=r.id,
        item_pk=r.item_id, member_pk=r.member_id, store_pk=r.store_id,  # type: ignore[attr-defined]
        fulfilled_store_pk=r.fulfilled_store_id,  # type: ignore[attr-defined]
    )


def rule_view(rule) -> gql.MallPriceRule:
    return gql.MallPriceRule(
        id=strawberry.ID(to_global_id("MallPriceRule", rule.id)), code=rule.code, name=rule.name,
        kind=gql.MallPriceRuleKind(rule.kind), percent=rule.percent, bands=[gql.MallBand(b) for b in rule.bands],
        day_of_month=rule.day_of_month, date_from=rule.date_from, date_to=rule.date_to, is_active=rule.is_active,
    )


async def priced_items(viewer: Viewer, clock, ids: list[int], *, retired_too: bool) -> dict[int, gql.MallItem]:
    """Items by id with the viewer's price; retired ones only when asked (a redemption shows its item)."""
    shopper = await shoppers.for_viewer(viewer, None, clock)
    found = {}
    for item in await catalogue.all_items():
        if item.id in ids and (retired_too or catalogue.may_see(viewer, item)):
            found[item.id] = item_view(catalogue.PricedItem(item, shopper))
    return found


async def stock_remaining(ids: list[int]) -> dict[int, int]:
    return await stock.remaining(ids)


async def redemptions_by_ids(viewer: Viewer, ids: list[int]) -> dict[int, gql.Redemption]:
    return {pk: redemption_view(r) for pk, r in (await history.by_ids(viewer, ids)).items()}


# ---- catalogue ------------------------------------------------------------------------------


def _optional_pk(value: Any, type_name: str) -> int | None:
    return pk_of(value, type_name) if value else None


async def mall_items(
    ctx: RequestContext, filter: gql.MallItemFilter | None, sort_by: gql.MallItemSort | None, first, after, last, before,
) -> Connection[gql.MallItem]:
    chosen = filter or gql.MallItemFilter()
    sort = sort_by or gql.MallItemSort()
    store_id = _optional_pk(chosen.store_id, "Store")
    query = BrowseQuery(
        band=chosen.band.value if chosen.band else None, kind=chosen.kind.value if chosen.kind else None,
        affordable=chosen.affordable, eligible_for_me=chosen.eligible_for_me, new_only=chosen.new_only, store_id=store_id,
        include_unavailable=chosen.include_unavailable, sort=SortField(sort.field.value),
        descending=sort.direction is SortDirection.DESC, page=page_request(first, after, last, before),
    )
    shopper = await shoppers.for_viewer(ctx.viewer, store_id, ctx.clock)
    page = await catalogue.browse(ctx.viewer, query, shopper)
    left = await stock.remaining([entry.item.id for entry in page.items if entry.item.stock_limited])
    return connection_from_page(page, lambda entry: item_view(entry, left.get(entry.item.id)))


async def mall_item(ctx: RequestContext, global_id: str) -> gql.MallItem | None:
    return await ctx.loaders.mall_item.load(pk_of(global_id, "MallItem"))


async def _item_payload(ctx: RequestContext, item: MallItemModel) -> gql.MallItemPayload:
    view = (await priced_items(ctx.viewer, ctx.clock, [item.id], retired_too=True))[item.id]
    return gql.MallItemPayload(item=view, errors=[])


async def create_mall_item(ctx: RequestContext, data: gql.CreateMallItemInput) -> gql.MallItemPayload:
    try:
        draft = ItemDraft(
            name=data.name, band=data.band.value, kind=data.kind.value, points_price=data.points_price,
            description=data.description, image_url=data.image_url, cash_fen=catalogue.fen_from_yuan(data.cash_price),
            stock=data.stock, stock_buckets=data.stock_buckets, per_member_limit=data.per_member_limit,
            limit_period=LimitPeriod(data.limit_period.value), eligible_tiers=tuple(data.eligible_tiers),
            store_ids=tuple(_store_pks(data.store_ids)), available_from=data.available_from,
            available_until=data.available_until,
        )
        item = await catalogue.create_item(ctx.viewer, draft, idempotency_key=data.idempotency_key, clock=ctx.clock)
    except DomainError as exc:
        return gql.MallItemPayload(item=None, errors=_errors(exc))
    return await _item_payload(ctx, item)


def _store_pks(global_ids: list[str]) -> list[int]:
    try:
        return [pk_of(s, "Store") for s in global_ids]
    except InvalidGlobalId:
        raise DomainMallError(DomainCode.INVALID_ID, "That store ID is not valid here.", field="storeIds") from None


def _changes(data: gql.UpdateMallItemInput) -> dict[str, Any]:
    """Given fields only; null clears the nullable ones and is ignored for the others."""
    given = {name: value for name, value in vars(data).items() if name != "id" and value is not strawberry.UNSET}
    nullable = {"image_url", "per_member_limit", "available_until"}
    changes: dict[str, Any] = {}
    for name, value in given.items():
        if value is None and name not in nullable:
            continue
        if name in ("band", "kind", "limit_period"):
            value = value.value
        elif name == "cash_price":
            name, value = "cash_fen", catalogue.fen_from_yuan(value)
        elif name == "store_ids":
            value = _store_pks(value)
        changes[name] = value
    return changes


async def update_mall_item(ctx: RequestContext, data: gql.UpdateMallItemInput) -> gql.MallItemPayload:
    try:
        item_id = pk_of(data.id, "MallItem")
    except InvalidGlobalId:
        return gql.MallItemPayload(item=None, errors=_invalid("id"))
    try:
        item = await catalogue.update_item(ctx.viewer, item_id, _changes(data), clock=ctx.clock)
    except DomainError as exc:
        return gql.MallItemPayload(item=None, errors=_errors(exc))
    return await _item_payload(ctx, item)


async def retire_mall_item(ctx: RequestContext, data: gql.RetireMallItemInput) -> gql.MallItemPayload:
    try:
        item = await catalogue.retire_item(ctx.viewer, pk_of(data.id, "MallItem"), clock=ctx.clock)
    except InvalidGlobalId:
        return gql.MallItemPayload(item=None, errors=_invalid("id"))
    except DomainError as exc:
        return gql.MallItemPayload(item=None, errors=_errors(exc))
    return await _item_payload(ctx, item)


async def restock_mall_item(ctx: RequestContext, data: gql.RestockMallItemInput) -> gql.MallItemPayload:
    try:
        item = await catalogue.restock_item(
            ctx.viewer, pk_of(data.item_id, "MallItem"), data.quantity, idempotency_key=data.idempotency_key, clock=ctx.clock
        )
    except InvalidGlobalId:
        return gql.MallItemPayload(item=None, errors=_invalid("itemId"))
    except DomainError as exc:
        return gql.MallItemPayload(item=None, errors=_errors(exc))
    return await _item_payload(ctx, item)


# ---- price rules and settings ---------------------------------------------------------------


async def mall_price_rules(ctx: RequestContext) -> list[gql.MallPriceRule]:
    return [rule_view(rule) for rule in await price_rules.all_rules()]


async def create_mall_price_rule(ctx: RequestContext, data: gql.CreateMallPriceRuleInput) -> gql.MallPriceRulePayload:
    try:
        rule = await price_rules.create_rule(
            ctx.viewer, code=data.code, name=data.name, kind=RuleKind(data.kind.value), percent=data.percent,
            bands=[b.value for b in data.bands], day_of_month=data.day_of_month, date_from=data.date_from,
            date_to=data.date_to, clock=ctx.clock,
        )
    except DomainError as exc:
        return gql.MallPriceRulePayload(rule=None, errors=_errors(exc))
    return gql.MallPriceRulePayload(rule=rule_view(rule), errors=[])


async def retire_mall_price_rule(ctx: RequestContext, data: gql.RetireMallPriceRuleInput) -> gql.MallPriceRulePayload:
    try:
        rule = await price_rules.retire_rule(ctx.viewer, pk_of(data.id, "MallPriceRule"))
    except InvalidGlobalId:
        return gql.MallPriceRulePayload(rule=None, errors=_invalid("id"))
    except DomainError as exc:
        return gql.MallPriceRulePayload(rule=None, errors=_errors(exc))
    return gql.MallPriceRulePayload(rule=rule_view(rule), errors=[])


async def mall_settings_view() -> gql.MallSettings:
    return gql.MallSettings(**await mall_settings.current())


async def update_mall_settings(ctx: RequestContext, data: gql.UpdateMallSettingsInput) -> gql.UpdateMallSettingsPayload:
    changes = {key: getattr(data, key) for key in mall_settings.DEFAULTS if getattr(data, key) is not None}
    try:
        values = await mall_settings.update(changes)
    except DomainError as exc:
        return gql.UpdateMallSettingsPayload(settings=None, errors=_errors(exc))
    return gql.UpdateMallSettingsPayload(settings=gql.MallSettings(**values), errors=[])


# ---- redemptions ----------------------------------------------------------------------------


def _redeem_failed(errors: list[gql.MallError]) -> gql.RedeemMallItemPayload:
    return gql.RedeemMallItemPayload(redemption=None, member=None, replayed=False, errors=errors)


async def redeem_mall_item(ctx: RequestContext, data: gql.RedeemMallItemInput) -> gql.RedeemMallItemPayload:
    try:
        item_id = pk_of(data.item_id, "MallItem")
    except InvalidGlobalId:
        return _redeem_failed(_invalid("itemId"))
    try:
        store_id = _optional_pk(data.store_id, "Store")
    except InvalidGlobalId:
        return _redeem_failed(_invalid("storeId"))
    request = RedeemRequest(
        item_id=item_id, quantity=data.quantity, idempotency_key=data.idempotency_key, store_id=store_id,
        member_code=data.member_code,
    )
    try:
        outcome = await redeem(ctx.viewer, request, clock=ctx.clock)
    except DomainError as exc:
        return _redeem_failed(_errors(exc))
    redemption = outcome.redemption
    if outcome.member_after is not None:
        member = member_as_written(ctx, outcome.member_after)
    else:  # a replay, or an item that cost no points
        member = await member_after_write(ctx, redemption.member_id)  # type: ignore[attr-defined]
    return gql.RedeemMallItemPayload(redemption=redemption_view(redemption), member=member, replayed=outcome.replayed, errors=[])


async def fulfill_redemption(ctx: RequestContext, data: gql.FulfillRedemptionInput) -> gql.FulfillRedemptionPayload:
    try:
        store_id = pk_of(data.store_id, "Store")
    except InvalidGlobalId:
        return gql.FulfillRedemptionPayload(redemption=None, errors=_invalid("storeId"))
    try:
        redemption = await writeoff.fulfil(ctx.viewer, data.code, store_id, clock=ctx.clock)
    except DomainMallError as exc:
        shown = redemption_view(exc.redemption) if exc.redemption is not None else None
        return gql.FulfillRedemptionPayload(redemption=shown, errors=_errors(exc))
    except DomainError as exc:
        return gql.FulfillRedemptionPayload(redemption=None, errors=_errors(exc))
    return gql.FulfillRedemptionPayload(redemption=redemption_view(redemption), errors=[])


async def cancel_redemption(ctx: RequestContext, data: gql.CancelRedemptionInput) -> gql.CancelRedemptionPayload:
    try:
        redemption_id = pk_of(data.redemption_id, "Redemption")
    except InvalidGlobalId:
        return gql.CancelRedemptionPayload(redemption=None, member=None, errors=_invalid("redemptionId"))
    try:
        redemption = await cancellation.cancel(
            ctx.viewer, redemption_id, data.reason, idempotency_key=data.idempotency_key, clock=ctx.clock
        )
    except DomainMallError as exc:
        shown = redemption_view(exc.redemption) if exc.redemption is not None else None
        return gql.CancelRedemptionPayload(redemption=shown, member=None, errors=_errors(exc))
    except DomainError as exc:
        return gql.CancelRedemptionPayload(redemption=None, member=None, errors=_errors(exc))
    return gql.CancelRedemptionPayload(
        redemption=redemption_view(redemption),
        member=await member_after_write(ctx, redemption.member_id), errors=[],  # type: ignore[attr-defined]
    )


async def expire_redemptions(ctx: RequestContext) -> gql.ExpireRedemptionsPayload:
    if not ctx.viewer.is_chain_admin:
        raise AccessDenied("Only a chain admin runs the redemption expiry sweep.")
    return gql.ExpireRedemptionsPayload(expired=await cancellation.expire_overdue(clock=ctx.clock), errors=[])


def _status(filter: Any) -> str | None:
    return filter.status.value if filter is not None and filter.status is not None else None


async def member_redemptions(ctx: RequestContext, member_pk: int, first, after, filter) -> Connection[gql.Redemption]:
    page = await history.of_member(ctx.viewer, member_pk, _status(filter), page_request(first, after))
    return connection_from_page(page, redemption_view)


async def store_redemptions(ctx: RequestContext, filter: gql.StoreRedemptionFilter | None, first, after) -> Connection[gql.Redemption]:
    store_id = _optional_pk(filter.store_id, "Store") if filter is not None else None
    page = await history.of_stores(ctx.viewer, store_id, _status(filter), page_request(first, after))
    return connection_from_page(page, redemption_view)


async def redemption_by_code(ctx: RequestContext, code: str) -> gql.Redemption | None:
    found = await history.by_code(ctx.viewer, code)
    return redemption_view(found) if found else None


async def price_rules_by_ids(viewer: Viewer, ids: list[int]) -> dict[int, gql.MallPriceRule]:
    if not viewer.is_staff:
        return {}
    return {rule.id: rule_view(rule) for rule in await price_rules.all_rules() if rule.id in ids}
