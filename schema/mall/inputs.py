"""Mall inputs and filters."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from schema.mall.types import LimitPeriod, MallBand, MallItemKind, MallItemSortField, MallPriceRuleKind, RedemptionStatus
from schema.relay import SortDirection
from schema.scalars import MoneyInput


@strawberry.input(description="Narrows mallItems; every condition set must hold. affordable and eligibleForMe need a signed-in member.")
class MallItemFilter:
    band: MallBand | None = strawberry.field(default=None, description="Only this band; null: every band.")
    kind: MallItemKind | None = strawberry.field(default=None, description="Only this kind; null: every kind.")
    affordable: bool = strawberry.field(default=False, description="Only what the signed-in member can pay for now.")
    eligible_for_me: bool = strawberry.field(default=False, description="Only what the signed-in member's tier may redeem.")
    new_only: bool = strawberry.field(default=False, description="Only items that are new (isNew).")
    store_id: strawberry.ID | None = strawberry.field(default=None, description="Collectable there; prices use its day.")
    include_unavailable: bool = strawberry.field(default=False, description="Staff: retired, upcoming and ended items too.")


@strawberry.input(description="The order of mallItems.")
class MallItemSort:
    field: MallItemSortField = strawberry.field(default=MallItemSortField.AVAILABLE_FROM, description="What to order by.")
    direction: SortDirection = strawberry.field(default=SortDirection.DESC, description="Ascending or descending; default descending.")


@strawberry.input(description="Narrows a member's redemptions.")
class RedemptionFilter:
    status: RedemptionStatus | None = strawberry.field(default=None, description="Only redemptions in this status; null: all.")


@strawberry.input(description="Narrows a store's redemptions.")
class StoreRedemptionFilter:
    status: RedemptionStatus | None = strawberry.field(default=None, description="Only redemptions in this status; null: all.")
    store_id: strawberry.ID | None = strawberry.field(default=None, description="Chain admins: one store.")


@strawberry.input(description="A new mall item.")
class CreateMallItemInput:
    name: str = strawberry.field(description="At most 120 characters (INVALID_NAME).")
    band: MallBand = strawberry.field(description="Its price band.")
    kind: MallItemKind = strawberry.field(description="What it is.")
    points_price: int = strawberry.field(description="The list price in points, 0 to 10,000,000 (INVALID_PRICE).")
    description: str = strawberry.field(default="", description="What the member gets, up to 2,000 characters, line breaks allowed.")
    image_url: str | None = strawberry.field(default=None, description="An http(s) address of its picture (INVALID_IMAGE_URL).")
    cash_price: str | None = strawberry.field(
        default=None, description="Yuan as a decimal string, e.g. \"10.00\".", deprecation_reason="Use cashPriceMoney."
    )
    cash_price_money: MoneyInput | None = strawberry.field(default=None, description="The cash part of a points + cash price.")
    cost_money: MoneyInput | None = strawberry.field(
        default=None, description="What one unit costs the chain, for the points cost rate; null: its points at face value."
    )
    stock: int | None = strawberry.field(default=None, description="null: unlimited.")
    stock_buckets: int = strawberry.field(
        default=1, description="Rows to spread the stock over, 1 to 64 (INVALID_BUCKETS); more for items expected to rush."
    )
    per_member_limit: int | None = strawberry.field(
        default=None, description="Units one member may redeem per limitPeriod, 1 to 10,000; null: no limit."
    )
    limit_period: LimitPeriod = strawberry.field(default=LimitPeriod.LIFETIME, description="The period perMemberLimit counts over.")
    eligible_tiers: list[str] = strawberry.field(
        default_factory=list, description="Tier codes that may redeem it; empty: every tier (INVALID_TIER)."
    )
    store_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Stores where it can be collected; empty: every store (STORE_NOT_FOUND)."
    )
    available_from: datetime | None = strawberry.field(default=None, description="Default: now.")
    available_until: datetime | None = strawberry.field(
        default=None, description="When it stops being redeemable, after availableFrom (INVALID_WINDOW); null: no end."
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="Optional, made by the client: a retry with it returns the first item instead of a second."
    )


@strawberry.input(description="Only the fields given change; null clears imageUrl, perMemberLimit and availableUntil.")
class UpdateMallItemInput:
    id: strawberry.ID = strawberry.field(description="The item's global ID (ITEM_NOT_FOUND).")
    name: str | None = strawberry.field(default=strawberry.UNSET, description="A new name, at most 120 characters.")
    description: str | None = strawberry.field(default=strawberry.UNSET, description="A new description, up to 2,000 characters.")
    image_url: str | None = strawberry.field(default=strawberry.UNSET, description="A new http(s) picture address; null removes it.")
    band: MallBand | None = strawberry.field(default=strawberry.UNSET, description="A new price band.")
    kind: MallItemKind | None = strawberry.field(default=strawberry.UNSET, description="A new kind.")
    points_price: int | None = strawberry.field(default=strawberry.UNSET, description="A new list price in points, 0 to 10,000,000.")
    cash_price: str | None = strawberry.field(
        default=strawberry.UNSET, description="A new cash part in yuan as a decimal string, e.g. \"10.00\".",
        deprecation_reason="Use cashPriceMoney.",
    )
    cash_price_money: MoneyInput | None = strawberry.field(default=strawberry.UNSET, description="A new cash part of the price.")
    cost_money: MoneyInput | None = strawberry.field(
        default=strawberry.UNSET, description="A new unit cost to the chain; null: count its points at face value."
    )
    stock_buckets: int | None = strawberry.field(default=strawberry.UNSET, description="The stock is spread anew over them.")
    per_member_limit: int | None = strawberry.field(
        default=strawberry.UNSET, description="A new per-member limit, 1 to 10,000; null removes it."
    )
    limit_period: LimitPeriod | None = strawberry.field(default=strawberry.UNSET, description="A new period for the per-member limit.")
    eligible_tiers: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="New tier codes that may redeem it; empty: every tier."
    )
    store_ids: list[strawberry.ID] | None = strawberry.field(
        default=strawberry.UNSET, description="New collecting stores; empty: every store."
    )
    available_from: datetime | None = strawberry.field(
        default=strawberry.UNSET, description="A new start of availability, ISO 8601 with offset."
    )
    available_until: datetime | None = strawberry.field(default=strawberry.UNSET, description="A new end of availability; null: no end.")


@strawberry.input(description="The item to take out of the mall.")
class RetireMallItemInput:
    id: strawberry.ID = strawberry.field(description="The item's global ID (ITEM_NOT_FOUND, ALREADY_RETIRED).")


@strawberry.input(description="Units to add to a stock-limited item.")
class RestockMallItemInput:
    item_id: strawberry.ID = strawberry.field(
        description="The item's global ID (ITEM_NOT_FOUND; STOCK_UNLIMITED when its stock is unlimited)."
    )
    quantity: int = strawberry.field(description="Units added, at least 1; the stock stays at most 10,000,000 (INVALID_STOCK).")
    idempotency_key: str = strawberry.field(
        description="Made by the client, 1 to 255 characters: a retry with it answers the first result again without a second effect."
    )


@strawberry.input(description="A new mall price rule: SEASONAL with dateFrom and dateTo, or MEMBER_DAY with dayOfMonth (INVALID_RULE).")
class CreateMallPriceRuleInput:
    code: str = strawberry.field(description="A unique code of 2 to 40 letters, digits, dashes or underscores (CODE_TAKEN).")
    name: str = strawberry.field(description="A name members see in the price reasons, at most 120 characters.")
    kind: MallPriceRuleKind = strawberry.field(description="A season or a member day.")
    percent: int = strawberry.field(description="-100 to +500, not 0: +20 raises the points price by 20 percent, -20 lowers it.")
    bands: list[MallBand] = strawberry.field(default_factory=list, description="The bands it applies to; empty: every band.")
    day_of_month: int | None = strawberry.field(default=None, description="For MEMBER_DAY: the day, 1 to 31.")
    date_from: date | None = strawberry.field(default=None, description="For SEASONAL: the first store-local date.")
    date_to: date | None = strawberry.field(
        default=None, description="For SEASONAL: the last store-local date, inclusive, not before dateFrom."
    )


@strawberry.input(description="The price rule to stop.")
class RetireMallPriceRuleInput:
    id: strawberry.ID = strawberry.field(description="The rule's global ID (RULE_NOT_FOUND).")


@strawberry.input(description="New values for the mall's settings; a null or missing field keeps its value (OUT_OF_RANGE).")
class UpdateMallSettingsInput:
    redemption_valid_hours: int | None = strawberry.field(default=None, description="Hours a redemption waits to be collected, 1 to 8,760.")
    redeem_attempts_per_window: int | None = strawberry.field(
        default=None, description="Redemptions with new keys one member may start per window, 1 to 10,000."
    )
    redeem_window_seconds: int | None = strawberry.field(default=None, description="The length of that window in seconds, 1 to 3,600.")
    new_item_days: int | None = strawberry.field(default=None, description="Days an item counts as new, 0 to 90.")


@strawberry.input(description="What to redeem, for whom and where to collect it.")
class RedeemMallItemInput:
    item_id: strawberry.ID = strawberry.field(description="The item's global ID (ITEM_NOT_FOUND).")
    quantity: int = strawberry.field(default=1, description="Units, 1 to 99 (INVALID_QUANTITY).")
    store_id: strawberry.ID | None = strawberry.field(default=None, description="Where to collect; staff and devices: their store.")
    member_code: str | None = strawberry.field(default=None, description="Kiosks and clerks: the scanned code. Ignored for a member.")
    idempotency_key: str = strawberry.field(
        description="Made by the client, 1 to 255 characters: a retry with it answers the first result again without a second effect."
    )


@strawberry.input(description="A redemption handed out at a counter.")
class FulfillRedemptionInput:
    code: str = strawberry.field(description="The redemption code or the scanned QR payload.")
    store_id: strawberry.ID = strawberry.field(
        description="The store handing it out, the caller's own for staff and devices (WRONG_STORE: the redemption is collected elsewhere)."
    )


@strawberry.input(description="A pending redemption to cancel: by its member, its store's staff or a chain admin.")
class CancelRedemptionInput:
    redemption_id: strawberry.ID = strawberry.field(description="The redemption's global ID (REDEMPTION_NOT_FOUND).")
    reason: str = strawberry.field(description="Why, kept with the redemption (REASON_REQUIRED).")
    idempotency_key: str = strawberry.field(
        description="Made by the client, 1 to 255 characters: a retry with it answers the first result again without a second effect."
    )


@strawberry.input(description="Runs the redemption expiry now.")
class ExpireRedemptionsInput:
    note: str | None = strawberry.field(default=None, description="Free text; not stored.")
