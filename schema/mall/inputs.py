"""Mall inputs and filters."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from schema.mall.types import LimitPeriod, MallBand, MallItemKind, MallItemSortField, MallPriceRuleKind, RedemptionStatus
from schema.relay import SortDirection
from schema.scalars import MoneyInput


@strawberry.input
class MallItemFilter:
    band: MallBand | None = None
    kind: MallItemKind | None = None
    affordable: bool = strawberry.field(default=False, description="Only what the signed-in member can pay for now.")
    eligible_for_me: bool = strawberry.field(default=False, description="Only what the signed-in member's tier may redeem.")
    new_only: bool = False
    store_id: strawberry.ID | None = strawberry.field(default=None, description="Collectable there; prices use its day.")
    include_unavailable: bool = strawberry.field(default=False, description="Staff: retired, upcoming and ended items too.")


@strawberry.input
class MallItemSort:
    field: MallItemSortField = MallItemSortField.AVAILABLE_FROM
    direction: SortDirection = SortDirection.DESC


@strawberry.input
class RedemptionFilter:
    status: RedemptionStatus | None = None


@strawberry.input
class StoreRedemptionFilter:
    status: RedemptionStatus | None = None
    store_id: strawberry.ID | None = strawberry.field(default=None, description="Chain admins: one store.")


@strawberry.input
class CreateMallItemInput:
    name: str
    band: MallBand
    kind: MallItemKind
    points_price: int
    description: str = ""
    image_url: str | None = None
    cash_price: str | None = strawberry.field(
        default=None, description="Yuan as a decimal string, e.g. \"10.00\".", deprecation_reason="Use cashPriceMoney."
    )
    cash_price_money: MoneyInput | None = strawberry.field(default=None, description="The cash part of a points + cash price.")
    stock: int | None = strawberry.field(default=None, description="null: unlimited.")
    stock_buckets: int = 1
    per_member_limit: int | None = None
    limit_period: LimitPeriod = LimitPeriod.LIFETIME
    eligible_tiers: list[str] = strawberry.field(default_factory=list)
    store_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    available_from: datetime | None = strawberry.field(default=None, description="Default: now.")
    available_until: datetime | None = None
    idempotency_key: str | None = None


@strawberry.input(description="Only the fields given change; null clears imageUrl, perMemberLimit and availableUntil.")
class UpdateMallItemInput:
    id: strawberry.ID
    name: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    image_url: str | None = strawberry.UNSET
    band: MallBand | None = strawberry.UNSET
    kind: MallItemKind | None = strawberry.UNSET
    points_price: int | None = strawberry.UNSET
    cash_price: str | None = strawberry.field(default=strawberry.UNSET, deprecation_reason="Use cashPriceMoney.")
    cash_price_money: MoneyInput | None = strawberry.UNSET
    stock_buckets: int | None = strawberry.field(default=strawberry.UNSET, description="The stock is spread anew over them.")
    per_member_limit: int | None = strawberry.UNSET
    limit_period: LimitPeriod | None = strawberry.UNSET
    eligible_tiers: list[str] | None = strawberry.UNSET
    store_ids: list[strawberry.ID] | None = strawberry.UNSET
    available_from: datetime | None = strawberry.UNSET
    available_until: datetime | None = strawberry.UNSET


@strawberry.input
class RetireMallItemInput:
    id: strawberry.ID


@strawberry.input
class RestockMallItemInput:
    item_id: strawberry.ID
    quantity: int
    idempotency_key: str


@strawberry.input
class CreateMallPriceRuleInput:
    code: str
    name: str
    kind: MallPriceRuleKind
    percent: int
    bands: list[MallBand] = strawberry.field(default_factory=list)
    day_of_month: int | None = None
    date_from: date | None = None
    date_to: date | None = None


@strawberry.input
class RetireMallPriceRuleInput:
    id: strawberry.ID


@strawberry.input
class UpdateMallSettingsInput:
    redemption_valid_hours: int | None = None
    redeem_attempts_per_window: int | None = None
    redeem_window_seconds: int | None = None
    new_item_days: int | None = None


@strawberry.input
class RedeemMallItemInput:
    item_id: strawberry.ID
    quantity: int = 1
    store_id: strawberry.ID | None = strawberry.field(default=None, description="Where to collect; staff and devices: their store.")
    member_code: str | None = strawberry.field(default=None, description="Kiosks and clerks: the scanned code. Ignored for a member.")
    idempotency_key: str


@strawberry.input
class FulfillRedemptionInput:
    code: str = strawberry.field(description="The redemption code or the scanned QR payload.")
    store_id: strawberry.ID


@strawberry.input
class CancelRedemptionInput:
    redemption_id: strawberry.ID
    reason: str
    idempotency_key: str


@strawberry.input
class ExpireRedemptionsInput:
    note: str | None = None
