"""The coupon wallet's inputs."""

from __future__ import annotations

from datetime import datetime

import strawberry

from schema.coupons.types import CouponKind, CouponStatus
from schema.scalars import MoneyInput


@strawberry.input(description="A coupon template: what its coupons grant, where, from what spend and for how long.")
class CreateCouponTemplateInput:
    name: str = strawberry.field(description="What the member sees, 1 to 120 characters (INVALID_NAME, TOO_LONG).")
    kind: CouponKind = strawberry.field(description="What its coupons grant.")
    description: str = strawberry.field(default="", description="The terms in words, up to 2,000 characters; line breaks allowed.")
    amount_off: MoneyInput | None = strawberry.field(
        default=None,
        description="AMOUNT_OFF: the amount taken off (required, above 0). FREE_DELIVERY: the most of the fee it waives; null: all of it.",
    )
    percent_off: int | None = strawberry.field(default=None, description="PERCENT_OFF: 1 to 100 percent (required).")
    cap: MoneyInput | None = strawberry.field(default=None, description="PERCENT_OFF: the most it takes off; null: no cap.")
    item_name: str | None = strawberry.field(
        default=None, description="FREE_ITEM and TASTING: what the counter hands over (required), up to 120 characters."
    )
    minimum_spend: MoneyInput | None = strawberry.field(
        default=None, description="What the items it covers must cost at full price; null: no minimum."
    )
    categories: list[str] = strawberry.field(
        default_factory=list, description="Product category codes it covers, up to 50; empty: every category."
    )
    store_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Global IDs of the stores that accept it, up to 200 (STORE_NOT_FOUND); empty: every store."
    )
    valid_from: datetime | None = strawberry.field(
        default=None, description="With validUntil: when its coupons become usable; null: from their issue."
    )
    valid_until: datetime | None = strawberry.field(
        default=None, description="Fixed dates: when its coupons stop being usable. Give this or validDays, one of the two."
    )
    valid_days: int | None = strawberry.field(default=None, description="Days a coupon is valid from its issue, 1 to 3,650.")
    stackable: bool = strawberry.field(
        default=False, description="True: may be combined with other stackable coupons on one purchase; false: goes alone."
    )


@strawberry.input(description="A template to retire: it issues no new coupons; issued ones stay usable.")
class RetireCouponTemplateInput:
    template_id: strawberry.ID = strawberry.field(description="The template's global ID (TEMPLATE_NOT_FOUND).")


@strawberry.input(description="A coupon granted to a member by a chain admin (support, goodwill).")
class IssueCouponInput:
    template_id: strawberry.ID = strawberry.field(description="The template's global ID (TEMPLATE_NOT_FOUND, TEMPLATE_RETIRED).")
    member_id: strawberry.ID = strawberry.field(description="The member's global ID (MEMBER_NOT_FOUND).")
    idempotency_key: str = strawberry.field(description="Made by the client, 1 to 255 characters: a retry with it grants nothing more.")


@strawberry.input(description="A counter coupon (TASTING, FREE_ITEM) handed over: written off once.")
class UseCouponInput:
    code: str = strawberry.field(description="The coupon's code as typed, or its scanned QR payload (ORCHARD:C:...).")
    store_id: strawberry.ID = strawberry.field(description="The store handing it over: staff and devices use their own.")
    idempotency_key: str = strawberry.field(
        description="Made by the client, 1 to 255 characters: a retry with it writes nothing off again."
    )


@strawberry.input(description="Narrows a member's coupons.")
class CouponFilter:
    status: CouponStatus | None = strawberry.field(
        default=None, description="Only coupons of this status as it reads now (past validity reads EXPIRED); null: all."
    )
