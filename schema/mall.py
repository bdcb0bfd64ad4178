"""The points mall: items with the viewer's price, redemptions, price rules, and their payloads."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum

import strawberry
from strawberry.types import Info

from domain.mall.errors import MallErrorCode as DomainMallErrorCode
from schema.members.types import Member
from schema.relay import Node, SortDirection, maybe
from schema.scalars import Money
from schema.stores.types import Store


@strawberry.enum
class MallBand(Enum):
    LOW = "LOW"
    MIDDLE = "MIDDLE"
    HIGH = "HIGH"


@strawberry.enum
class MallItemKind(Enum):
    PHYSICAL = "PHYSICAL"
    FRESH_CUT = "FRESH_CUT"
    SERVICE = "SERVICE"
    PRIVILEGE = "PRIVILEGE"
    COUPON = "COUPON"
    STORED_VALUE_CARD = "STORED_VALUE_CARD"


@strawberry.enum
class LimitPeriod(Enum):
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"
    LIFETIME = "LIFETIME"


@strawberry.enum
class PriceReasonKind(Enum):
    SEASONAL = "SEASONAL"
    MEMBER_DAY = "MEMBER_DAY"
    TIER = "TIER"


@strawberry.enum
class MallPriceRuleKind(Enum):
    SEASONAL = "SEASONAL"
    MEMBER_DAY = "MEMBER_DAY"


@strawberry.enum
class RedemptionStatus(Enum):
    PENDING = "PENDING"
    FULFILLED = "FULFILLED"
    CANCELLED = "CANCELLED"
    EXPIRED = "EXPIRED"


@strawberry.enum
class MallItemSortField(Enum):
    AVAILABLE_FROM = "AVAILABLE_FROM"
    POINTS_PRICE = "POINTS_PRICE"
    NAME = "NAME"


@strawberry.type(description="One step from the list price to the price the viewer pays.")
class PriceReason:
    kind: PriceReasonKind
    code: str
    description: str
    percent: int = strawberry.field(description="Signed: -20 is 20 percent off.")
    points_before: int
    points_after: int


@strawberry.type(description="What one unit costs the viewer today: seasonal rules, then member day, then the tier discount.")
class EffectivePrice:
    list_points: int
    points: int
    cash: Money = strawberry.field(description="The cash part of a points + cash item; 0.00 when it is points only.")
    reasons: list[PriceReason]


@strawberry.type
class MallItem(Node):
    name: str
    description: str
    image_url: str | None
    band: MallBand
    kind: MallItemKind
    points_price: int = strawberry.field(description="The list price in points, before any rule.")
    cash_price: Money
    effective_price: EffectivePrice
    per_member_limit: int | None = strawberry.field(description="Units a member may redeem per limit period; null: no limit.")
    limit_period: LimitPeriod
    eligible_tiers: list[str] = strawberry.field(description="Tier codes that may redeem it; empty: every tier.")
    available_from: datetime
    available_until: datetime | None
    is_new: bool = strawberry.field(description="True for the first days after it becomes available.")
    is_available: bool
    retired_at: datetime | None
    stock_buckets: int = strawberry.field(description="Rows the stock is spread over, so a rush does not queue on one.")
    pk: strawberry.Private[int]
    stock_limited: strawberry.Private[bool]
    store_pks: strawberry.Private[list[int]]
    stock_left: strawberry.Private[int | None] = None  # read with its page by a list resolver

    @strawberry.field(description="Units left; null when the stock is unlimited.")
    def stock_remaining(self, info: Info) -> int | None:
        # Not a coroutine: when the list resolver read the page's stock (one statement), the value
        # is returned as it is and graphql-core completes the list without awaiting a coroutine
        # per item, which cost a 20-item page more than all its other fields. Otherwise the
        # loader's future goes back, and graphql-core awaits it.
        if not self.stock_limited:
            return None
        if self.stock_left is not None:
            return self.stock_left
        return info.context.loaders.mall_stock.load(self.pk)  # type: ignore[return-value]

    @strawberry.field(description="Stores where it can be collected; empty: every store.")
    async def stores(self, info: Info) -> list[Store]:
        found = await info.context.loaders.public_store.load_many(self.store_pks)
        return [Store.from_model(store) for store in found if store is not None]


@strawberry.type
class Redemption(Node):
    code: str = strawberry.field(description="Read out or typed at the counter.")
    qr_payload: str = strawberry.field(description="What the counter scans.")
    status: RedemptionStatus
    quantity: int
    points_spent: int
    cash_due: Money = strawberry.field(description="Paid at the counter when the item is collected.")
    created_at: datetime
    expires_at: datetime
    fulfilled_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str | None
    pk: strawberry.Private[int]
    item_pk: strawberry.Private[int]
    member_pk: strawberry.Private[int]
    store_pk: strawberry.Private[int | None]
    fulfilled_store_pk: strawberry.Private[int | None]

    @strawberry.field
    async def item(self, info: Info) -> MallItem:
        return await info.context.loaders.redeemed_item.load(self.item_pk)

    @strawberry.field(description="Null when the viewer may not see the member.")
    async def member(self, info: Info) -> Member | None:
        return maybe(Member.from_model, await info.context.loaders.member.load(self.member_pk))

    @strawberry.field(description="Where to collect it; null: any store that offers the item.")
    async def store(self, info: Info) -> Store | None:
        return None if self.store_pk is None else maybe(Store.from_model, await info.context.loaders.public_store.load(self.store_pk))

    @strawberry.field
    async def fulfilled_store(self, info: Info) -> Store | None:
        return None if self.fulfilled_store_pk is None else maybe(Store.from_model, await info.context.loaders.public_store.load(self.fulfilled_store_pk))


@strawberry.type
class MallPriceRule(Node):
    code: str
    name: str
    kind: MallPriceRuleKind
    percent: int = strawberry.field(description="Signed: +20 raises the points price by 20 percent, -20 lowers it.")
    bands: list[MallBand] = strawberry.field(description="Empty: every band.")
    day_of_month: int | None
    date_from: date | None
    date_to: date | None
    is_active: bool


@strawberry.type(description="The mall's operator-changeable numbers.")
class MallSettings:
    redemption_valid_hours: int
    redeem_attempts_per_window: int
    redeem_window_seconds: int
    new_item_days: int


# ---- filters --------------------------------------------------------------------------------


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


# ---- errors ---------------------------------------------------------------------------------


# The domain's codes are the contract: one list, exposed as is.
MallErrorCode = strawberry.enum(DomainMallErrorCode, name="MallErrorCode")


@strawberry.type
class MallError:
    code: MallErrorCode
    field: str | None
    message: str


# ---- catalogue administration ---------------------------------------------------------------


@strawberry.input
class CreateMallItemInput:
    name: str
    band: MallBand
    kind: MallItemKind
    points_price: int
    description: str = ""
    image_url: str | None = None
    cash_price: str | None = strawberry.field(default=None, description="Yuan as a decimal string, e.g. \"10.00\".")
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
    cash_price: str | None = strawberry.UNSET
    stock_buckets: int | None = strawberry.field(default=strawberry.UNSET, description="The stock is spread anew over them.")
    per_member_limit: int | None = strawberry.UNSET
    limit_period: LimitPeriod | None = strawberry.UNSET
    eligible_tiers: list[str] | None = strawberry.UNSET
    store_ids: list[strawberry.ID] | None = strawberry.UNSET
    available_from: datetime | None = strawberry.UNSET
    available_until: datetime | None = strawberry.UNSET


@strawberry.type
class MallItemPayload:
    item: MallItem | None
    errors: list[MallError]


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


@strawberry.type
class MallPriceRulePayload:
    rule: MallPriceRule | None
    errors: list[MallError]


@strawberry.input
class UpdateMallSettingsInput:
    redemption_valid_hours: int | None = None
    redeem_attempts_per_window: int | None = None
    redeem_window_seconds: int | None = None
    new_item_days: int | None = None


@strawberry.type
class UpdateMallSettingsPayload:
    settings: MallSettings | None
    errors: list[MallError]


# ---- redemptions ----------------------------------------------------------------------------


@strawberry.input
class RedeemMallItemInput:
    item_id: strawberry.ID
    quantity: int = 1
    store_id: strawberry.ID | None = strawberry.field(default=None, description="Where to collect; staff and devices: their store.")
    member_code: str | None = strawberry.field(default=None, description="Kiosks and clerks: the scanned code. Ignored for a member.")
    idempotency_key: str


@strawberry.type
class RedeemMallItemPayload:
    redemption: Redemption | None
    member: Member | None
    replayed: bool = strawberry.field(description="True when this answers a retry of an earlier request.")
    errors: list[MallError]


@strawberry.input
class FulfillRedemptionInput:
    code: str = strawberry.field(description="The redemption code or the scanned QR payload.")
    store_id: strawberry.ID


@strawberry.type
class FulfillRedemptionPayload:
    redemption: Redemption | None = strawberry.field(description="Also given with ALREADY_FULFILLED: when and where.")
    errors: list[MallError]


@strawberry.input
class CancelRedemptionInput:
    redemption_id: strawberry.ID
    reason: str
    idempotency_key: str


@strawberry.type
class CancelRedemptionPayload:
    redemption: Redemption | None
    member: Member | None
    errors: list[MallError]


@strawberry.input
class ExpireRedemptionsInput:
    note: str | None = None


@strawberry.type
class ExpireRedemptionsPayload:
    expired: int
    errors: list[MallError]
