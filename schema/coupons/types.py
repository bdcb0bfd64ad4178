"""The coupon wallet's types: a coupon in a member's wallet, and the template it was issued from."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from strawberry.types import Info

from domain.coupons import codes as coupon_codes
from domain.coupons.models import status_at
from schema.relay import Node, to_global_id
from schema.scalars import Money


@strawberry.enum(description="What a coupon grants.")
class CouponKind(Enum):
    AMOUNT_OFF = strawberry.enum_value("AMOUNT_OFF", description="A fixed amount off a purchase.")
    PERCENT_OFF = strawberry.enum_value("PERCENT_OFF", description="A percentage off a purchase, up to a cap.")
    FREE_ITEM = strawberry.enum_value("FREE_ITEM", description="An item handed over at the counter (written off with useCoupon).")
    FREE_DELIVERY = strawberry.enum_value("FREE_DELIVERY", description="The delivery fee of a delivery order.")
    TASTING = strawberry.enum_value("TASTING", description="A new-product tasting at the counter (written off with useCoupon).")


@strawberry.enum(description="Where a coupon stands.")
class CouponStatus(Enum):
    AVAILABLE = strawberry.enum_value("AVAILABLE", description="In the wallet, usable within its validity.")
    USED = strawberry.enum_value("USED", description="Used at a till or written off at a counter.")
    EXPIRED = strawberry.enum_value("EXPIRED", description="Its validity ended before it was used.")
    REVOKED = strawberry.enum_value("REVOKED", description="Taken back by the chain.")


@strawberry.type(description="What a coupon grants and where it applies: the terms every coupon issued from it shares.")
class CouponTemplate(Node):
    name: str = strawberry.field(description="What the member sees, e.g. \"20 yuan off\".")
    description: str = strawberry.field(description="The terms in words; may be empty.")
    kind: CouponKind = strawberry.field(description="What it grants.")
    amount_off: Money | None = strawberry.field(description="AMOUNT_OFF: the amount taken off; null for other kinds.")
    percent_off: int | None = strawberry.field(description="PERCENT_OFF: the percentage, 1 to 100; null for other kinds.")
    cap: Money | None = strawberry.field(description="PERCENT_OFF: the most it takes off; null: no cap, or another kind.")
    item_name: str | None = strawberry.field(description="FREE_ITEM and TASTING: what the counter hands over; null otherwise.")
    minimum_spend: Money = strawberry.field(description="The purchase total it needs; 0.00: none.")
    categories: list[str] = strawberry.field(description="Product categories it applies to; empty: every category.")
    store_ids: list[strawberry.ID] = strawberry.field(description="Global IDs of the stores that accept it; empty: every store.")
    valid_days: int | None = strawberry.field(description="Days a coupon is valid from its issue; null: fixed dates.")
    valid_until: datetime | None = strawberry.field(description="The fixed end of validity; null: validDays from issue.")
    stackable: bool = strawberry.field(description="True when it may be combined with other coupons on one purchase.")
    retired_at: datetime | None = strawberry.field(description="When it stopped issuing coupons (issued ones stay usable); null: active.")

    @classmethod
    def from_model(cls, t) -> CouponTemplate:
        return cls(
            id=strawberry.ID(to_global_id("CouponTemplate", t.id)), name=t.name, description=t.description, kind=CouponKind(t.kind),
            amount_off=Money.from_minor(t.value_fen) if t.kind == "AMOUNT_OFF" else None,
            percent_off=t.percent if t.kind == "PERCENT_OFF" else None,
            cap=Money.from_minor(t.cap_fen) if t.kind == "PERCENT_OFF" and t.cap_fen is not None else None,
            item_name=t.item_name if t.kind in ("FREE_ITEM", "TASTING") else None,
            minimum_spend=Money.from_minor(t.minimum_spend_fen), categories=list(t.categories),
            store_ids=[strawberry.ID(to_global_id("Store", pk)) for pk in t.store_ids], valid_days=t.valid_days,
            valid_until=t.valid_until, stackable=t.stackable, retired_at=t.retired_at,
        )


@strawberry.type(description="A coupon in a member's wallet: shown as a code or QR code at a till or counter.")
class Coupon(Node):
    code: str = strawberry.field(description="Read out or typed at the till; unique.")
    qr_payload: str = strawberry.field(description="What the till scans.")
    issued_at: datetime = strawberry.field(description="When it was issued; ISO 8601 with offset.")
    valid_from: datetime = strawberry.field(description="When it becomes usable.")
    valid_until: datetime = strawberry.field(description="When it stops being usable.")
    used_at: datetime | None = strawberry.field(description="When it was used; null until USED.")
    discount: Money | None = strawberry.field(description="What it took off the purchase it was used on; null until used at a till.")
    template_pk: strawberry.Private[int]
    stored_status: strawberry.Private[str]

    @strawberry.field(description="Available, used, expired or revoked; past validUntil it reads EXPIRED, also before the sweep marked it.")
    def status(self, info: Info) -> CouponStatus:
        return CouponStatus(status_at(self.stored_status, self.valid_until, info.context.clock.now()).value)

    @strawberry.field(description="What it grants (its template's kind).")
    async def kind(self, info: Info) -> CouponKind:
        return CouponKind((await info.context.loaders.coupon_template.load(self.template_pk)).kind)

    @strawberry.field(description="Its terms: what it grants, where and from what spend.")
    async def template(self, info: Info) -> CouponTemplate:
        return CouponTemplate.from_model(await info.context.loaders.coupon_template.load(self.template_pk))

    @classmethod
    def from_model(cls, c) -> Coupon:
        return cls(
            id=strawberry.ID(to_global_id("Coupon", c.id)), code=c.code, qr_payload=coupon_codes.qr_payload(c.code),
            stored_status=c.status, issued_at=c.issued_at, valid_from=c.valid_from, valid_until=c.valid_until,
            used_at=c.used_at, discount=None if c.discount_fen is None else Money.from_minor(c.discount_fen),
            template_pk=c.template_id,
        )
