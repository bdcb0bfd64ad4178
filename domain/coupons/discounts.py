"""What coupons take off a purchase, as a pure calculation: no database, money in integer fen.

The rules, coupon by coupon in the order the till sent them:

1. A counter coupon (TASTING, FREE_ITEM) is handed over with useCoupon, never at a till:
   COUPON_NOT_APPLICABLE.
2. A coupon that is not stackable goes alone: with any other coupon on the purchase, the first
   non-stackable one is COUPON_NOT_APPLICABLE.
3. A coupon applies to its eligible lines: those of its categories (no categories: every line).
   No eligible line is COUPON_NOT_APPLICABLE. The minimum spend counts the eligible lines at
   their full price (before any coupon): below it is MINIMUM_SPEND_NOT_MET.
4. What it takes off, from what its eligible lines still cost after the coupons before it:
   - AMOUNT_OFF: its amount, never more than those lines still cost;
   - PERCENT_OFF: the percentage of it, rounded up to the fen (in the member's favour), then
     cut to the cap;
   - FREE_DELIVERY: a DELIVERY purchase's delivery fee (at most its amount when it has one);
     on another channel, or with no fee left, COUPON_NOT_APPLICABLE.
   A coupon that would take nothing off is COUPON_NOT_APPLICABLE: it is not used up for nothing.
5. A line coupon's discount is spread over its eligible lines in proportion to what each still
   costs (largest remainder, so the shares add up exactly); no line goes below zero, so the
   discounts never exceed the purchase's total. The lines earn points on what is left.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from domain.coupons.errors import CouponError, CouponErrorCode
from domain.coupons.models import COUNTER_KINDS, CouponKind

DELIVERY = "DELIVERY"


@dataclass(frozen=True)
class TillLine:
    category: str
    total_fen: int


@dataclass(frozen=True)
class Terms:
    """A coupon's terms, from its template."""

    kind: CouponKind
    value_fen: int = 0
    percent: int = 0
    cap_fen: int | None = None
    minimum_spend_fen: int = 0
    categories: frozenset[str] = frozenset()
    stackable: bool = False

    @classmethod
    def of(cls, template) -> Terms:
        return cls(
            kind=CouponKind(template.kind), value_fen=template.value_fen, percent=template.percent, cap_fen=template.cap_fen,
            minimum_spend_fen=template.minimum_spend_fen, categories=frozenset(c.upper() for c in template.categories),
            stackable=template.stackable,
        )


@dataclass(frozen=True)
class Applied:
    """What one coupon took off: its lines' shares and the delivery fee it waived."""

    position: int
    line_shares: tuple[int, ...]
    delivery_fen: int = 0

    @property
    def discount_fen(self) -> int:
        return sum(self.line_shares) + self.delivery_fen


@dataclass(frozen=True)
class Discount:
    applied: tuple[Applied, ...]
    line_discounts: tuple[int, ...]  # per line, every coupon's share summed
    delivery_fen: int

    @property
    def total_fen(self) -> int:
        return sum(self.line_discounts) + self.delivery_fen


def field_of(position: int) -> str:
    return f"couponCodes.{position}"


def _refused(code: CouponErrorCode, message: str, position: int) -> CouponError:
    return CouponError(code, message, field=field_of(position))


def apply(coupons: Sequence[Terms], lines: Sequence[TillLine], *, channel: str, delivery_fee_fen: int = 0) -> Discount:
    """The discount of `coupons` (in the till's order) on a purchase, by the rules above."""
    for position, terms in enumerate(coupons):
        if terms.kind in COUNTER_KINDS:
            raise _refused(
                CouponErrorCode.COUPON_NOT_APPLICABLE, "This coupon is handed over at the counter, not used at a till.", position
            )
    if len(coupons) > 1:
        for position, terms in enumerate(coupons):
            if not terms.stackable:
                raise _refused(CouponErrorCode.COUPON_NOT_APPLICABLE, "This coupon cannot be combined with another coupon.", position)
    left = [line.total_fen for line in lines]
    delivery_left = delivery_fee_fen
    applied = []
    for position, terms in enumerate(coupons):
        eligible = [i for i, line in enumerate(lines) if not terms.categories or line.category.upper() in terms.categories]
        if not eligible:
            raise _refused(CouponErrorCode.COUPON_NOT_APPLICABLE, "Nothing in this purchase is of the coupon's categories.", position)
        spend = sum(lines[i].total_fen for i in eligible)
        if spend < terms.minimum_spend_fen:
            raise _refused(
                CouponErrorCode.MINIMUM_SPEND_NOT_MET,
                f"This coupon needs a spend of {_yuan(terms.minimum_spend_fen)} yuan on the items it covers"
                f" ({_yuan(spend)} yuan here).", position,
            )
        if terms.kind is CouponKind.FREE_DELIVERY:
            if channel != DELIVERY:
                raise _refused(CouponErrorCode.COUPON_NOT_APPLICABLE, "Free delivery applies to a delivery order only.", position)
            waived = min(delivery_left, terms.value_fen) if terms.value_fen else delivery_left
            if waived <= 0:
                raise _refused(CouponErrorCode.COUPON_NOT_APPLICABLE, "This delivery order has no delivery fee to waive.", position)
            delivery_left -= waived
            applied.append(Applied(position, (0,) * len(lines), waived))
            continue
        remaining = sum(left[i] for i in eligible)
        off = amount_off(terms, remaining)
        if off <= 0:
            raise _refused(CouponErrorCode.COUPON_NOT_APPLICABLE, "There is nothing left for this coupon to take off.", position)
        shares = [0] * len(lines)
        for i, share in zip(eligible, spread(off, [left[i] for i in eligible]), strict=True):
            shares[i] = share
            left[i] -= share
        applied.append(Applied(position, tuple(shares)))
    line_discounts = tuple(line.total_fen - rest for line, rest in zip(lines, left, strict=True))
    return Discount(tuple(applied), line_discounts, delivery_fee_fen - delivery_left)


def amount_off(terms: Terms, remaining_fen: int) -> int:
    """What an AMOUNT_OFF or PERCENT_OFF coupon takes off `remaining_fen`: never more than it."""
    if terms.kind is CouponKind.AMOUNT_OFF:
        return min(terms.value_fen, remaining_fen)
    if terms.kind is CouponKind.PERCENT_OFF:
        off = -(-remaining_fen * terms.percent // 100)  # rounded up: the member's favour
        if terms.cap_fen is not None:
            off = min(off, terms.cap_fen)
        return min(off, remaining_fen)
    raise ValueError(f"{terms.kind} takes nothing off the lines")


def spread(amount: int, weights: Sequence[int]) -> list[int]:
    """`amount` over `weights` by largest remainder (ties to the earlier weight): the shares add up
    to `amount`, and none exceeds its weight when `amount` does not exceed their sum."""
    total = sum(weights)
    if amount > total:
        raise ValueError("cannot take more than the lines cost")
    if total == 0:
        return [0] * len(weights)
    shares = [amount * weight // total for weight in weights]
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(amount * weights[i] % total), i))
    for i in by_remainder[: amount - sum(shares)]:
        shares[i] += 1
    return shares


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"
