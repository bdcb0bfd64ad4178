"""Purchase points as a pure calculation: category rates, tier multiplier, campaigns, caps, cash offset."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.earning.calculator import (
    CampaignAward,
    CampaignConditions,
    CampaignRule,
    EarnRates,
    Line,
    PurchaseContext,
    birthday_in_month,
    calculate_earning,
    cash_offset,
    pro_rata,
)

IMPORTED = "IMPORTED_FRUIT"
DOMESTIC = "DOMESTIC_FRUIT"
RATES = EarnRates({IMPORTED: Decimal(2), DOMESTIC: Decimal(1)}, default=Decimal("0.5"))
A_TUESDAY = date(2025, 6, 10)
MEMBER_DAY = date(2025, 6, 8)


def purchase_on(local_date: date = A_TUESDAY, **overrides) -> PurchaseContext:
    defaults = dict(local_date=local_date, channel="IN_STORE", tier_code="REGULAR", tier_multiplier=Decimal(1))
    return PurchaseContext(**{**defaults, **overrides})


def imported(yuan: int, sku: str = "MANGO") -> Line:
    return Line(sku, IMPORTED, quantity=1, unit_price_fen=yuan * 100)


def domestic(yuan: int, sku: str = "APPLE") -> Line:
    return Line(sku, DOMESTIC, quantity=1, unit_price_fen=yuan * 100)


def multiplier(code: str, times: str, stacking: str = "BEST_OF", **conditions) -> CampaignRule:
    return CampaignRule(code, CampaignConditions(**conditions), multiplier=Decimal(times), stacking=stacking)


def awards_of(result) -> dict[str, int]:
    return {award.code: award.points for award in result.awards}


# Rules 1 and 2: base points and tier points


def test_imported_fruit_earns_two_points_a_yuan_and_domestic_one():
    result = calculate_earning([imported(10), domestic(10)], RATES, purchase_on())
    assert [(p.sku, p.base_points) for p in result.lines] == [("MANGO", 20), ("APPLE", 10)]
    assert result.purchase_points == result.total == 30
    assert result.awards == ()


def test_base_points_are_floored_per_line_and_unknown_categories_use_the_default_rate():
    lines = [Line("KIWI", DOMESTIC, quantity=3, unit_price_fen=333), Line("NUTS", "SNACKS", quantity=1, unit_price_fen=1000)]
    result = calculate_earning(lines, RATES, purchase_on())
    assert [p.base_points for p in result.lines] == [9, 5]


def test_tier_multiplier_applies_per_line_and_is_floored():
    result = calculate_earning([imported(7, "A"), imported(7, "B")], RATES, purchase_on(tier_multiplier=Decimal("1.25")))
    assert [(p.base_points, p.tier_points) for p in result.lines] == [(14, 17), (14, 17)]
    assert result.purchase_points == 34


# Rule 3: campaigns


def test_member_day_triples_only_on_the_8th_of_the_store_local_calendar():
    member_day = multiplier("MEMBER_DAY", "3", day_of_month=8)
    late_on_the_7th_in_utc = datetime(2025, 6, 7, 17, 0, tzinfo=UTC)
    local_date = late_on_the_7th_in_utc.astimezone(ZoneInfo("Asia/Shanghai")).date()

    on_the_8th = calculate_earning([domestic(10)], RATES, purchase_on(local_date), [member_day])
    on_the_9th = calculate_earning([domestic(10)], RATES, purchase_on(date(2025, 6, 9)), [member_day])

    assert on_the_8th.awards == (CampaignAward("MEMBER_DAY", 20, capped=False),)
    assert on_the_8th.total == 30
    assert on_the_9th.awards == () and on_the_9th.total == 10


def test_birthday_month_doubles_points():
    birthday = multiplier("BIRTHDAY", "2", birthday_month=True)
    in_june = calculate_earning([domestic(10)], RATES, purchase_on(birthday=date(1990, 6, 30)), [birthday])
    in_july = calculate_earning([domestic(10)], RATES, purchase_on(birthday=date(1990, 7, 1)), [birthday])
    unknown = calculate_earning([domestic(10)], RATES, purchase_on(birthday=None), [birthday])
    assert in_june.total == 20
    assert in_july.total == unknown.total == 10


def test_birthday_in_month_compares_months_only():
    assert birthday_in_month(date(1990, 6, 30), date(2025, 6, 1))
    assert not birthday_in_month(date(1990, 5, 31), date(2025, 6, 1))
    assert not birthday_in_month(None, date(2025, 6, 1))


@pytest.mark.parametrize(
    ("channel", "flags", "expected_total"),
    [
        ("ONLINE", {"RAINY_DAY"}, 20),
        ("DELIVERY", {"RAINY_DAY"}, 20),
        ("IN_STORE", {"RAINY_DAY"}, 10),
        ("ONLINE", set(), 10),
    ],
)
def test_rainy_day_doubles_only_remote_orders_when_the_store_flag_is_set(channel, flags, expected_total):
    rainy = multiplier("RAINY", "2", store_flag="RAINY_DAY", channels=frozenset({"ONLINE", "DELIVERY"}))
    context = purchase_on(channel=channel, store_flags=frozenset(flags))
    assert calculate_earning([domestic(10)], RATES, context, [rainy]).total == expected_total


def test_best_of_counts_only_the_largest_multiplier():
    member_day = multiplier("MEMBER_DAY", "3", day_of_month=8)
    first_order = multiplier("FIRST_ORDER", "2", first_order=True)
    result = calculate_earning([domestic(10)], RATES, purchase_on(MEMBER_DAY, is_first_order=True), [first_order, member_day])
    assert awards_of(result) == {"MEMBER_DAY": 20}
    assert result.total == 30


def test_best_of_tie_goes_to_the_smaller_code():
    campaigns = [multiplier("B_PROMO", "2"), multiplier("A_PROMO", "2")]
    assert awards_of(calculate_earning([domestic(10)], RATES, purchase_on(), campaigns)) == {"A_PROMO": 10}


def test_multiply_stacks_on_the_best_of_and_each_campaign_gets_the_increase_it_causes():
    member_day = multiplier("MEMBER_DAY", "3", day_of_month=8)
    birthday = multiplier("BIRTHDAY", "2", stacking="MULTIPLY", birthday_month=True)
    context = purchase_on(MEMBER_DAY, birthday=date(1990, 6, 20))
    result = calculate_earning([domestic(10)], RATES, context, [birthday, member_day])
    assert result.total == 60
    assert awards_of(result) == {"MEMBER_DAY": 20, "BIRTHDAY": 30}
    assert [award.code for award in result.awards] == ["BIRTHDAY", "MEMBER_DAY"]


def test_multiply_campaigns_attribute_in_code_order_with_exact_floors():
    campaigns = [multiplier("Z_PROMO", "1.5", stacking="MULTIPLY"), multiplier("A_PROMO", "1.5", stacking="MULTIPLY")]
    result = calculate_earning([domestic(7)], RATES, purchase_on(), campaigns)
    # 7 * 1.5 * 1.5 = 15.75: extra 8 in all, 3 from A_PROMO (7 -> 10.5), then 5 from Z_PROMO
    assert awards_of(result) == {"A_PROMO": 3, "Z_PROMO": 5}
    assert result.total == 15


def test_category_limited_campaign_touches_only_its_lines():
    imported_week = multiplier("IMPORTED_WEEK", "2", categories=frozenset({IMPORTED}))
    result = calculate_earning([imported(10), domestic(10)], RATES, purchase_on(), [imported_week])
    assert awards_of(result) == {"IMPORTED_WEEK": 20}
    assert result.total == 50


def test_campaign_outside_its_dates_weekdays_or_tiers_does_not_apply():
    outside = [
        multiplier("EXPIRED", "2", date_to=date(2025, 6, 9)),
        multiplier("NOT_YET", "2", date_from=date(2025, 6, 11)),
        multiplier("WEEKEND", "2", weekdays=frozenset({5, 6})),
        multiplier("DIAMOND_ONLY", "2", tiers=frozenset({"DIAMOND"})),
    ]
    inside = multiplier("JUNE_TUESDAYS", "2", date_from=date(2025, 6, 1), date_to=A_TUESDAY, weekdays=frozenset({1}))
    result = calculate_earning([domestic(10)], RATES, purchase_on(), [*outside, inside])
    assert awards_of(result) == {"JUNE_TUESDAYS": 10}


def test_first_order_doubles_points():
    first_order = multiplier("FIRST_ORDER", "2", first_order=True)
    assert calculate_earning([domestic(10)], RATES, purchase_on(is_first_order=True), [first_order]).total == 20
    assert calculate_earning([domestic(10)], RATES, purchase_on(is_first_order=False), [first_order]).total == 10


def test_bonus_campaign_adds_its_points_once_per_purchase():
    pairing = CampaignRule("ZONGZI_PAIRING", CampaignConditions(categories=frozenset({IMPORTED})), bonus_points=50)
    with_imported = calculate_earning([imported(10, "A"), imported(10, "B")], RATES, purchase_on(), [pairing])
    without = calculate_earning([domestic(10)], RATES, purchase_on(), [pairing])
    assert with_imported.awards == (CampaignAward("ZONGZI_PAIRING", 50, capped=False),)
    assert with_imported.total == 40 + 50
    assert without.total == 10


# Rule 4: caps


def test_per_day_cap_counts_what_the_member_already_got_today():
    capped = replace(multiplier("DOUBLE", "2"), cap_per_member_per_day=50, already_given_today=30)
    result = calculate_earning([domestic(100)], RATES, purchase_on(), [capped])
    assert result.awards == (CampaignAward("DOUBLE", 20, capped=True),)
    assert result.total == 120


def test_cap_already_used_up_gives_nothing_but_never_takes_points():
    used_up = replace(multiplier("DOUBLE", "2"), cap_per_member_per_day=50, already_given_today=80)
    result = calculate_earning([domestic(100)], RATES, purchase_on(), [used_up])
    assert result.awards == ()
    assert result.total == 100


def test_a_used_up_campaign_does_not_hide_a_smaller_one():
    used_up = replace(multiplier("TRIPLE", "3"), remaining_budget=0)
    result = calculate_earning([domestic(100)], RATES, purchase_on(), [used_up, multiplier("DOUBLE", "2")])
    assert result.awards == (CampaignAward("DOUBLE", 100, capped=False),)
    assert result.total == 200


def test_remaining_budget_cuts_the_extra():
    almost_spent = replace(multiplier("DOUBLE", "2"), cap_per_member_per_day=1000, remaining_budget=5)
    result = calculate_earning([domestic(100)], RATES, purchase_on(), [almost_spent])
    assert result.awards == (CampaignAward("DOUBLE", 5, capped=True),)


def test_extra_within_the_caps_is_not_marked_capped():
    roomy = replace(multiplier("DOUBLE", "2"), cap_per_member_per_day=100, remaining_budget=100)
    result = calculate_earning([domestic(100)], RATES, purchase_on(), [roomy])
    assert result.awards == (CampaignAward("DOUBLE", 100, capped=False),)


def test_bonus_is_capped_too():
    bonus = CampaignRule("WELCOME", bonus_points=50, remaining_budget=10)
    assert calculate_earning([domestic(1)], RATES, purchase_on(), [bonus]).awards == (CampaignAward("WELCOME", 10, capped=True),)


# Cash offset


def test_cash_offset_reduces_the_earning_amount_pro_rata_over_the_lines():
    context = purchase_on(cash_offset_fen=1000)
    result = calculate_earning([imported(10), domestic(10)], RATES, context)
    assert [(p.earning_fen, p.base_points) for p in result.lines] == [(500, 10), (500, 5)]


def test_cash_offset_is_at_most_half_the_order():
    assert cash_offset(5000, order_total_fen=2000) == (1000, 1000)
    assert cash_offset(300, order_total_fen=2000) == (300, 300)
    assert cash_offset(5000, order_total_fen=1999) == (999, 999)


def test_cash_offset_converts_at_the_given_rate_and_never_charges_more_than_the_fen_bought():
    assert cash_offset(500, order_total_fen=10_000, points_per_yuan=50) == (500, 1000)
    assert cash_offset(499, order_total_fen=10_000, points_per_yuan=500) == (495, 99)
    # at 1.5 points a fen, 10 points buy 6 whole fen, which cost 9 points
    assert cash_offset(10, order_total_fen=10_000, points_per_yuan=150) == (9, 6)


@pytest.mark.parametrize(("points", "total"), [(-1, 100), (1, -100)])
def test_cash_offset_refuses_negative_input(points, total):
    with pytest.raises(ValueError):
        cash_offset(points, total)


def test_offset_larger_than_the_order_is_refused():
    with pytest.raises(ValueError):
        calculate_earning([domestic(1)], RATES, purchase_on(cash_offset_fen=101))


# Inputs that make no sense


def test_campaign_needs_exactly_one_effect():
    with pytest.raises(ValueError):
        CampaignRule("BOTH", multiplier=Decimal(2), bonus_points=10)
    with pytest.raises(ValueError):
        CampaignRule("NEITHER")


def test_multiplier_below_one_is_refused():
    with pytest.raises(ValueError):
        multiplier("HALF", "0.5")


def test_duplicate_campaign_codes_are_refused():
    with pytest.raises(ValueError):
        calculate_earning([domestic(1)], RATES, purchase_on(), [multiplier("X", "2"), multiplier("X", "3")])


# pro_rata


def test_pro_rata_gives_leftovers_to_the_largest_remainders_then_to_the_earlier_weight():
    assert pro_rata(10, [1, 1, 1]) == [4, 3, 3]
    assert pro_rata(5, [1, 2, 0, 3]) == [1, 2, 0, 2]
    assert pro_rata(0, []) == []
    assert pro_rata(0, [0, 0]) == [0, 0]
    with pytest.raises(ValueError):
        pro_rata(1, [0, 0])


# Properties

weights_strategy = st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=8)


@settings(max_examples=200)
@given(amount=st.integers(min_value=0, max_value=10**9), weights=weights_strategy)
def test_pro_rata_sums_exactly_and_each_share_is_within_one_of_its_proportion(amount, weights):
    total_weight = sum(weights)
    if total_weight == 0:
        weights = [*weights[:-1], 1]
        total_weight = 1
    shares = pro_rata(amount, weights)
    assert sum(shares) == amount
    for share, weight in zip(shares, weights, strict=True):
        assert abs(share * total_weight - amount * weight) < total_weight


CATEGORIES = [IMPORTED, DOMESTIC, "VEGETABLES"]
line_strategy = st.builds(
    Line,
    sku=st.sampled_from(["A", "B", "C", "D"]),
    category=st.sampled_from(CATEGORIES),
    quantity=st.integers(min_value=1, max_value=5),
    unit_price_fen=st.integers(min_value=1, max_value=20_000),
)
multiplier_value = st.decimals(min_value=1, max_value=5, places=2)
conditions_strategy = st.builds(
    CampaignConditions,
    categories=st.none() | st.frozensets(st.sampled_from(CATEGORIES), min_size=1),
    channels=st.none() | st.frozensets(st.sampled_from(["IN_STORE", "ONLINE", "DELIVERY"]), min_size=1),
    first_order=st.booleans(),
)
optional_cap = st.none() | st.integers(min_value=0, max_value=500)
campaign_strategy = st.builds(
    CampaignRule,
    code=st.sampled_from(["C1", "C2", "C3", "C4", "C5"]),
    conditions=conditions_strategy,
    multiplier=multiplier_value,
    stacking=st.sampled_from(["BEST_OF", "MULTIPLY"]),
    cap_per_member_per_day=optional_cap,
    remaining_budget=optional_cap,
    already_given_today=st.integers(min_value=0, max_value=300),
) | st.builds(
    CampaignRule,
    code=st.sampled_from(["C1", "C2", "C3", "C4", "C5"]),
    conditions=conditions_strategy,
    bonus_points=st.integers(min_value=0, max_value=200),
    remaining_budget=optional_cap,
)
campaigns_strategy = st.lists(campaign_strategy, max_size=5, unique_by=lambda campaign: campaign.code)
rates_strategy = st.builds(
    EarnRates,
    per_category=st.dictionaries(st.sampled_from(CATEGORIES), st.decimals(min_value=0, max_value=3, places=2)),
    default=st.decimals(min_value=0, max_value=3, places=2),
)


@st.composite
def purchases(draw):
    lines = draw(st.lists(line_strategy, min_size=1, max_size=4))
    order_total = sum(line.total_fen for line in lines)
    _, offset_fen = cash_offset(draw(st.integers(min_value=0, max_value=order_total)), order_total)
    context = PurchaseContext(
        local_date=draw(st.dates(min_value=date(2025, 1, 1), max_value=date(2025, 12, 31))),
        channel=draw(st.sampled_from(["IN_STORE", "ONLINE", "DELIVERY"])),
        tier_code="SILVER",
        tier_multiplier=draw(st.decimals(min_value=1, max_value=3, places=2)),
        is_first_order=draw(st.booleans()),
        cash_offset_fen=offset_fen,
    )
    return lines, context


@settings(max_examples=100)
@given(purchase=purchases(), rates=rates_strategy, campaigns=campaigns_strategy)
def test_totals_are_never_negative_and_add_up(purchase, rates, campaigns):
    lines, context = purchase
    result = calculate_earning(lines, rates, context, campaigns)
    assert all(p.base_points >= 0 and p.tier_points >= 0 for p in result.lines)
    assert all(award.points >= 0 for award in result.awards)
    assert result.purchase_points == sum(p.tier_points for p in result.lines)
    assert result.total == result.purchase_points + sum(award.points for award in result.awards) >= 0


@settings(max_examples=100)
@given(purchase=purchases(), campaigns=campaigns_strategy, seed=st.integers(min_value=0, max_value=1000))
def test_the_order_of_the_campaigns_does_not_matter(purchase, campaigns, seed):
    lines, context = purchase
    shuffled = list(campaigns)
    random.Random(seed).shuffle(shuffled)
    assert calculate_earning(lines, RATES, context, shuffled) == calculate_earning(lines, RATES, context, campaigns)


@settings(max_examples=100)
@given(
    purchase=purchases(),
    campaigns=campaigns_strategy,
    times=multiplier_value,
    stacking=st.sampled_from(["BEST_OF", "MULTIPLY"]),
    code=st.sampled_from(["C0", "C9"]),
)
def test_adding_a_matching_uncapped_multiplier_campaign_never_lowers_the_total(purchase, campaigns, times, stacking, code):
    lines, context = purchase
    added = CampaignRule(code, multiplier=times, stacking=stacking)
    before = calculate_earning(lines, RATES, context, campaigns)
    after = calculate_earning(lines, RATES, context, [*campaigns, added])
    assert after.total >= before.total


@settings(max_examples=100)
@given(
    purchase=purchases(),
    campaigns=campaigns_strategy,
    returns=st.integers(min_value=1, max_value=4),
    seed=st.integers(min_value=0, max_value=1000),
)
def test_points_taken_back_by_partial_returns_add_up_to_the_points_earned(purchase, campaigns, returns, seed):
    lines, context = purchase
    result = calculate_earning(lines, RATES, context, campaigns)
    unit_earning_fen = [
        unit_fen
        for line, points in zip(lines, result.lines, strict=True)
        for unit_fen in pro_rata(points.earning_fen, [1] * line.quantity)
    ]
    points_per_unit = pro_rata(result.total, unit_earning_fen)
    chooser = random.Random(seed)
    return_of_unit = [chooser.randrange(returns) for _ in points_per_unit]
    taken_back = [
        sum(points for points, which in zip(points_per_unit, return_of_unit, strict=True) if which == number)
        for number in range(returns)
    ]
    assert sum(taken_back) == result.total
    assert all(0 <= points <= result.total for points in taken_back)


def test_a_per_member_cap_counts_over_the_whole_campaign():
    capped = replace(multiplier("DOUBLE", "2"), cap_per_member=150, already_given_to_member=120)
    result = calculate_earning([domestic(100)], RATES, purchase_on(), [capped])
    assert result.awards == (CampaignAward("DOUBLE", 30, capped=True),)
    assert result.total == 130
