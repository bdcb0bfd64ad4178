"""The points mall: items with the viewer's price, redemptions, price rules and settings."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.types import Info

from domain.mall import codes as redemption_codes
from domain.mall import eligibility
from domain.mall.catalogue import PricedItem
from schema.members.types import Member
from schema.relay import Node, maybe, to_global_id
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

    @classmethod
    def from_model(cls, entry: PricedItem, stock_left: int | None = None) -> MallItem:
        """An item with the viewer's price; `stock_left` when the page's stock was read with it."""
        item, price = entry.item, entry.price
        return cls(
            id=strawberry.ID(to_global_id("MallItem", item.id)), name=item.name, description=item.description,
            image_url=item.image_url, band=MallBand(item.band), kind=MallItemKind(item.kind),
            points_price=item.points_price, cash_price=Money.from_minor(item.cash_fen),
            effective_price=EffectivePrice(
                list_points=price.list_points, points=price.points, cash=Money.from_minor(price.cash_fen),
                reasons=[
                    PriceReason(kind=PriceReasonKind(r.kind.value), code=r.code, description=r.description,
                                percent=r.percent, points_before=r.points_before, points_after=r.points_after)
                    for r in price.reasons
                ],
            ),
            per_member_limit=item.per_member_limit, limit_period=LimitPeriod(item.limit_period),
            eligible_tiers=list(item.eligible_tiers), available_from=item.available_from, available_until=item.available_until,
            is_new=entry.is_new, is_available=eligibility.is_available(item, entry.shopper.now), retired_at=item.retired_at,
            stock_buckets=item.stock_buckets, pk=item.id, stock_limited=item.stock_limited, store_pks=list(item.store_ids),
            stock_left=stock_left,
        )


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
        return MallItem.from_model(await info.context.loaders.redeemed_item.load(self.item_pk))

    @strawberry.field(description="Null when the viewer may not see the member.")
    async def member(self, info: Info) -> Member | None:
        return maybe(Member.from_model, await info.context.loaders.member.load(self.member_pk))

    @strawberry.field(description="Where to collect it; null: any store that offers the item.")
    async def store(self, info: Info) -> Store | None:
        return None if self.store_pk is None else maybe(Store.from_model, await info.context.loaders.public_store.load(self.store_pk))

    @strawberry.field
    async def fulfilled_store(self, info: Info) -> Store | None:
        return None if self.fulfilled_store_pk is None else maybe(Store.from_model, await info.context.loaders.public_store.load(self.fulfilled_store_pk))

    @classmethod
    def from_model(cls, r) -> Redemption:
        return cls(
            id=strawberry.ID(to_global_id("Redemption", r.id)), code=r.code, qr_payload=redemption_codes.qr_payload(r.code),
            status=RedemptionStatus(r.status), quantity=r.quantity, points_spent=r.points_spent,
            cash_due=Money.from_minor(r.cash_fen), created_at=r.created_at, expires_at=r.expires_at,
            fulfilled_at=r.fulfilled_at, cancelled_at=r.cancelled_at, cancel_reason=r.cancel_reason, pk=r.id,
            item_pk=r.item_id, member_pk=r.member_id, store_pk=r.store_id, fulfilled_store_pk=r.fulfilled_store_id,
        )


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

    @classmethod
    def from_model(cls, rule) -> MallPriceRule:
        return cls(
            id=strawberry.ID(to_global_id("MallPriceRule", rule.id)), code=rule.code, name=rule.name,
            kind=MallPriceRuleKind(rule.kind), percent=rule.percent, bands=[MallBand(b) for b in rule.bands],
            day_of_month=rule.day_of_month, date_from=rule.date_from, date_to=rule.date_to, is_active=rule.is_active,
        )


@strawberry.type(description="The mall's operator-changeable numbers.")
class MallSettings:
    redemption_valid_hours: int
    redeem_attempts_per_window: int
    redeem_window_seconds: int
    new_item_days: int

    @classmethod
    def from_values(cls, values: dict[str, Any]) -> MallSettings:
        return cls(**{name: values[name] for name in cls.__dataclass_fields__})
