"""The discount arithmetic of domain/coupons/discounts.py, without a database."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.coupons.discounts import Terms, TillLine, amount_off, apply, spread
from domain.coupons.errors import CouponError
from domain.coupons.models import CouponKind

FRUIT = TillLine("DOMESTIC_FRUIT", 3000)
IMPORTED = TillLine("IMPORTED_FRUIT", 1200)


def _refusal(coupons, lines, **kw) -> tuple[str, str]:
    with pytest.raises(CouponError) as caught:
        apply(coupons, lines, channel=kw.pop("channel", "IN_STORE"), **kw)
    return caught.value.code, caught.value.field


def test_amount_off_never_takes_more_than_its_lines_cost():
    off = Terms(CouponKind.AMOUNT_OFF, value_fen=2000, categories=frozenset({"IMPORTED_FRUIT"}))
    result = apply([off], [FRUIT, IMPORTED], channel="IN_STORE")
    assert result.line_discounts == (0, 1200) and result.total_fen == 1200


def test_percent_off_rounds_up_to_the_fen_and_stops_at_its_cap():
    assert amount_off(Terms(CouponKind.PERCENT_OFF, percent=15), 3333) == 500  # 499.95 -> 500
    assert amount_off(Terms(CouponKind.PERCENT_OFF, percent=15), 1) == 1
    assert amount_off(Terms(CouponKind.PERCENT_OFF, percent=50, cap_fen=1000), 10_000) == 1000
    assert amount_off(Terms(CouponKind.PERCENT_OFF, percent=100), 777) == 777


def test_stacked_coupons_apply_in_order_on_what_is_left():
    fifty_capped = Terms(CouponKind.PERCENT_OFF, percent=50, cap_fen=1000, stackable=True)
    fifteen = Terms(CouponKind.PERCENT_OFF, percent=15, stackable=True)
    result = apply([fifty_capped, fifteen], [TillLine("X", 10_000)], channel="IN_STORE")
    assert [a.discount_fen for a in result.applied] == [1000, 1350] and result.total_fen == 2350


def test_the_minimum_spend_counts_the_eligible_lines_at_full_price():
    terms = Terms(CouponKind.AMOUNT_OFF, value_fen=500, minimum_spend_fen=2000, categories=frozenset({"IMPORTED_FRUIT"}))
    assert _refusal([terms], [FRUIT, IMPORTED]) == ("MINIMUM_SPEND_NOT_MET", "couponCodes.0")
    assert apply([terms], [FRUIT, IMPORTED, IMPORTED], channel="IN_STORE").total_fen == 500


def test_refusals_name_the_coupon_at_fault():
    stackable = Terms(CouponKind.AMOUNT_OFF, value_fen=100, stackable=True)
    alone = Terms(CouponKind.AMOUNT_OFF, value_fen=100)
    assert _refusal([stackable, alone], [FRUIT]) == ("COUPON_NOT_APPLICABLE", "couponCodes.1")
    assert _refusal([stackable, Terms(CouponKind.TASTING)], [FRUIT]) == ("COUPON_NOT_APPLICABLE", "couponCodes.1")
    assert _refusal([Terms(CouponKind.FREE_ITEM)], [FRUIT]) == ("COUPON_NOT_APPLICABLE", "couponCodes.0")
    other = Terms(CouponKind.AMOUNT_OFF, value_fen=100, categories=frozenset({"GIFT_BOX"}))
    assert _refusal([other], [FRUIT]) == ("COUPON_NOT_APPLICABLE", "couponCodes.0")
    everything = Terms(CouponKind.PERCENT_OFF, percent=100, stackable=True)
    assert _refusal([everything, stackable], [FRUIT]) == ("COUPON_NOT_APPLICABLE", "couponCodes.1")  # nothing left


def test_free_delivery_needs_a_delivery_order_with_a_fee():
    delivery = Terms(CouponKind.FREE_DELIVERY)
    assert _refusal([delivery], [FRUIT], delivery_fee_fen=600) == ("COUPON_NOT_APPLICABLE", "couponCodes.0")
    assert _refusal([delivery], [FRUIT], channel="DELIVERY") == ("COUPON_NOT_APPLICABLE", "couponCodes.0")
    waived = apply([delivery], [FRUIT], channel="DELIVERY", delivery_fee_fen=600)
    assert (waived.delivery_fen, waived.line_discounts) == (600, (0,))
    part = apply([Terms(CouponKind.FREE_DELIVERY, value_fen=500)], [FRUIT], channel="DELIVERY", delivery_fee_fen=800)
    assert part.delivery_fen == 500


def test_spread_is_exact_and_keeps_each_share_within_its_line():
    assert spread(10, [10, 10, 10]) == [4, 3, 3]
    assert spread(7, [3, 4]) == [3, 4]
    assert spread(0, [5, 5]) == [0, 0]
    with pytest.raises(ValueError):
        spread(11, [5, 5])


@given(
    totals=st.lists(st.integers(min_value=0, max_value=10_000_000), min_size=1, max_size=8),
    coupons=st.lists(
        st.tuples(st.sampled_from(["AMOUNT", "PERCENT"]), st.integers(min_value=1, max_value=2_000_000), st.integers(1, 100)),
        min_size=1, max_size=4,
    ),
)
def test_discounts_add_up_and_never_exceed_any_line(totals, coupons):
    lines = [TillLine("X", total) for total in totals]
    terms = [
        Terms(CouponKind.AMOUNT_OFF, value_fen=value, stackable=True) if kind == "AMOUNT"
        else Terms(CouponKind.PERCENT_OFF, percent=percent, cap_fen=value, stackable=True)
        for kind, value, percent in coupons
    ]
    try:
        result = apply(terms, lines, channel="IN_STORE")
    except CouponError as exc:
        assert exc.code == "COUPON_NOT_APPLICABLE"  # nothing left for a later coupon, or nothing at all
        return
    assert all(0 <= d <= line.total_fen for d, line in zip(result.line_discounts, lines, strict=True))
    assert sum(a.discount_fen for a in result.applied) == result.total_fen <= sum(totals)
    for applied, (_, value, _) in zip(result.applied, coupons, strict=True):
        assert 0 < applied.discount_fen <= value
