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


@strawberry.enum(description="A mall item's price band; price rules may apply to some bands only.")
class MallBand(Enum):
    LOW = strawberry.enum_value("LOW", description="The lowest price band.")
    MIDDLE = strawberry.enum_value("MIDDLE", description="The middle price band.")
    HIGH = strawberry.enum_value("HIGH", description="The highest price band.")


@strawberry.enum(description="What a mall item is.")
class MallItemKind(Enum):
    PHYSICAL = strawberry.enum_value("PHYSICAL", description="Goods collected at a store.")
    FRESH_CUT = strawberry.enum_value("FRESH_CUT", description="Fresh-cut fruit, collected at a store.")
    SERVICE = strawberry.enum_value("SERVICE", description="A service rather than goods.")
    PRIVILEGE = strawberry.enum_value("PRIVILEGE", description="A member privilege.")
    COUPON = strawberry.enum_value("COUPON", description="A coupon.")
    STORED_VALUE_CARD = strawberry.enum_value("STORED_VALUE_CARD", description="A stored-value card.")


@strawberry.enum(description="The period a per-member limit counts over, by the store-local date of the redemption.")
class LimitPeriod(Enum):
    DAY = strawberry.enum_value("DAY", description="A calendar day.")
    WEEK = strawberry.enum_value("WEEK", description="An ISO week, Monday to Sunday.")
    MONTH = strawberry.enum_value("MONTH", description="A calendar month.")
    LIFETIME = strawberry.enum_value("LIFETIME", description="The member's lifetime.")


@strawberry.enum(description="Which step of the pricing a reason is.")
class PriceReasonKind(Enum):
    SEASONAL = strawberry.enum_value("SEASONAL", description="A seasonal price rule: peak season up, off-season down.")
    MEMBER_DAY = strawberry.enum_value("MEMBER_DAY", description="A member-day price rule, on its day of the month.")
    TIER = strawberry.enum_value("TIER", description="The redemption discount of the viewer's tier.")


@strawberry.enum(description="When a mall price rule applies.")
class MallPriceRuleKind(Enum):
    SEASONAL = strawberry.enum_value("SEASONAL", description="Over a date range (dateFrom to dateTo).")
    MEMBER_DAY = strawberry.enum_value("MEMBER_DAY", description="On one day of every month (dayOfMonth).")


@strawberry.enum(description="Where a redemption stands.")
class RedemptionStatus(Enum):
    PENDING = strawberry.enum_value("PENDING", description="Points and stock taken; waiting to be collected until expiresAt.")
    FULFILLED = strawberry.enum_value("FULFILLED", description="Collected at the counter.")
    CANCELLED = strawberry.enum_value("CANCELLED", description="Cancelled before collection; points and stock given back.")
    EXPIRED = strawberry.enum_value("EXPIRED", description="Not collected in time; points and stock given back.")


@strawberry.enum(description="What mallItems is ordered by.")
class MallItemSortField(Enum):
    AVAILABLE_FROM = strawberry.enum_value("AVAILABLE_FROM", description="When the item became available (the default, newest first).")
    POINTS_PRICE = strawberry.enum_value("POINTS_PRICE", description="The viewer's effective points price.")
    NAME = strawberry.enum_value("NAME", description="The item's name.")


@strawberry.type(description="One step from the list price to the price the viewer pays.")
class PriceReason:
    kind: PriceReasonKind = strawberry.field(description="Which pricing step this is.")
    code: str = strawberry.field(description="The price rule's code, or the tier's code for TIER.")
    description: str = strawberry.field(description="A line the viewer can read, e.g. the rule's name or \"Gold tier discount\".")
    percent: int = strawberry.field(description="Signed: -20 is 20 percent off.")
    points_before: int = strawberry.field(description="The points price before this step.")
    points_after: int = strawberry.field(description="The points price after this step, rounded down.")


