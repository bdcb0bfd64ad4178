"""Earning: purchases and their lines, earn rates, campaigns and announced rule changes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from domain.earning import rulebook
from resolvers.earning import queries
from schema.coupons.types import CouponKind
from schema.relay import Node, maybe, to_global_id
from schema.scalars import Money
from schema.stores.types import Store

if TYPE_CHECKING:
    from schema.coupons.types import Coupon


@strawberry.enum(description="Where a purchase was made; campaigns may depend on it.")
class PurchaseChannel(Enum):
    IN_STORE = strawberry.enum_value("IN_STORE", description="At a store's till.")
    ONLINE = strawberry.enum_value("ONLINE", description="In the app or the online shop.")
    DELIVERY = strawberry.enum_value("DELIVERY", description="A delivery order.")


@strawberry.enum(description="Where a purchase stands.")
class PurchaseStatus(Enum):
    COMPLETED = strawberry.enum_value("COMPLETED", description="Recorded, its points credited.")
    HELD = strawberry.enum_value(
        "HELD",
        description="Recorded too long after it happened: held for review without points (see heldReason).",
    )
    PARTIALLY_RETURNED = strawberry.enum_value("PARTIALLY_RETURNED", description="Some units returned; their points taken back.")
    RETURNED = strawberry.enum_value("RETURNED", description="Everything returned; its points taken back.")


@strawberry.type(description="One line of a purchase: an item, how many and at what price.")
class PurchaseLine(Node):
    line_no: int = strawberry.field(description="The line's number in its purchase: 0 for the first line sent, then 1, 2, ...")
    sku: str = strawberry.field(description="The till's product code.")
    category: str = strawberry.field(description="The category code that decided the earn rate, e.g. IMPORTED_FRUIT.")
    quantity: int = strawberry.field(description="Units bought.")
    unit_price: Money = strawberry.field(description="The price of one unit, in yuan.")
    points: int = strawberry.field(description="Purchase points of the line (campaign extras are separate entries).")
    returned_quantity: int = strawberry.field(description="Units returned so far, 0 up to quantity.")
    discount: Money = strawberry.field(description="The line's share of the coupons' discount; the line earned points on the rest.")

    @classmethod
    def from_model(cls, line) -> PurchaseLine:
        return cls(
            id=strawberry.ID(to_global_id("PurchaseLine", line.id)), line_no=line.line_no, sku=line.sku, category=line.category,
            quantity=line.quantity,
            unit_price=Money.from_minor(line.unit_price_fen), points=line.points, returned_quantity=line.returned_quantity,
            discount=Money.from_minor(line.discount_fen),
        )


@strawberry.enum(description="What made a part of a purchase's points.")
class PointsReasonKind(Enum):
    BASE = strawberry.enum_value(
        "BASE", description="A line's amount (less its coupons' share and any part paid with points) times its category's earn rate."
    )
    TIER = strawberry.enum_value(
        "TIER",
        description="What the member's tier multiplier (Tier.earnMultiplier) added to a line's base points.",
    )
    CAMPAIGN = strawberry.enum_value("CAMPAIGN", description="A campaign's extra points for the purchase, after its caps and budget.")


@strawberry.type(description="One part of a purchase's points: why they were earned.")
class PointsReason:
    kind: PointsReasonKind = strawberry.field(description="Base, tier or campaign points.")
    line_no: int | None = strawberry.field(
        description="The purchase line's lineNo for BASE and TIER; null for CAMPAIGN (a campaign's extra is per purchase).",
    )
    category: str | None = strawberry.field(description="The line's category code for BASE and TIER; null for CAMPAIGN.")
    campaign_code: str | None = strawberry.field(description="The campaign's code for CAMPAIGN; null otherwise.")
    points: int = strawberry.field(description="The points this part earned, 0 or more.")
    description: str = strawberry.field(
        description="A sentence a member can read, e.g. \"IMPORTED_FRUIT: 21.00 yuan at 2 points per yuan.\"",
    )

    @classmethod
    def from_domain(cls, reason) -> PointsReason:
        return cls(
            kind=PointsReasonKind(reason.kind.value), line_no=reason.line_no, category=reason.category,
            campaign_code=reason.campaign_code, points=reason.points, description=reason.description,
        )


@strawberry.type(description="A coupon used on a purchase and what it took off.")
class PurchaseCoupon:
    code: str = strawberry.field(description="The coupon's code.")
    kind: CouponKind = strawberry.field(description="What the coupon granted.")
    discount: Money = strawberry.field(description="What it took off this purchase (lines and any delivery fee waived).")
    given_back: bool = strawberry.field(description="True once the purchase's return gave the coupon back to the member's wallet.")
    coupon_pk: strawberry.Private[int]

    @strawberry.field(description="The coupon itself, for the member and chain admins; null for other callers.")
    async def coupon(self, info: Info) -> Annotated[Coupon, strawberry.lazy("schema.coupons.types")] | None:
        from schema.coupons.types import Coupon

        return maybe(Coupon.from_model, await info.context.loaders.coupon.load(self.coupon_pk))

    @classmethod
    def from_domain(cls, used) -> PurchaseCoupon:
        return cls(
            code=used.code, kind=CouponKind(used.kind), discount=Money.from_minor(used.discount_fen), given_back=used.given_back,
            coupon_pk=used.coupon_id,
        )


@strawberry.type(description="A paid purchase recorded by a till, a kiosk or staff, with the points it earned.")
class Purchase(Node):
    channel: PurchaseChannel = strawberry.field(description="Where it was made.")
    occurred_at: datetime = strawberry.field(
        description="When the sale happened at the till; earning rules apply as of this moment. ISO 8601 with offset.",
    )
    recorded_at: datetime = strawberry.field(
        description="When Orchard recorded it (later than occurredAt for an offline backfill); ISO 8601 with offset.",
    )
    total: Money = strawberry.field(description="The sum of the lines at full price, in yuan (before coupons).")
    discount: Money = strawberry.field(
        description="What its coupons took off in all: the lines' part (PurchaseLine.discount) plus any delivery fee waived."
    )
    delivery_fee: Money = strawberry.field(
        description="A DELIVERY purchase's delivery fee as the till sent it (not in total); 0.00 otherwise."
    )
    cash_offset: Money = strawberry.field(description="The part of the total paid with points.")
    points_redeemed: int = strawberry.field(description="Points the member paid with (see cashOffset).")
    points_earned: int = strawberry.field(description="Points it earned: purchase points plus campaign extras; 0 while HELD.")
    status: PurchaseStatus = strawberry.field(description="Completed, held, or (partly) returned.")
    held_reason: str | None = strawberry.field(description="Why it is HELD, a sentence; null otherwise.")
    client_txn_id: str = strawberry.field(description="The till's id for the sale, as sent in recordPurchase.")
    store_pk: strawberry.Private[int]
    pk: strawberry.Private[int]
    row: strawberry.Private[Any]

    @strawberry.field(description="The store where it was made.")
    async def store(self, info: Info) -> Store | None:
        return maybe(Store.from_model, await info.context.loaders.public_store.load(self.store_pk))

    @strawberry.field(description="The coupons it used, in the till's order, with what each took off.")
    async def coupons(self, info: Info) -> list[PurchaseCoupon]:
        return [PurchaseCoupon.from_domain(used) for used in await info.context.loaders.purchase_coupons.load(self.pk)]

    @strawberry.field(description="Its lines, by lineNo.")
    async def lines(self, info: Info) -> list[PurchaseLine]:
        return [PurchaseLine.from_model(line) for line in await info.context.loaders.purchase_lines.load(self.pk)]

    @strawberry.field(description=(
        "How pointsEarned was made, as stored when the purchase was recorded (later rule changes do not"
        " alter it): per line its BASE points and what the tier multiplier added (TIER), then each campaign's"
        " extra (CAMPAIGN). The points add up to pointsEarned; returns later take points back in the ledger"
        " without changing these."
    ))
    async def points_explained(self, info: Info) -> list[PointsReason]:
        return [PointsReason.from_domain(reason) for reason in await queries.points_explained(info.context, self.row)]

    @classmethod
    def from_model(cls, purchase) -> Purchase:
        return cls(
            id=strawberry.ID(to_global_id("Purchase", purchase.id)), channel=PurchaseChannel(purchase.channel),
            occurred_at=purchase.occurred_at, recorded_at=purchase.recorded_at,
            total=Money.from_minor(purchase.total_fen), cash_offset=Money.from_minor(purchase.cash_offset_fen),
            discount=Money.from_minor(purchase.discount_fen), delivery_fee=Money.from_minor(purchase.delivery_fee_fen),
            points_redeemed=purchase.points_redeemed, points_earned=purchase.points_earned,
            status=PurchaseStatus(purchase.status), held_reason=purchase.held_reason,
            client_txn_id=purchase.client_txn_id, store_pk=purchase.store_id, pk=purchase.id, row=purchase,
        )


@strawberry.type(description=(
    "Points per yuan for a category from a moment on; the rate in force at a purchase applies. A line earns"
    " floor(yuan x pointsPerYuan) base points, then the member's Tier.earnMultiplier applies, then campaigns."
))
class EarnRate:
    category: str = strawberry.field(description="A category code, or * for the default rate of every other category.")
    points_per_yuan: Decimal = strawberry.field(
        description="Points earned per yuan spent, 0 to 1,000, before the tier multiplier and campaigns.",
    )
    effective_from: datetime = strawberry.field(description="When the rate applies from; ISO 8601 with offset.")

    @classmethod
    def from_model(cls, rate) -> EarnRate:
        return cls(category=rate.category, points_per_yuan=rate.points_per_yuan, effective_from=rate.effective_from)


@strawberry.enum(description="How a multiplier campaign combines with the others that apply to the same line.")
class Stacking(Enum):
    BEST_OF = strawberry.enum_value("BEST_OF", description="Of the BEST_OF campaigns on a line only the largest multiplier counts.")
    MULTIPLY = strawberry.enum_value("MULTIPLY", description="Multiplies with the best BEST_OF campaign and every other MULTIPLY campaign.")


@strawberry.type(description=(
    "When a campaign applies: every condition that is set must hold; an unset one (null, or false for the"
    " flags) always holds. Mirrors CampaignConditionsInput."
))
class CampaignConditions:
    date_from: date | None = strawberry.field(description="First store-local date it applies; null: no first date.")
    date_to: date | None = strawberry.field(description="Last store-local date it applies; null: no last date.")
    day_of_month: int | None = strawberry.field(description="Only on this day of the month, 1 to 31 (8 for member day); null: any day.")
    weekdays: list[int] | None = strawberry.field(
        description="Only on these store-local weekdays, Monday 0 to Sunday 6, ascending; null: any weekday.",
    )
    channels: list[PurchaseChannel] | None = strawberry.field(description="Only purchases made through these channels; null: any channel.")
    categories: list[str] | None = strawberry.field(
        description="Only lines of these category codes, sorted; the others earn no extra. Null: every line.",
    )
    tiers: list[str] | None = strawberry.field(description="Only members of these tier codes (see Tier.code), sorted; null: any tier.")
    birthday_month: bool = strawberry.field(description="True: only in the member's birthday month.")
    first_order: bool = strawberry.field(description="True: only on the member's first purchase.")
    store_flag: str | None = strawberry.field(
        description="Only at a store that set this flag for the day (setStoreFlag), e.g. RAINY_DAY; null: any store.",
    )

    @classmethod
    def from_domain(cls, c) -> CampaignConditions:
        """From the calculator's conditions (rulebook.conditions_of)."""
        return cls(
            date_from=c.date_from, date_to=c.date_to, day_of_month=c.day_of_month,
            weekdays=None if c.weekdays is None else sorted(c.weekdays),
            channels=None if c.channels is None else [PurchaseChannel(ch) for ch in sorted(c.channels)],
            categories=None if c.categories is None else sorted(c.categories),
            tiers=None if c.tiers is None else sorted(c.tiers),
            birthday_month=c.birthday_month, first_order=c.first_order, store_flag=c.store_flag,
        )


