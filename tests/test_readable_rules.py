"""Readable rules through the API: campaigns show their conditions, earn rates are public, and a
purchase explains its points from what was stored when it was recorded."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.earning.models import PurchaseLine
from domain.members.models import Member
from domain.tiers.models import Tier
from tests.points_support import RECORD, local, open_shop
from tests.test_query_counts import counting_sql

NEUTRAL_DAY = local(2026, 11, 23)  # a Monday, not the 8th
CREATE = """mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { campaign { code } errors { code field } } }"""
CAMPAIGNS = """{ campaigns(first: 20) { nodes { code multiplier bonusPoints stacking conditions {
  dateFrom dateTo dayOfMonth weekdays channels categories tiers birthdayMonth firstOrder storeFlag } } } }"""
SET_RATE = "mutation($i: SetEarnRateInput!) { setEarnRate(input: $i) { rate { category } errors { code field } } }"
RATES = "query($at: DateTime) { earnRates(at: $at) { category pointsPerYuan effectiveFrom } }"
EXPLAINED = "pointsEarned pointsExplained { kind lineNo category campaignCode points description }"
PURCHASE = "query($id: ID!) { node(id: $id) { ... on Purchase { " + EXPLAINED + " } } }"
NO_CONDITIONS = {
    "dateFrom": None, "dateTo": None, "dayOfMonth": None, "weekdays": None, "channels": None, "categories": None,
    "tiers": None, "birthdayMonth": False, "firstOrder": False, "storeFlag": None,
}


async def _create(api, admin: str, **campaign) -> None:
    made = (await api.data(CREATE, {"i": campaign}, token=admin))["createCampaign"]
    assert made["errors"] == [], made


async def _to_gold(member_code: str) -> None:
    await Member.filter(code=member_code).update(tier_id=(await Tier.get(code="GOLD")).id)


async def test_campaigns_show_their_conditions_and_effect(api, clock):
    clock.set(NEUTRAL_DAY)
    await open_shop(api, clock, with_rules=False)
    admin = await api.admin_token()
    await _create(api, admin, code="DURIAN_WEEKEND", name="Durian weekend", multiplier="2.5", stacking="MULTIPLY", conditions={
        "dateFrom": "2026-12-01", "dateTo": "2026-12-31", "dayOfMonth": 12, "weekdays": [6, 5],
        "channels": ["ONLINE", "IN_STORE"], "categories": ["mango", "durian"], "tiers": ["gold", "diamond"],
        "birthdayMonth": True, "firstOrder": True, "storeFlag": "RAINY_DAY",
    })
    await _create(api, admin, code="WELCOME_GIFT", name="A gift", bonusPoints=30)
    campaigns = (await api.data(CAMPAIGNS, token=admin))["campaigns"]["nodes"]
    assert campaigns == [
        {"code": "DURIAN_WEEKEND", "multiplier": "2.50", "bonusPoints": None, "stacking": "MULTIPLY", "conditions": {
            "dateFrom": "2026-12-01", "dateTo": "2026-12-31", "dayOfMonth": 12, "weekdays": [5, 6],
            "channels": ["IN_STORE", "ONLINE"], "categories": ["DURIAN", "MANGO"], "tiers": ["DIAMOND", "GOLD"],
            "birthdayMonth": True, "firstOrder": True, "storeFlag": "RAINY_DAY",
        }},
        {"code": "WELCOME_GIFT", "multiplier": None, "bonusPoints": 30, "stacking": "BEST_OF", "conditions": NO_CONDITIONS},
    ]


async def test_earn_rates_in_force_are_public_and_come_from_the_cached_rulebook(api, clock):
    clock.set(NEUTRAL_DAY)
    await open_shop(api, clock, with_rules=False)
    admin = await api.admin_token()
    yesterday, in_ten_days = clock.now() - timedelta(days=1), clock.now() + timedelta(days=10)
    for category, rate, start in (("imported_fruit", "2", yesterday), ("*", "1", yesterday),
                                  ("IMPORTED_FRUIT", "3", in_ten_days), ("GIFT_BOX", "1.5", in_ten_days)):
        set_rate = (await api.data(SET_RATE, {"i": {"category": category, "pointsPerYuan": rate,
                                                     "effectiveFrom": start.isoformat()}}, token=admin))["setEarnRate"]
        assert set_rate["errors"] == [], set_rate
    now = (await api.data(RATES))["earnRates"]  # no token: members see them in the app
    assert [(r["category"], r["pointsPerYuan"]) for r in now] == [("*", "1.00"), ("IMPORTED_FRUIT", "2.00")]
    assert datetime.fromisoformat(now[1]["effectiveFrom"]) == yesterday
    later = (await api.data(RATES, {"at": (in_ten_days + timedelta(hours=1)).isoformat()}))["earnRates"]
    assert [(r["category"], r["pointsPerYuan"]) for r in later] == [("*", "1.00"), ("GIFT_BOX", "1.50"), ("IMPORTED_FRUIT", "3.00")]
    before_any = (await api.data(RATES, {"at": (yesterday - timedelta(days=1)).isoformat()}))["earnRates"]
    assert before_any == []
    with counting_sql() as statements:
        await api.data(RATES)
    assert statements == []  # the rulebook is cached: no table scan per request
    naive = await api.gql(RATES, {"at": "2026-11-23T12:00:00"})
    assert naive["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT" and naive["data"] is None


async def test_a_purchase_explains_its_base_tier_and_campaign_points(api, clock, outbox):
    from tests.test_behaviour_points import member_token

    clock.set(NEUTRAL_DAY)
    shop = await open_shop(api, clock)  # IMPORTED_FRUIT 2 points per yuan, DOMESTIC_FRUIT 1; FIRST_ORDER x2
    admin = await api.admin_token()
    await _create(api, admin, code="FRUIT_BONUS", name="Imported fruit bonus", bonusPoints=30,
                  conditions={"categories": ["IMPORTED_FRUIT"]})
    member, token = await member_token(api, outbox, shop)
    await _to_gold(member["code"])  # x1.5
    lines = [("IMPORTED_FRUIT", 1, "10.50"), ("DOMESTIC_FRUIT", 1, "9.99")]
    body = await api.data(RECORD, {"i": shop.purchase_input(member["code"], lines)},
                          token=shop.clerk)
    purchase = body["recordPurchase"]["purchase"]
    # base 21 and 9; tier floor(21 x 1.5) = 31 and floor(9 x 1.5) = 13; FIRST_ORDER doubles 44; the bonus 30
    assert purchase["pointsEarned"] == 31 + 13 + 44 + 30
    expected = [
        {"kind": "BASE", "lineNo": 0, "category": "IMPORTED_FRUIT", "campaignCode": None, "points": 21,
         "description": "IMPORTED_FRUIT: 10.50 yuan at 2 points per yuan."},
        {"kind": "TIER", "lineNo": 0, "category": "IMPORTED_FRUIT", "campaignCode": None, "points": 10,
         "description": "IMPORTED_FRUIT: the tier multiplier x1.5 on 21 base points."},
        {"kind": "BASE", "lineNo": 1, "category": "DOMESTIC_FRUIT", "campaignCode": None, "points": 9,
         "description": "DOMESTIC_FRUIT: 9.99 yuan at 1 points per yuan."},
        {"kind": "TIER", "lineNo": 1, "category": "DOMESTIC_FRUIT", "campaignCode": None, "points": 4,
         "description": "DOMESTIC_FRUIT: the tier multiplier x1.5 on 9 base points."},
        {"kind": "CAMPAIGN", "lineNo": None, "category": None, "campaignCode": "FIRST_ORDER", "points": 44,
         "description": "New members: double points on the first order (FIRST_ORDER): x2 on the lines it covers."},
        {"kind": "CAMPAIGN", "lineNo": None, "category": None, "campaignCode": "FRUIT_BONUS", "points": 30,
         "description": "Imported fruit bonus (FRUIT_BONUS): 30 bonus points per purchase."},
    ]
    mine = (await api.data(PURCHASE, {"id": purchase["id"]}, token=token))["node"]
    assert mine["pointsExplained"] == expected
    assert sum(reason["points"] for reason in mine["pointsExplained"]) == mine["pointsEarned"]

    # What was stored explains it, not today's rules: a higher rate and another tier change nothing.
    set_rate = (await api.data(SET_RATE, {"i": {"category": "IMPORTED_FRUIT", "pointsPerYuan": "5"}}, token=admin))["setEarnRate"]
    assert set_rate["errors"] == []
    await Member.filter(code=member["code"]).update(tier_id=(await Tier.get(code="REGULAR")).id)
    again = (await api.data(PURCHASE, {"id": purchase["id"]}, token=token))["node"]
    assert again["pointsExplained"] == expected


async def test_points_paid_with_points_and_lines_stored_before_the_split(api, clock):
    clock.set(NEUTRAL_DAY)
    shop = await open_shop(api, clock)
    member = await shop.member()  # REGULAR, x1: no TIER reasons; 50 welcome points
    await shop.buy(member["code"], [("DOMESTIC_FRUIT", 1, "1.00")])  # the first order, out of the way
    paid = await shop.buy(member["code"], [("IMPORTED_FRUIT", 1, "10.50"), ("DOMESTIC_FRUIT", 1, "9.99")], points_to_redeem=50)
    assert paid["errors"] == [] and paid["purchase"]["cashOffset"]["amount"] == "0.50"
    explained = (await api.data(PURCHASE, {"id": paid["purchase"]["id"]}, token=shop.clerk))["node"]
    # the 0.50 yuan paid with points is spread 0.26 / 0.24: 10.24 yuan earn 20, 9.75 yuan earn 9
    assert [(r["kind"], r["lineNo"], r["points"], r["description"]) for r in explained["pointsExplained"]] == [
        ("BASE", 0, 20, "IMPORTED_FRUIT: 10.24 yuan (after the part paid with points) at 2 points per yuan."),
        ("BASE", 1, 9, "DOMESTIC_FRUIT: 9.75 yuan (after the part paid with points) at 1 points per yuan."),
    ]
    assert explained["pointsEarned"] == 29

    # a line recorded before base points were kept is explained by its stored points alone
    await PurchaseLine.filter(purchase_id=int(_pk(paid["purchase"]["id"]))).update(base_points=None, points_per_yuan=None)
    old = (await api.data(PURCHASE, {"id": paid["purchase"]["id"]}, token=shop.clerk))["node"]["pointsExplained"]
    assert [(r["kind"], r["points"]) for r in old] == [("BASE", 20), ("BASE", 9)]
    assert "recorded before" in old[0]["description"]


async def test_only_those_who_see_the_purchase_see_why(api, clock, outbox):
    from tests.test_behaviour_points import member_token

    clock.set(NEUTRAL_DAY)
    shop = await open_shop(api, clock)
    other_shop = await open_shop(api, clock)
    member = await shop.member()
    purchase = (await shop.buy(member["code"], [("DOMESTIC_FRUIT", 1, "100.00")]))["purchase"]
    _, stranger = await member_token(api, outbox, shop)
    for token in (stranger, other_shop.clerk, None):
        refused = await api.gql(PURCHASE, {"id": purchase["id"]}, token=token)
        assert refused["data"] == {"node": None}
        assert refused["errors"][0]["extensions"]["code"] in {"FORBIDDEN", "UNAUTHENTICATED"}
    seen = (await api.data(PURCHASE, {"id": purchase["id"]}, token=shop.clerk))["node"]
    assert sum(r["points"] for r in seen["pointsExplained"]) == seen["pointsEarned"] == 200


async def test_explaining_a_page_of_purchases_costs_the_same_statements_for_2_or_6(api, clock, outbox):
    from tests.test_behaviour_points import member_token

    clock.set(NEUTRAL_DAY)
    shop = await open_shop(api, clock)
    member, token = await member_token(api, outbox, shop)
    for _ in range(6):
        await shop.buy(member["code"], [("IMPORTED_FRUIT", 1, "10.00"), ("DOMESTIC_FRUIT", 2, "3.00")])
    page = "query($n: Int) { me { purchases(first: $n) { nodes { " + EXPLAINED + " lines { points } } } } }"
    await api.data(page, {"n": 1}, token=token)  # warm the caches
    with counting_sql() as small:
        two = (await api.data(page, {"n": 2}, token=token))["me"]["purchases"]["nodes"]
    with counting_sql() as large:
        six = (await api.data(page, {"n": 6}, token=token))["me"]["purchases"]["nodes"]
    assert len(two) == 2 and len(six) == 6
    assert len(small) == len(large), (small, large)
    for node in six:
        assert sum(r["points"] for r in node["pointsExplained"]) == node["pointsEarned"]
    assert six[-1]["pointsExplained"][-1]["campaignCode"] == "FIRST_ORDER"  # newest first: the first order is last


def _pk(global_id: str) -> int:
    from schema.relay import from_global_id

    return from_global_id(global_id)[1]