@strawberry.type(description="What one unit costs the viewer today: seasonal rules, then member day, then the tier discount.")
class EffectivePrice:
    list_points: int = strawberry.field(description="The item's list price in points, before any rule.")
    points: int = strawberry.field(description="Points the viewer pays per unit today, after every reason.")
    cash: Money = strawberry.field(description="The cash part of a points + cash item; 0.00 when it is points only.")
    reasons: list[PriceReason] = strawberry.field(
        description="Each step from listPoints to points, in the order applied; empty when nothing applies."
    )


@strawberry.type(description="A reward in the points mall, with the viewer's price today.")
class MallItem(Node):
    name: str = strawberry.field(description="The item's name, at most 120 characters.")
    description: str = strawberry.field(description="What the member gets, up to 2,000 characters, line breaks allowed; may be empty.")
    image_url: str | None = strawberry.field(description="An http(s) address of its picture; null: none.")
    band: MallBand = strawberry.field(description="Its price band.")
    kind: MallItemKind = strawberry.field(description="What it is.")
    points_price: int = strawberry.field(description="The list price in points, before any rule.")
    cash_price: Money = strawberry.field(
        description="The cash part of a points + cash item, paid at the counter; 0.00 when it is points only."
    )
    effective_price: EffectivePrice = strawberry.field(description="What one unit costs the viewer today, and why.")
    per_member_limit: int | None = strawberry.field(description="Units a member may redeem per limit period; null: no limit.")
    limit_period: LimitPeriod = strawberry.field(description="The period perMemberLimit counts over.")
    eligible_tiers: list[str] = strawberry.field(description="Tier codes that may redeem it; empty: every tier.")
    available_from: datetime = strawberry.field(description="When it can be redeemed from; ISO 8601 with offset.")
    available_until: datetime | None = strawberry.field(description="When it stops being redeemable; null: no end.")
    is_new: bool = strawberry.field(description="True for the first days after it becomes available.")
    is_available: bool = strawberry.field(description="True when it can be redeemed now: not retired, and within its availability window.")
    retired_at: datetime | None = strawberry.field(
        description="When it was taken out of the mall; null while offered. Retired items are listed to staff only."
    )
    stock_buckets: int = strawberry.field(description="Rows the stock is spread over, so a rush does not queue on one.")
    pk: strawberry.Private[int]
    stock_limited: strawberry.Private[bool]
    store_pks: strawberry.Private[list[int]]
    stock_left: strawberry.Private[int | None] = None  # read with its page by a list resolver
    cost_fen: strawberry.Private[int | None] = None

    @strawberry.field(description="What one unit costs the chain (the points cost rate counts it); null: not set, "
                      "or the viewer is not staff. Unset, its points count at face value.")
    def cost(self, info: Info) -> Money | None:
        if self.cost_fen is None or not info.context.viewer.is_staff:
            return None
        return Money.from_minor(self.cost_fen)

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
            points_price=item.points_price, cash_price=Money.from_minor(item.cash_fen), cost_fen=item.cost_fen,
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


