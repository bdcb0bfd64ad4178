"""Earning inputs."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import strawberry

from schema.earning.types import PurchaseChannel, Stacking
from schema.scalars import MoneyInput


@strawberry.input
class PurchaseLineInput:
    sku: str
    category: str = strawberry.field(description="IMPORTED_FRUIT, DOMESTIC_FRUIT, FRESH_CUT, GIFT_BOX, ...")
    quantity: int
    unit_price: str | None = strawberry.field(
        default=None, description="Yuan as a decimal string, e.g. \"12.50\".", deprecation_reason="Use unitPriceMoney."
    )
    unit_price_money: MoneyInput | None = strawberry.field(default=None, description="The price of one unit.")


@strawberry.input
class RecordPurchaseInput:
    member_code: str
    store_id: strawberry.ID
    channel: PurchaseChannel
    lines: list[PurchaseLineInput]
    client_txn_id: str = strawberry.field(description="The till's id for the sale: a retry with it changes nothing.")
    occurred_at: datetime | None = None
    points_to_redeem: int = 0


@strawberry.input
class SubmitPurchaseBatchInput:
    purchases: list[RecordPurchaseInput]


@strawberry.input
class ReturnLineInput:
    line_no: int
    quantity: int


@strawberry.input
class ReturnPurchaseInput:
    purchase_id: strawberry.ID
    lines: list[ReturnLineInput] | None = strawberry.field(default=None, description="null returns everything left.")
    idempotency_key: str


@strawberry.input
class CheckInInput:
    note: str | None = None
    idempotency_key: str | None = strawberry.field(
        default=None, description="Made by the client: a retry with it answers the first check-in again (replayed)."
    )


@strawberry.input
class SubmitReviewInput:
    purchase_line_id: strawberry.ID
    rating: int
    text: str
    idempotency_key: str | None = strawberry.field(
        default=None, description="Made by the client: a retry with it answers the first review again (replayed)."
    )


@strawberry.input
class AdjustPointsInput:
    member_id: strawberry.ID
    amount: int = strawberry.field(description="Signed points.")
    reason: str
    idempotency_key: str


@strawberry.input
class ExpirePointsInput:
    note: str | None = None


@strawberry.input
class SetEarnRateInput:
    category: str = strawberry.field(description="A category code, or * for the default rate.")
    points_per_yuan: Decimal
    effective_from: datetime | None = strawberry.field(default=None, description="Default now; a cut needs notice.")


@strawberry.input
class CampaignConditionsInput:
    date_from: date | None = None
    date_to: date | None = None
    day_of_month: int | None = None
    weekdays: list[int] | None = None
    channels: list[PurchaseChannel] | None = None
    categories: list[str] | None = None
    tiers: list[str] | None = None
    birthday_month: bool = False
    first_order: bool = False
    store_flag: str | None = None


@strawberry.input
class CreateCampaignInput:
    code: str
    name: str
    multiplier: Decimal | None = None
    bonus_points: int | None = None
    stacking: Stacking = Stacking.BEST_OF
    conditions: CampaignConditionsInput = strawberry.field(default_factory=CampaignConditionsInput)
    cap_per_member_per_day: int | None = None
    cap_per_member: int | None = strawberry.field(default=None, description="Extra points one member may get from the whole campaign.")
    budget: int | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None


@strawberry.input
class EndCampaignInput:
    id: strawberry.ID
    ends_at: datetime | None = strawberry.field(default=None, description="Default: the earliest the notice period allows.")


@strawberry.input
class SetStoreFlagInput:
    store_id: strawberry.ID
    flag: str = strawberry.field(description="e.g. RAINY_DAY")
    date: date | None = strawberry.field(default=None, description="The store's local date; default today.")
    on: bool = True
