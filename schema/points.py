"""Points: purchases, the ledger as members see it, behaviour points, adjustments and earning rules."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum

import strawberry
from strawberry.types import Info

from schema.members.types import Member
from schema.relay import Node, maybe, to_global_id
from schema.scalars import Money
from schema.stores.types import Store


@strawberry.enum
class PurchaseChannel(Enum):
    IN_STORE = "IN_STORE"
    ONLINE = "ONLINE"
    DELIVERY = "DELIVERY"


@strawberry.enum
class PurchaseStatus(Enum):
    COMPLETED = "COMPLETED"
    HELD = "HELD"
    PARTIALLY_RETURNED = "PARTIALLY_RETURNED"
    RETURNED = "RETURNED"


@strawberry.type
class PurchaseLine:
    line_no: int
    sku: str
    category: str
    quantity: int
    unit_price: Money
    points: int = strawberry.field(description="Purchase points of the line (campaign extras are separate entries).")
    returned_quantity: int


@strawberry.type
class Purchase(Node):
    channel: PurchaseChannel
    occurred_at: datetime
    recorded_at: datetime
    total: Money
    cash_offset: Money = strawberry.field(description="The part of the total paid with points.")
    points_redeemed: int
    points_earned: int
    status: PurchaseStatus
    held_reason: str | None
    client_txn_id: str
    store_pk: strawberry.Private[int]
    pk: strawberry.Private[int]

    @strawberry.field
    async def store(self, info: Info) -> Store | None:
        return maybe(Store.from_model, await info.context.loaders.public_store.load(self.store_pk))

    @strawberry.field
    async def lines(self, info: Info) -> list[PurchaseLine]:
        return await info.context.loaders.purchase_lines.load(self.pk)

    @classmethod
    def from_model(cls, purchase) -> Purchase:
        return cls(
            id=strawberry.ID(to_global_id("Purchase", purchase.id)), channel=PurchaseChannel(purchase.channel),
            occurred_at=purchase.occurred_at, recorded_at=purchase.recorded_at,
            total=Money.from_minor(purchase.total_fen), cash_offset=Money.from_minor(purchase.cash_offset_fen),
            points_redeemed=purchase.points_redeemed, points_earned=purchase.points_earned,
            status=PurchaseStatus(purchase.status), held_reason=purchase.held_reason,
            client_txn_id=purchase.client_txn_id, store_pk=purchase.store_id, pk=purchase.id,
        )


# ---- errors ---------------------------------------------------------------------------------


@strawberry.enum
class PointsErrorCode(Enum):
    INVALID_ID = "INVALID_ID"
    TOO_LONG = "TOO_LONG"
    INVALID_MEMBER_CODE = "INVALID_MEMBER_CODE"
    MEMBER_NOT_FOUND = "MEMBER_NOT_FOUND"
    STORE_NOT_FOUND = "STORE_NOT_FOUND"
    PURCHASE_NOT_FOUND = "PURCHASE_NOT_FOUND"
    PURCHASE_HELD = "PURCHASE_HELD"
    LINE_NOT_FOUND = "LINE_NOT_FOUND"
    EMPTY_PURCHASE = "EMPTY_PURCHASE"
    TOO_MANY_LINES = "TOO_MANY_LINES"
    TOO_MANY_PURCHASES = "TOO_MANY_PURCHASES"
    INVALID_QUANTITY = "INVALID_QUANTITY"
    INVALID_PRICE = "INVALID_PRICE"
    INVALID_SKU = "INVALID_SKU"
    INVALID_CATEGORY = "INVALID_CATEGORY"
    INVALID_CHANNEL = "INVALID_CHANNEL"
    INVALID_OCCURRED_AT = "INVALID_OCCURRED_AT"
    INVALID_POINTS = "INVALID_POINTS"
    INVALID_AMOUNT = "INVALID_AMOUNT"
    INVALID_CLIENT_TXN_ID = "INVALID_CLIENT_TXN_ID"
    CLIENT_TXN_ID_REUSED = "CLIENT_TXN_ID_REUSED"
    INSUFFICIENT_POINTS = "INSUFFICIENT_POINTS"
    BALANCE_LIMIT_EXCEEDED = "BALANCE_LIMIT_EXCEEDED"
    NOT_RECORDED = "NOT_RECORDED"
    REASON_REQUIRED = "REASON_REQUIRED"
    ALREADY_CHECKED_IN = "ALREADY_CHECKED_IN"
    ALREADY_REVIEWED = "ALREADY_REVIEWED"
    INVALID_RATING = "INVALID_RATING"
    INVALID_TEXT = "INVALID_TEXT"
    INVALID_RATE = "INVALID_RATE"
    INVALID_CAMPAIGN = "INVALID_CAMPAIGN"
    CODE_TAKEN = "CODE_TAKEN"
    NOTICE_PERIOD = "NOTICE_PERIOD"
    CAMPAIGN_NOT_FOUND = "CAMPAIGN_NOT_FOUND"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    INVALID_IDEMPOTENCY_KEY = "INVALID_IDEMPOTENCY_KEY"
    IN_PROGRESS = "IN_PROGRESS"
    TRY_AGAIN = "TRY_AGAIN"


@strawberry.type
class PointsError:
    code: PointsErrorCode
    field: str | None
    message: str


# ---- purchases ------------------------------------------------------------------------------


@strawberry.input
class PurchaseLineInput:
    sku: str
    category: str = strawberry.field(description="IMPORTED_FRUIT, DOMESTIC_FRUIT, FRESH_CUT, GIFT_BOX, ...")
    quantity: int
    unit_price: str = strawberry.field(description="Yuan as a decimal string, e.g. \"12.50\".")


@strawberry.input
class RecordPurchaseInput:
    member_code: str
    store_id: strawberry.ID
    channel: PurchaseChannel
    lines: list[PurchaseLineInput]
    client_txn_id: str = strawberry.field(description="The till's id for the sale: a retry with it changes nothing.")
    occurred_at: datetime | None = None
    points_to_redeem: int = 0


@strawberry.type
class RecordPurchasePayload:
    purchase: Purchase | None
    member: Member | None
    replayed: bool = strawberry.field(description="True when this answers a retry of an earlier request.")
    errors: list[PointsError]


@strawberry.input
class SubmitPurchaseBatchInput:
    purchases: list[RecordPurchaseInput]


@strawberry.type
class SubmitPurchaseBatchPayload:
    results: list[RecordPurchasePayload] = strawberry.field(description="One per submitted purchase, in input order.")
    errors: list[PointsError]


@strawberry.input
class ReturnLineInput:
    line_no: int
    quantity: int


@strawberry.input
class ReturnPurchaseInput:
    purchase_id: strawberry.ID
    lines: list[ReturnLineInput] | None = strawberry.field(default=None, description="null returns everything left.")
    idempotency_key: str


@strawberry.type
class ReturnPurchasePayload:
    purchase: Purchase | None
    member: Member | None
    errors: list[PointsError]


# ---- behaviour ------------------------------------------------------------------------------


@strawberry.input
class CheckInInput:
    note: str | None = None
    idempotency_key: str | None = strawberry.field(
        default=None, description="Made by the client: a retry with it answers the first check-in again (replayed)."
    )


@strawberry.type
class CheckInPayload:
    points_awarded: int
    streak_days: int
    member: Member | None
    replayed: bool = strawberry.field(description="True when this answers an earlier request with the same key.")
    errors: list[PointsError]


@strawberry.input
class SubmitReviewInput:
    purchase_line_id: strawberry.ID
    rating: int
    text: str
    idempotency_key: str | None = strawberry.field(
        default=None, description="Made by the client: a retry with it answers the first review again (replayed)."
    )


@strawberry.type
class SubmitReviewPayload:
    points_awarded: int
    replayed: bool = strawberry.field(description="True when this answers an earlier request with the same key.")
    errors: list[PointsError]


# ---- adjustments, expiry ----------------------------------------------------------------------


@strawberry.input
class AdjustPointsInput:
    member_id: strawberry.ID
    amount: int = strawberry.field(description="Signed points.")
    reason: str
    idempotency_key: str


@strawberry.type
class AdjustPointsPayload:
    member: Member | None
    balance_before: int | None
    balance_after: int | None
    errors: list[PointsError]


@strawberry.input
class ExpirePointsInput:
    note: str | None = None


@strawberry.type
class ExpirePointsPayload:
    expired_lots: int
    reminders_sent: int
    errors: list[PointsError]


# ---- rules -------------------------------------------------------------------------------------


@strawberry.input
class SetEarnRateInput:
    category: str = strawberry.field(description="A category code, or * for the default rate.")
    points_per_yuan: Decimal
    effective_from: datetime | None = strawberry.field(default=None, description="Default now; a cut needs notice.")


@strawberry.type
class EarnRate:
    category: str
    points_per_yuan: Decimal
    effective_from: datetime


@strawberry.type
class SetEarnRatePayload:
    rate: EarnRate | None
    errors: list[PointsError]


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


@strawberry.enum
class Stacking(Enum):
    BEST_OF = "BEST_OF"
    MULTIPLY = "MULTIPLY"


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


@strawberry.type
class Campaign(Node):
    code: str
    name: str
    multiplier: Decimal | None
    bonus_points: int | None
    stacking: Stacking
    cap_per_member_per_day: int | None
    cap_per_member: int | None
    budget: int | None
    given_total: int
    starts_at: datetime
    ends_at: datetime | None
    announced_at: datetime


@strawberry.type
class CampaignPayload:
    campaign: Campaign | None
    errors: list[PointsError]


@strawberry.input
class EndCampaignInput:
    id: strawberry.ID
    ends_at: datetime | None = strawberry.field(default=None, description="Default: the earliest the notice period allows.")


@strawberry.type(description="A rule change members will see before it applies.")
class RuleChange:
    description: str
    effective_from: datetime
    announced_at: datetime
    reduces_earning: bool


@strawberry.input
class SetStoreFlagInput:
    store_id: strawberry.ID
    flag: str = strawberry.field(description="e.g. RAINY_DAY")
    date: date | None = strawberry.field(default=None, description="The store's local date; default today.")
    on: bool = True


@strawberry.type
class SetStoreFlagPayload:
    flags: list[str]
    errors: list[PointsError]
