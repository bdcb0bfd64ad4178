"""Mall rules as pure functions: the price order, limit periods, stock spreading, redemption codes."""

from __future__ import annotations

import random
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from domain.mall import codes
from domain.mall.limits import LimitPeriod, period_key
from domain.mall.pricing import PriceRule, RuleKind, TierDiscount, apply_percent, effective_price
from domain.mall.stock import fill, spread
from domain.members.codes import check_character

MEMBER_DAY = PriceRule("MEMBER-DAY", "Member day", RuleKind.MEMBER_DAY, -20, day_of_month=8)
PEAK = PriceRule("PEAK", "Spring Festival", RuleKind.SEASONAL, 20, frozenset({"HIGH"}),
                 date_from=date(2026, 2, 1), date_to=date(2026, 2, 28))
OFF_SEASON = PriceRule("SUMMER", "Summer", RuleKind.SEASONAL, -10, frozenset({"HIGH"}),
                       date_from=date(2026, 7, 1), date_to=date(2026, 8, 31))
GOLD = TierDiscount("GOLD", "Gold", 5)


def test_member_day_turns_a_thousand_point_box_into_eight_hundred():
    price = effective_price(1000, 0, "MIDDLE", date(2026, 3, 8), [MEMBER_DAY])
    assert price.points == 800 and [(r.code, r.points_before, r.points_after) for r in price.reasons] == [("MEMBER-DAY", 1000, 800)]
    assert effective_price(1000, 0, "MIDDLE", date(2026, 3, 9), [MEMBER_DAY]).points == 1000


def test_order_is_season_then_member_day_then_tier_whatever_the_rule_order():
    price = effective_price(999, 500, "HIGH", date(2026, 2, 8), [MEMBER_DAY, PEAK], GOLD)
    assert [r.kind.value for r in price.reasons] == ["SEASONAL", "MEMBER_DAY", "TIER"]
    # 999 * 1.2 = 1198.8 -> 1198; * 0.8 = 958.4 -> 958; * 0.95 = 910.1 -> 910: each step rounds down
    assert [r.points_after for r in price.reasons] == [1198, 958, 910] and price.points == 910
    assert price.cash_fen == 500 and price.total_points(3) == 2730 and price.total_cash_fen(3) == 1500


def test_band_limited_rules_skip_other_bands_and_dates_outside_the_range():
    assert effective_price(1000, 0, "LOW", date(2026, 2, 10), [PEAK]).reasons == ()
    assert effective_price(1000, 0, "HIGH", date(2026, 3, 1), [PEAK]).reasons == ()
    assert effective_price(1000, 0, "HIGH", date(2026, 8, 31), [OFF_SEASON]).points == 900


def test_a_full_discount_is_free_and_never_negative():
    assert effective_price(100, 0, "LOW", date(2026, 1, 8), [], TierDiscount("VIP", "VIP", 100)).points == 0
    assert apply_percent(7, -100) == 0 and apply_percent(0, 500) == 0


def test_member_day_on_the_31st_skips_short_months():
    last = PriceRule("LAST", "Last day", RuleKind.MEMBER_DAY, -10, day_of_month=31)
    assert effective_price(100, 0, "LOW", date(2026, 4, 30), [last]).points == 100
    assert effective_price(100, 0, "LOW", date(2026, 5, 31), [last]).points == 90


rules = st.lists(
    st.builds(
        PriceRule, code=st.text("ABCDEF", min_size=1, max_size=4), name=st.just("rule"),
        kind=st.sampled_from(list(RuleKind)), percent=st.integers(-100, 500).filter(bool),
        bands=st.frozensets(st.sampled_from(["LOW", "MIDDLE", "HIGH"])), day_of_month=st.integers(1, 31),
        date_from=st.just(date(2026, 1, 1)), date_to=st.just(date(2026, 12, 31)),
    ),
    max_size=5, unique_by=lambda rule: rule.code,  # codes are unique, as in the table
)


@given(points=st.integers(0, 1_000_000), band=st.sampled_from(["LOW", "MIDDLE", "HIGH"]),
       day=st.dates(date(2026, 1, 1), date(2026, 12, 31)), chosen=rules, discount=st.integers(0, 100))
def test_the_reasons_chain_from_the_list_price_to_the_price(points, band, day, chosen, discount):
    tier = TierDiscount("T", "T", discount)
    price = effective_price(points, 0, band, day, chosen, tier)
    steps = [points] + [r.points_after for r in price.reasons]
    assert all(r.points_before == before for r, before in zip(price.reasons, steps, strict=False))  # steps has one more: the price
    assert steps[-1] == price.points >= 0
    shuffled = list(chosen)
    random.shuffle(shuffled)
    assert effective_price(points, 0, band, day, shuffled, tier) == price


def test_limit_periods_follow_the_local_calendar():
    day = date(2026, 1, 1)  # a Thursday in ISO week 2026-W01
    assert [period_key(p, day) for p in LimitPeriod] == ["2026-01-01", "2026-W01", "2026-01", "LIFETIME"]
    assert period_key(LimitPeriod.WEEK, date(2027, 1, 1)) == "2026-W53"


def test_stock_spreads_evenly_and_restocks_fill_the_lowest_buckets():
    assert spread(10, 4) == [3, 3, 2, 2] and spread(0, 3) == [0, 0, 0] and sum(spread(101, 16)) == 101
    assert fill({0: 5, 1: 0, 2: 2}, 4) == {1: 3, 2: 1}
    assert fill({0: 1, 1: 2}, 7) == {0: 4, 1: 3}


@given(levels=st.lists(st.integers(0, 50), min_size=1, max_size=16), quantity=st.integers(0, 500))
def test_a_restock_adds_exactly_the_quantity_and_evens_the_buckets(levels, quantity):
    current = dict(enumerate(levels))
    added = fill(current, quantity)
    assert sum(added.values()) == quantity and all(units >= 0 for units in added.values())
    raised = [current[b] + added[b] for b in added]
    assert max(raised) - min(raised) <= 1  # the lowest buckets end level with each other
    assert all(current[b] >= max(raised) for b in current if b not in added)  # and no higher than the others


def test_redemption_codes_carry_a_check_character():
    code = codes.new_code()
    assert len(code) == 8 and check_character(code[:-1]) == code[-1]
    typo = code[:2] + ("2" if code[2] != "2" else "3") + code[3:]
    assert check_character(typo[:-1]) != typo[-1]
    assert codes.code_from_scan(f" orchard:r:{code.lower()} ") == code