@strawberry.type(description="An earning campaign: when its conditions hold, a purchase earns extra points, within caps and a budget.")
class Campaign(Node):
    code: str = strawberry.field(description="A unique code of letters, digits and underscores, e.g. MEMBER_DAY.")
    name: str = strawberry.field(description="A name members can read.")
    multiplier: Decimal | None = strawberry.field(
        description="Multiplies the points of matching lines (1 to 100); null for a bonus campaign.",
    )
    bonus_points: int | None = strawberry.field(description="Points added once per matching purchase; null for a multiplier campaign.")
    stacking: Stacking = strawberry.field(description="How its multiplier combines with other campaigns.")
    cap_per_member_per_day: int | None = strawberry.field(
        description="Most extra points one member gets from it per store-local day; null: no cap.",
    )
    cap_per_member: int | None = strawberry.field(
        description="Most extra points one member gets from it over the whole campaign; null: no cap.",
    )
    budget: int | None = strawberry.field(description="Most extra points it gives all members together; null: no budget.")
    given_total: int = strawberry.field(description="Extra points it has given so far, never above budget.")
    starts_at: datetime = strawberry.field(description="When it starts; ISO 8601 with offset.")
    ends_at: datetime | None = strawberry.field(description="When it ends; null: it runs until ended with endCampaign.")
    announced_at: datetime = strawberry.field(description="When it was created and announced to members.")
    conditions: CampaignConditions = strawberry.field(description="When it applies: every condition set must hold.")

    @classmethod
    def from_model(cls, c) -> Campaign:
        return cls(
            conditions=CampaignConditions.from_domain(rulebook.conditions_of(c.conditions)),
            id=strawberry.ID(to_global_id("Campaign", c.id)), code=c.code, name=c.name, multiplier=c.multiplier,
            bonus_points=c.bonus_points, stacking=Stacking(c.stacking), cap_per_member_per_day=c.cap_per_member_per_day,
            cap_per_member=c.cap_per_member, budget=c.budget, given_total=c.given_total, starts_at=c.starts_at,
            ends_at=c.ends_at, announced_at=c.announced_at,
        )


@strawberry.type(description="A rule change members will see before it applies.")
class RuleChange:
    description: str = strawberry.field(description="What changes, in words a member can read, e.g. \"GIFT_BOX: 1 -> 2 points per yuan\".")
    effective_from: datetime = strawberry.field(description="When it applies; ISO 8601 with offset.")
    announced_at: datetime = strawberry.field(description="When it was announced; ISO 8601 with offset.")
    reduces_earning: bool = strawberry.field(description="True when members will earn less (a lower rate, a campaign ending).")

    @classmethod
    def from_model(cls, c) -> RuleChange:
        return cls(description=c.description, effective_from=c.effective_from, announced_at=c.announced_at,
                   reduces_earning=c.reduces_earning)