@strawberry.type(description="A mall item a member redeemed: points and stock taken, a code to collect it at the counter.")
class Redemption(Node):
    code: str = strawberry.field(description="Read out or typed at the counter.")
    qr_payload: str = strawberry.field(description="What the counter scans.")
    status: RedemptionStatus = strawberry.field(description="Pending, collected, cancelled or expired.")
    quantity: int = strawberry.field(description="Units redeemed, 1 to 99.")
    points_spent: int = strawberry.field(description="Points taken for all units together.")
    cash_due: Money = strawberry.field(description="Paid at the counter when the item is collected.")
    created_at: datetime = strawberry.field(description="When it was redeemed; ISO 8601 with offset.")
    expires_at: datetime = strawberry.field(description="When it expires if not collected (redemptionValidHours after createdAt).")
    fulfilled_at: datetime | None = strawberry.field(description="When it was collected; null until FULFILLED.")
    cancelled_at: datetime | None = strawberry.field(description="When it was cancelled or expired; null otherwise.")
    cancel_reason: str | None = strawberry.field(
        description='Why it was cancelled, or "Not collected in time" when it expired; null otherwise.'
    )
    pk: strawberry.Private[int]
    item_pk: strawberry.Private[int]
    member_pk: strawberry.Private[int]
    store_pk: strawberry.Private[int | None]
    fulfilled_store_pk: strawberry.Private[int | None]

    @strawberry.field(description="The item redeemed, with the viewer's price today; quantity and pointsSpent keep what was paid.")
    async def item(self, info: Info) -> MallItem:
        return MallItem.from_model(await info.context.loaders.redeemed_item.load(self.item_pk))

    @strawberry.field(description="Null when the viewer may not see the member.")
    async def member(self, info: Info) -> Member | None:
        return maybe(Member.from_model, await info.context.loaders.member.load(self.member_pk))

    @strawberry.field(description="Where to collect it; null: any store that offers the item.")
    async def store(self, info: Info) -> Store | None:
        return None if self.store_pk is None else maybe(Store.from_model, await info.context.loaders.public_store.load(self.store_pk))

    @strawberry.field(description="The store where it was collected; null until FULFILLED.")
    async def fulfilled_store(self, info: Info) -> Store | None:
        return (
            None
            if self.fulfilled_store_pk is None
            else maybe(Store.from_model, await info.context.loaders.public_store.load(self.fulfilled_store_pk))
        )

    @classmethod
    def from_model(cls, r) -> Redemption:
        return cls(
            id=strawberry.ID(to_global_id("Redemption", r.id)), code=r.code, qr_payload=redemption_codes.qr_payload(r.code),
            status=RedemptionStatus(r.status), quantity=r.quantity, points_spent=r.points_spent,
            cash_due=Money.from_minor(r.cash_fen), created_at=r.created_at, expires_at=r.expires_at,
            fulfilled_at=r.fulfilled_at, cancelled_at=r.cancelled_at, cancel_reason=r.cancel_reason, pk=r.id,
            item_pk=r.item_id, member_pk=r.member_id, store_pk=r.store_id, fulfilled_store_pk=r.fulfilled_store_id,
        )


@strawberry.type(description="A points price change in percent for the mall: a season or a member day.")
class MallPriceRule(Node):
    code: str = strawberry.field(description="A unique code of 2 to 40 letters, digits, dashes or underscores.")
    name: str = strawberry.field(description="A name members see in the price reasons.")
    kind: MallPriceRuleKind = strawberry.field(description="A season (dates) or a member day (a day of the month).")
    percent: int = strawberry.field(description="Signed: +20 raises the points price by 20 percent, -20 lowers it.")
    bands: list[MallBand] = strawberry.field(description="Empty: every band.")
    day_of_month: int | None = strawberry.field(description="For MEMBER_DAY, the day 1 to 31; null for SEASONAL.")
    date_from: date | None = strawberry.field(description="For SEASONAL, the first store-local date; null for MEMBER_DAY.")
    date_to: date | None = strawberry.field(description="For SEASONAL, the last store-local date, inclusive; null for MEMBER_DAY.")
    is_active: bool = strawberry.field(description="False once retired.")

    @classmethod
    def from_model(cls, rule) -> MallPriceRule:
        return cls(
            id=strawberry.ID(to_global_id("MallPriceRule", rule.id)), code=rule.code, name=rule.name,
            kind=MallPriceRuleKind(rule.kind), percent=rule.percent, bands=[MallBand(b) for b in rule.bands],
            day_of_month=rule.day_of_month, date_from=rule.date_from, date_to=rule.date_to, is_active=rule.is_active,
        )


@strawberry.type(description="The mall's operator-changeable numbers.")
class MallSettings:
    redemption_valid_hours: int = strawberry.field(
        description="Hours a redemption waits to be collected before it expires (1 to 8,760; default 168)."
    )
    redeem_attempts_per_window: int = strawberry.field(
        description="Redemptions with new idempotency keys one member may start per window (1 to 10,000; default 60)."
    )
    redeem_window_seconds: int = strawberry.field(description="The length of that window in seconds (1 to 3,600; default 10).")
    new_item_days: int = strawberry.field(description="Days an item counts as new after it becomes available (0 to 90; default 7).")

    @classmethod
    def from_values(cls, values: dict[str, Any]) -> MallSettings:
        return cls(**{name: values[name] for name in cls.__dataclass_fields__})
