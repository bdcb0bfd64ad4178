"""Coupons used at a till, inside the purchase's transaction, and given back by its return.

`use_at_till` runs on the purchase's connection: it finds the member's coupons by the codes the
till sent, checks them (store, validity at the purchase's time, the discount rules of
discounts.py) and marks each USED by one conditional UPDATE (AVAILABLE -> USED, valid at that
time). Of two tills racing on one code, one UPDATE moves the row; the other finds it USED and
raises COUPON_ALREADY_USED, which rolls its whole purchase back: nothing of it is written. The
coupons are updated in id order, so two purchases holding the same coupons never deadlock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from domain.coupons import codes, discounts
from domain.coupons.discounts import Discount, TillLine
from domain.coupons.errors import CouponError, CouponErrorCode
from domain.coupons.models import Coupon, CouponStatus, CouponTemplate
from infra import db

MAX_COUPONS = 10


@dataclass(frozen=True)
class UsedCoupon:
    coupon: Coupon
    position: int
    discount_fen: int


@dataclass(frozen=True)
class TillDiscount:
    discount: Discount
    used: tuple[UsedCoupon, ...]


def normalized(coupon_codes: Sequence[str]) -> list[str]:
    """The codes as stored (QR payloads read, typing cleaned), in the till's order: what a
    purchase's fingerprint holds."""
    return [codes.code_from_scan(code) for code in coupon_codes]


def check_count(coupon_codes: Sequence[str]) -> None:
    if len(coupon_codes) > MAX_COUPONS:
        raise CouponError(CouponErrorCode.TOO_MANY_COUPONS, f"A purchase takes at most {MAX_COUPONS} coupons.", field="couponCodes")


async def use_at_till(
    conn, coupon_codes: Sequence[str], *, member_id: int, store_id: int, channel: str, lines: Sequence[TillLine],
    delivery_fee_fen: int, at: datetime, used_ref: str,
) -> TillDiscount:
    """Apply the coupons to a purchase of `member_id` at `store_id` made at `at`, and use them up."""
    check_count(coupon_codes)
    wanted = normalized(coupon_codes)
    if not wanted:
        return TillDiscount(discounts.apply([], lines, channel=channel, delivery_fee_fen=delivery_fee_fen), ())
    found = {c.code: c for c in await Coupon.filter(code__in=[c for c in wanted if codes.is_well_formed(c)]).using_db(conn)}
    templates = {t.id: t for t in await CouponTemplate.filter(id__in={c.template_id for c in found.values()}).using_db(conn)}
    chosen: list[Coupon] = []
    for position, code in enumerate(wanted):
        coupon = found.get(code)
        if coupon is None or coupon.member_id != member_id:  # type: ignore[attr-defined]
            raise CouponError(
                CouponErrorCode.COUPON_NOT_FOUND, "This member has no coupon with that code.", field=discounts.field_of(position)
            )
        if code in wanted[:position]:
            raise CouponError(CouponErrorCode.COUPON_NOT_APPLICABLE, "This coupon is listed twice.", field=discounts.field_of(position))
        check_usable(coupon, templates[coupon.template_id], store_id, at, field=discounts.field_of(position))  # type: ignore[attr-defined]
        chosen.append(coupon)
    terms = [discounts.Terms.of(templates[c.template_id]) for c in chosen]  # type: ignore[attr-defined]
    discount = discounts.apply(terms, lines, channel=channel, delivery_fee_fen=delivery_fee_fen)
    used = [UsedCoupon(chosen[a.position], a.position, a.discount_fen) for a in discount.applied]
    for item in sorted(used, key=lambda u: u.coupon.id):
        moved = await db.execute(
            "UPDATE coupon SET status = 'USED', used_at = $1, used_store_id = $2, used_ref = $3, discount_fen = $4"
            " WHERE id = $5 AND status = 'AVAILABLE' AND valid_from <= $1 AND valid_until > $1",
            at, store_id, used_ref, item.discount_fen, item.coupon.id, connection=conn,
        )
        if moved != 1:
            now_stored = await Coupon.get(id=item.coupon.id).using_db(conn)
            raise closed(now_stored, at, field=discounts.field_of(item.position))
    return TillDiscount(discount, tuple(used))


def check_usable(coupon: Coupon, template: CouponTemplate, store_id: int, at: datetime, *, field: str) -> None:
    """The checks every use makes before its conditional UPDATE: status, validity at `at`, store."""
    if coupon.status != CouponStatus.AVAILABLE or coupon.valid_until <= at:
        raise closed(coupon, at, field=field)
    if coupon.valid_from > at:
        raise CouponError(CouponErrorCode.COUPON_NOT_APPLICABLE, "This coupon is not valid yet.", field=field)
    if template.store_ids and store_id not in template.store_ids:
        raise CouponError(CouponErrorCode.COUPON_NOT_APPLICABLE, "This store does not accept this coupon.", field=field)


def closed(coupon: Coupon, at: datetime, *, field: str) -> CouponError:
    """Why a coupon that is not AVAILABLE (or no longer valid at `at`) cannot be used."""
    if coupon.status == CouponStatus.USED:
        return CouponError(CouponErrorCode.COUPON_ALREADY_USED, "This coupon was used already.", field=field)
    if coupon.status == CouponStatus.REVOKED:
        return CouponError(CouponErrorCode.COUPON_NOT_APPLICABLE, "This coupon was revoked.", field=field)
    if coupon.status == CouponStatus.EXPIRED or coupon.valid_until <= at:
        return CouponError(CouponErrorCode.COUPON_EXPIRED, "This coupon has expired.", field=field)
    return CouponError(CouponErrorCode.COUPON_NOT_APPLICABLE, "This coupon is not valid yet.", field=field)


async def give_back(conn, used_ref: str, now: datetime) -> list[int]:
    """The coupons `used_ref` used, AVAILABLE again when still valid `now` (their used fields
    cleared); the ids of those given back. A coupon past its validity stays USED."""
    rows = await db.fetch(
        "UPDATE coupon SET status = 'AVAILABLE', used_at = NULL, used_store_id = NULL, used_ref = NULL, discount_fen = NULL"
        " WHERE used_ref = $1 AND status = 'USED' AND valid_until > $2 RETURNING id",
        used_ref, now, connection=conn,
    )
    return sorted(row["id"] for row in rows)
