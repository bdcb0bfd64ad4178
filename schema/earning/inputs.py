"""Earning inputs."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import strawberry

from schema.earning.types import PurchaseChannel, Stacking
from schema.scalars import MoneyInput


@strawberry.input(description="One line of a sale as the till has it.")
class PurchaseLineInput:
    sku: str = strawberry.field(description="The till's product code, 1 to 64 characters.")
    category: str = strawberry.field(description="IMPORTED_FRUIT, DOMESTIC_FRUIT, FRESH_CUT, GIFT_BOX, ...")
    quantity: int = strawberry.field(description="Units bought, above 0.")
    unit_price: str | None = strawberry.field(
        default=None, description="Yuan as a decimal string, e.g. \"12.50\".", deprecation_reason="Use unitPriceMoney."
    )
    unit_price_money: MoneyInput | None = strawberry.field(default=None, description="The price of one unit.")
    bundle_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The partner bundle this line sells for cash (its id from `bundles`): the line takes its units from the"
        " bundle's stock (OUT_OF_STOCK, BUNDLE_NOT_FOUND) and earns points like any line.",
    )


@strawberry.input(description="A paid sale to record for a member; at most 200 lines and 10,000,000 yuan.")
class RecordPurchaseInput:
    member_code: str = strawberry.field(description="The member's code or scanned QR payload (MEMBER_NOT_FOUND, INVALID_MEMBER_CODE).")
    store_id: strawberry.ID = strawberry.field(description="The store of the sale; staff and devices record only their own store's.")
    channel: PurchaseChannel = strawberry.field(description="Where the sale was made.")
    lines: list[PurchaseLineInput] = strawberry.field(description="The lines of the sale, 1 to 200, in the till's order.")
    client_txn_id: str = strawberry.field(description="The till's id for the sale: a retry with it changes nothing.")
    occurred_at: datetime | None = strawberry.field(
        default=None,
        description="When the sale happened, ISO 8601 with offset; default now. Not in the future; too old and it is HELD.",
    )
    points_to_redeem: int = strawberry.field(
        default=0,
        description="Points the member pays with (100 points = 1 yuan, at most half the order); INSUFFICIENT_POINTS when short.",
    )
    coupon_codes: list[str] = strawberry.field(
        default_factory=list,
        description=(
            "Codes (or scanned QR payloads) of the member's coupons to apply, up to 10, in this order; each is used up."
            " An unusable one fails the whole purchase with its index in the error's field (couponCodes.<index>)."
        ),
    )
    delivery_fee: MoneyInput | None = strawberry.field(
        default=None,
        description="A DELIVERY purchase's delivery fee, not part of the lines; a FREE_DELIVERY coupon waives it. Earns no points.",
    )


@strawberry.input(description="Sales recorded offline, sent later.")
class SubmitPurchaseBatchInput:
    purchases: list[RecordPurchaseInput] = strawberry.field(description="Up to 500 purchases, in any order (TOO_MANY_PURCHASES).")


@strawberry.input(description="Units of one purchase line given back.")
class ReturnLineInput:
    line_no: int = strawberry.field(description="The purchase line's lineNo (LINE_NOT_FOUND).")
    quantity: int = strawberry.field(description="Units returned, at most what is left of the line (INVALID_QUANTITY).")


@strawberry.input(description="A full or partial return of a purchase.")
class ReturnPurchaseInput:
    purchase_id: strawberry.ID = strawberry.field(description="The purchase returned (PURCHASE_NOT_FOUND; a HELD one is PURCHASE_HELD).")
    lines: list[ReturnLineInput] | None = strawberry.field(default=None, description="null returns everything left.")
    idempotency_key: str = strawberry.field(description="Made by the client, 1 to 255 characters: a retry with it changes nothing.")


@strawberry.input(description="The signed-in member's check-in for today.")
class CheckInInput:
    note: str | None = strawberry.field(default=None, description="Free text; not stored.")
    idempotency_key: str | None = strawberry.field(
        default=None, description="Made by the client: a retry with it answers the first check-in again (replayed)."
    )


@strawberry.input(description="A review of an item the signed-in member bought.")
class SubmitReviewInput:
    purchase_line_id: strawberry.ID = strawberry.field(description="The purchase line reviewed (LINE_NOT_FOUND, ALREADY_REVIEWED).")
    rating: int = strawberry.field(description="1 to 5 stars (INVALID_RATING).")
    text: str = strawberry.field(description="1 to 2,000 characters; line breaks allowed (INVALID_TEXT).")
    idempotency_key: str | None = strawberry.field(
        default=None, description="Made by the client: a retry with it answers the first review again (replayed)."
    )


@strawberry.input(description="A manual correction of a member's balance.")
class AdjustPointsInput:
    member_id: strawberry.ID = strawberry.field(description="The member's global ID (MEMBER_NOT_FOUND).")
    amount: int = strawberry.field(description="Signed points.")
    reason: str = strawberry.field(description="Why, kept in the audit record (REASON_REQUIRED).")
    idempotency_key: str = strawberry.field(description="Made by the client, 1 to 255 characters: a retry with it changes nothing.")


@strawberry.input(description="Runs the expiry now.")
class ExpirePointsInput:
    note: str | None = strawberry.field(default=None, description="Free text; not stored.")


@strawberry.input(description="A new earn rate for a category.")
class SetEarnRateInput:
    category: str = strawberry.field(description="A category code, or * for the default rate.")
    points_per_yuan: Decimal = strawberry.field(
        description="0 to 1,000, sent as a string, e.g. \"1.5\" (INVALID_RATE); a cut needs notice (NOTICE_PERIOD).",
    )
    effective_from: datetime | None = strawberry.field(default=None, description="Default now; a cut needs notice.")


@strawberry.input(description="When a campaign applies: every condition set must hold; one left out always holds.")
class CampaignConditionsInput:
    date_from: date | None = strawberry.field(default=None, description="First store-local date it applies.")
    date_to: date | None = strawberry.field(default=None, description="Last store-local date it applies.")
    day_of_month: int | None = strawberry.field(default=None, description="Only on this day of the month, 1 to 31, e.g. 8 for member day.")
    weekdays: list[int] | None = strawberry.field(default=None, description="Only on these store-local weekdays: Monday is 0, Sunday 6.")
    channels: list[PurchaseChannel] | None = strawberry.field(default=None, description="Only purchases made through these channels.")
    categories: list[str] | None = strawberry.field(
        default=None,
        description="Only lines of these category codes; the others earn no extra.",
    )
    tiers: list[str] | None = strawberry.field(default=None, description="Only members of these tier codes.")
    birthday_month: bool = strawberry.field(default=False, description="True: only in the member's birthday month.")
    first_order: bool = strawberry.field(default=False, description="True: only on the member's first purchase.")
    store_flag: str | None = strawberry.field(
        default=None,
        description="Only at a store that set this flag for the day (setStoreFlag), e.g. RAINY_DAY.",
    )


@strawberry.input(description="A new campaign: exactly one of multiplier and bonusPoints (INVALID_CAMPAIGN, CODE_TAKEN).")
class CreateCampaignInput:
    code: str = strawberry.field(description="A unique code of letters, digits and underscores; stored in upper case.")
    name: str = strawberry.field(description="A name members can read, at most 120 characters; default: the code.")
    multiplier: Decimal | None = strawberry.field(
        default=None,
        description="Multiplies matching lines' points, 1 to 100, sent as a string, e.g. \"2\".",
    )
    bonus_points: int | None = strawberry.field(default=None, description="Points added once per matching purchase.")
    stacking: Stacking = strawberry.field(default=Stacking.BEST_OF, description="How the multiplier combines with other campaigns.")
    conditions: CampaignConditionsInput = strawberry.field(
        default_factory=CampaignConditionsInput,
        description="When it applies; default: always.",
    )
    cap_per_member_per_day: int | None = strawberry.field(
        default=None,
        description="Most extra points one member may get from it per store-local day; null: no cap.",
    )
    cap_per_member: int | None = strawberry.field(default=None, description="Extra points one member may get from the whole campaign.")
    budget: int | None = strawberry.field(default=None, description="Most extra points it may give all members together; null: no budget.")
    starts_at: datetime | None = strawberry.field(default=None, description="When it starts, ISO 8601 with offset; default now.")
    ends_at: datetime | None = strawberry.field(
        default=None,
        description="When it ends, after the notice period (NOTICE_PERIOD); null: until ended.",
    )


@strawberry.input(description="Ends a campaign.")
class EndCampaignInput:
    id: strawberry.ID = strawberry.field(description="The campaign's global ID (CAMPAIGN_NOT_FOUND).")
    ends_at: datetime | None = strawberry.field(default=None, description="Default: the earliest the notice period allows.")


@strawberry.input(description="Sets or clears a flag of a store's day.")
class SetStoreFlagInput:
    store_id: strawberry.ID = strawberry.field(description="The store (STORE_NOT_FOUND); its manager or a chain admin only.")
    flag: str = strawberry.field(description="e.g. RAINY_DAY")
    date: date | None = strawberry.field(default=None, description="The store's local date; default today.")
    on: bool = strawberry.field(default=True, description="True sets the flag, false clears it.")
