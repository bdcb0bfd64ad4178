"""Programme metrics through the API: every figure on a small hand-made history, worked out here.

The history (store A, Asia/Shanghai, November 2026; the standing rules: 50 points on registering,
first order x2, imported fruit 2 points a yuan, domestic 1):

  Mon 23  m1 and m2 register at A (2 x 50 welcome points, CAMPAIGN)
          m1 buys 100.00 domestic (first order: 200 points); m2 buys 50.00 imported (first: 200)
          A's POS reports 300.00 of sales that day, members and others (recordStoreSales)
  Tue 24  m1 buys 40.00 domestic (40 points) and redeems a gift box (100 points, costs the chain 5.00)
  Wed 25  m2 buys 20.00 domestic (20 points) and returns it the same day (20 points back)
          m3 registers at store B and buys 10.00 domestic there (first order: 20 points)
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.ledger import service as ledger
from domain.metrics import rollups
from domain.metrics.models import MetricsDay, MetricsItemDay, MetricsMemberDay, StoreSalesDay
from domain.stores.models import StaffUser
from schema.relay import to_global_id
from tests.points_support import local, open_shop
from tests.test_mall import Mall
from tests.test_purchases import RETURN

METRICS = """query($from: Date!, $to: Date!, $store: ID, $g: MetricsGranularity!) {
  programmeMetrics(from: $from, to: $to, storeId: $store, granularity: $g) {
    totals { sales { amount } memberSales { amount } memberSalesShare orders pointsIssued pointsRedeemed pointsExpired
      rewardCost { amount } pointsCostRate liabilityPoints liability { amount } newMembers activeMembers churnedMembers
      repurchaseRate30d repurchaseRate90d repurchaseLift redemptions breakage }
    averageOrderValueByTier { tier { code name } orders value { amount } }
    redemptionsByItem(first: 10) { item { id name } count points cost { amount } }
    redemptionsByBand { band count points }
    pointsIssuedBySource { source points }
    pointsSpentByUse { use points }
    cohorts { month members repurchased30d repurchased90d rate30d rate90d }
    series { periodStart sales { amount } pointsIssued pointsRedeemed activeMembers newMembers liabilityPoints } } }"""
STORE_SALES = """mutation($i: RecordStoreSalesInput!) { recordStoreSales(input: $i) {
  storeSales { date totalSales { amount } orders } errors { code field } } }"""
CONTRACT = """{ programmeMetrics(from: "2026-01-01", to: "2026-12-31", granularity: MONTH) { totals {
  sales { amount } memberSales { amount } memberSalesShare pointsIssued pointsRedeemed pointsExpired pointsCostRate
  liabilityPoints newMembers activeMembers churnedMembers repurchaseRate30d repurchaseRate90d repurchaseLift }
  averageOrderValueByTier { tier { name } value { amount } } redemptionsByItem(first: 10) { item { id name } count points }
  series { periodStart pointsIssued pointsRedeemed activeMembers } } }"""


async def _history(api, clock):
    clock.set(local(2026, 11, 23, 9))
    shop = await open_shop(api, clock)
    mall = Mall(api, await api.admin_token(), shop.store, shop.store_gid, shop.clerk)
    item = await mall.item(name="Gift box", pointsPrice=100, costMoney={"amount": "5.00", "currency": "CNY"})
    m1, m2 = await shop.member(), await shop.member()
    assert (await shop.buy(m1["code"], [("DOMESTIC_FRUIT", 1, "100.00")]))["purchase"]["pointsEarned"] == 200
    assert (await shop.buy(m2["code"], [("IMPORTED_FRUIT", 1, "50.00")]))["purchase"]["pointsEarned"] == 200
    for total in ("280.00", "300.00"):  # sent again: the second replaces the first
        done = (await api.data(STORE_SALES, {"i": {"storeId": shop.store_gid, "date": "2026-11-23", "orders": 9,
                                                   "totalSales": {"amount": total, "currency": "CNY"}}}, token=mall.admin))
        assert done["recordStoreSales"]["errors"] == [], done
    assert done["recordStoreSales"]["storeSales"] == {"date": "2026-11-23", "totalSales": {"amount": "300.00"}, "orders": 9}

    clock.set(local(2026, 11, 24, 10))
    assert (await shop.buy(m1["code"], [("DOMESTIC_FRUIT", 1, "40.00")]))["purchase"]["pointsEarned"] == 40
    redeemed = await _redeem(api, mall, m1, item)
    assert redeemed["errors"] == [], redeemed

    clock.set(local(2026, 11, 25, 11))
    bought = await shop.buy(m2["code"], [("DOMESTIC_FRUIT", 1, "20.00")])
    assert bought["purchase"]["pointsEarned"] == 20
    back = (await api.data(RETURN, {"i": {"purchaseId": bought["purchase"]["id"], "idempotencyKey": "r"}}, token=shop.clerk))
    assert back["returnPurchase"]["errors"] == [], back

    other = await open_shop(api, clock, with_rules=False)
    m3 = await other.member()
    assert (await other.buy(m3["code"], [("DOMESTIC_FRUIT", 1, "10.00")]))["purchase"]["pointsEarned"] == 20
    clock.set(local(2026, 11, 26, 8))
    await rollups.run_job(clock)  # the worker's metrics-rollup job
    return shop, other, item


async def _redeem(api, mall, member, item):
    from tests.test_mall import REDEEM, new_key

    values = {"itemId": item["id"], "memberCode": member["code"], "idempotencyKey": new_key(), "storeId": mall.store_gid}
    return (await api.data(REDEEM, {"i": values}, token=mall.clerk))["redeemMallItem"]


async def _manager(api, store):
    from domain.access import StaffRole

    return (await api.make_staff(StaffRole.STORE_MANAGER, store))[1]


async def test_every_figure_of_a_hand_made_history(api, clock):
    shop, _other, item = await _history(api, clock)
    admin = await api.admin_token()
    figures = (await api.data(METRICS, {"from": "2026-11-01", "to": "2026-11-30", "store": shop.store_gid, "g": "MONTH"},
                              token=admin))["programmeMetrics"]
    t = figures["totals"]
    # Sales: the 23rd is A's own total (300.00); the 24th members only (40.00); the 25th's purchase went back.
    assert t["sales"] == {"amount": "340.00"} and t["memberSales"] == {"amount": "190.00"}
    assert t["memberSalesShare"] == round(19_000 / 34_000, 4) and t["orders"] == 3
    # Issued: 100 welcome + 200 + 200 + 40 + 20 - 20 returned = 540; spent 100; nothing expired.
    assert (t["pointsIssued"], t["pointsRedeemed"], t["pointsExpired"]) == (540, 100, 0)
    assert t["rewardCost"] == {"amount": "5.00"} and t["pointsCostRate"] == round(500 / 34_000, 4)
    assert t["liabilityPoints"] == 440 and t["liability"] == {"amount": "4.40"}  # 100 points = 1 yuan
    assert (t["newMembers"], t["activeMembers"], t["churnedMembers"]) == (2, 2, 0)
    # First-time buyers m1, m2; m1 came back the next day, m2's second purchase was returned.
    assert (t["repurchaseRate30d"], t["repurchaseRate90d"]) == (0.5, 0.5)
    # m1 spent points and bought on 2 days; m2 did not and bought on 1: lift 2.
    assert t["repurchaseLift"] == 2.0 and t["redemptions"] == 1 and t["breakage"] == 0.0
    assert figures["averageOrderValueByTier"] == [{"tier": {"code": "REGULAR", "name": "Regular"}, "orders": 3,
                                                  "value": {"amount": "63.33"}}]  # 190.00 / 3, rounded down
    assert figures["redemptionsByItem"] == [{"item": {"id": item["id"], "name": "Gift box"}, "count": 1, "points": 100,
                                             "cost": {"amount": "5.00"}}]
    assert figures["redemptionsByBand"] == [{"band": "MIDDLE", "count": 1, "points": 100}]
    assert {s["source"]: s["points"] for s in figures["pointsIssuedBySource"]} == {
        # The first-order doubling is a campaign bonus of its own: 100 (m1) + 100 (m2) on top of the welcome 100.
        "PURCHASE": 240, "BEHAVIOUR": 0, "CAMPAIGN": 300, "ADJUSTMENT": 0, "LOTTERY": 0, "MIGRATION": 0}
    assert {u["use"]: u["points"] for u in figures["pointsSpentByUse"]} == {"MALL": 100, "LOTTERY": 0, "DONATION": 0, "CASH_OFFSET": 0}
    assert figures["cohorts"] == [{"month": "2026-11-01", "members": 2, "repurchased30d": 1, "repurchased90d": 1,
                                   "rate30d": 0.5, "rate90d": 0.5}]
    assert [(s["periodStart"], s["pointsIssued"], s["activeMembers"]) for s in figures["series"]] == [("2026-11-01", 540, 2)]

    daily = (await api.data(METRICS, {"from": "2026-11-23", "to": "2026-11-25", "store": shop.store_gid, "g": "DAY"},
                            token=admin))["programmeMetrics"]["series"]
    assert [(s["sales"]["amount"], s["pointsIssued"], s["pointsRedeemed"], s["activeMembers"], s["newMembers"],
             s["liabilityPoints"]) for s in daily] == [
        ("300.00", 500, 0, 2, 2, 500), ("40.00", 40, 100, 1, 0, 440), ("0.00", 0, 0, 0, 0, 440)]

    chain = (await api.data(METRICS, {"from": "2026-11-01", "to": "2026-11-30", "g": "WEEK"}, token=admin))["programmeMetrics"]
    c = chain["totals"]
    assert c["sales"] == {"amount": "350.00"} and c["memberSales"] == {"amount": "200.00"}  # B's 10.00 added
    assert (c["newMembers"], c["activeMembers"], c["pointsIssued"], c["liabilityPoints"]) == (3, 3, 610, 510)
    assert [s["periodStart"] for s in chain["series"]] == ["2026-10-26", "2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23",
                                                           "2026-11-30"]

    # December: m1, m2, m3 were active in November and bought nothing since: all churned.
    december = (await api.data(METRICS, {"from": "2026-12-01", "to": "2026-12-31", "g": "MONTH"}, token=admin))["programmeMetrics"]
    assert (december["totals"]["activeMembers"], december["totals"]["churnedMembers"]) == (0, 3)
    assert december["totals"]["liabilityPoints"] == 510 and december["totals"]["sales"] == {"amount": "0.00"}

    contract = await api.data(CONTRACT, token=admin)
    assert contract["programmeMetrics"]["totals"]["pointsIssued"] == 610


async def test_the_rush_counts_the_local_day_only(api, clock):
    clock.set(local(2026, 11, 25, 23) + timedelta(minutes=50))
    shop = await open_shop(api, clock)
    mall = Mall(api, await api.admin_token(), shop.store, shop.store_gid, shop.clerk)
    item = await mall.item(name="Gift box", pointsPrice=100)
    member = await shop.member()
    await shop.buy(member["code"], [("DOMESTIC_FRUIT", 1, "100.00")])
    clock.advance(timedelta(minutes=5))  # 23:55, yesterday by the time of the query
    assert (await _redeem(api, mall, member, item))["errors"] == []
    clock.advance(timedelta(minutes=15, seconds=20))  # 00:10:20
    assert (await _redeem(api, mall, member, item))["errors"] == []
    clock.advance(timedelta(minutes=10))
    rush = (await api.data("{ redemptionRush { day total minutes { minute redemptions } } }",
                           token=await _manager(api, shop.store)))["redemptionRush"]
    assert rush == {"day": "2026-11-26", "total": 1,
                    "minutes": [{"minute": "2026-11-26T00:10:00+08:00", "redemptions": 1}]}


async def test_expired_points_count_as_expired_and_breakage(api, clock):
    clock.set(local(2026, 11, 23, 9))
    shop = await open_shop(api, clock)
    member = await shop.member()  # 50 welcome points
    from domain.earning import expiry
    from domain.ledger.models import PointsLot
    from domain.members.models import Member
    from infra.settings import load_settings

    pk = (await Member.get(code=member["code"])).id
    await PointsLot.filter(account__member_id=pk).update(expires_at=local(2026, 11, 24, 0))
    clock.set(local(2026, 11, 24, 9))
    await expiry.run_sweep(settings=load_settings(), clock=clock, progress=lambda *_: None)
    assert await ledger.balance(pk) == 0
    await rollups.run_job(clock)
    admin = await api.admin_token()
    t = (await api.data(METRICS, {"from": "2026-11-01", "to": "2026-11-30", "g": "MONTH"}, token=admin))["programmeMetrics"]["totals"]
    assert (t["pointsIssued"], t["pointsExpired"], t["liabilityPoints"], t["breakage"]) == (50, 50, 0, 1.0)
    assert t["sales"] == {"amount": "0.00"} and t["pointsCostRate"] is None and t["memberSalesShare"] is None


async def test_managers_see_their_store_only_and_clerks_nothing(api, clock):
    shop, other, _ = await _history(api, clock)
    manager = await _manager(api, shop.store)
    mine = (await api.data(METRICS, {"from": "2026-11-01", "to": "2026-11-30", "g": "MONTH"}, token=manager))["programmeMetrics"]
    assert mine["totals"]["memberSales"] == {"amount": "190.00"} and mine["totals"]["newMembers"] == 2  # A's, not the chain's
    theirs = await api.gql(METRICS, {"from": "2026-11-01", "to": "2026-11-30", "store": other.store_gid, "g": "MONTH"},
                           token=manager)
    assert theirs["data"] is None and theirs["errors"][0]["extensions"]["reason"] == "STORE_NOT_FOUND"
    clerk = await api.gql(METRICS, {"from": "2026-11-01", "to": "2026-11-30", "g": "MONTH"}, token=shop.clerk)
    assert clerk["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    anonymous = await api.gql(METRICS, {"from": "2026-11-01", "to": "2026-11-30", "g": "MONTH"})
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    backwards = await api.gql(METRICS, {"from": "2026-11-30", "to": "2026-11-01", "g": "MONTH"}, token=manager)
    assert backwards["errors"][0]["extensions"]["reason"] == "INVALID_PERIOD"
    assert await StaffUser.filter(role="STORE_MANAGER").count() == 1
    unknown = await api.gql(METRICS, {"from": "2026-11-01", "to": "2026-11-30", "g": "MONTH",
                                      "store": to_global_id("Store", 99_999)}, token=await api.admin_token())
    assert unknown["errors"][0]["extensions"]["reason"] == "STORE_NOT_FOUND"


async def test_rebuild_agrees_with_the_job(api, clock):
    await _history(api, clock)
    before = await _snapshot()
    await rollups.rebuild(date(2026, 11, 1), date(2026, 11, 30))
    assert await _snapshot() == before


async def _snapshot():
    out = []
    for model in (MetricsDay, MetricsItemDay, MetricsMemberDay):
        rows = await model.all().values()
        out.append(sorted(tuple(sorted((k, v) for k, v in r.items() if k != "id")) for r in rows))
    return out


# ---- rollups kept by the job == a rebuild from scratch, after a random history ---------------------

@st.composite
def _operation(draw) -> tuple:
    kind = draw(st.sampled_from(["buy"] * 4 + ["return"] * 2 + ["redeem", "redeem", "cancel", "expire"] + ["advance", "job"] * 3))
    if kind == "buy":
        return kind, draw(st.integers(0, 2)), draw(st.integers(1, 300)), draw(st.sampled_from(["DOMESTIC_FRUIT", "IMPORTED_FRUIT"]))
    if kind in ("return", "cancel"):
        return kind, draw(st.integers(0, 50)), draw(st.booleans())
    if kind in ("redeem", "expire"):
        return kind, draw(st.integers(0, 2))
    if kind == "advance":
        return kind, draw(st.integers(1, 40))
    return (kind,)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(_operation(), min_size=6, max_size=16))
async def test_rollups_kept_by_the_job_equal_a_rebuild(api, clock, operations):
    from domain.earning import expiry
    from domain.ledger.models import PointsLot
    from domain.members.models import Member
    from domain.metrics.models import MetricsState
    from infra.settings import load_settings
    from tests.test_mall import CANCEL, new_key

    await MetricsState.all().delete()
    clock.set(local(2026, 10, 5, 9))
    shop = await open_shop(api, clock)
    admin = await api.admin_token()
    mall = Mall(api, admin, shop.store, shop.store_gid, shop.clerk)
    item = await mall.item(pointsPrice=30, costMoney={"amount": "2.50", "currency": "CNY"})
    cheap = await mall.item(pointsPrice=10, band="LOW")
    members = [await shop.member() for _ in range(3)]
    purchases: list[dict] = []
    redemptions: list[str] = []
    for op in operations:
        name = op[0]
        if name == "buy":
            bought = await shop.buy(members[op[1]]["code"], [(op[3], 1, f"{op[2]}.00")])
            if bought["purchase"]:
                purchases.append(bought["purchase"])
        elif name == "return" and purchases:
            purchase = purchases[op[1] % len(purchases)]
            await api.data(RETURN, {"i": {"purchaseId": purchase["id"], "idempotencyKey": new_key()}}, token=shop.clerk)
        elif name == "redeem":
            done = await _redeem(api, mall, members[op[1]], item if op[1] % 2 else cheap)
            if done["redemption"]:
                redemptions.append(done["redemption"]["id"])
        elif name == "cancel" and redemptions:
            values = {"redemptionId": redemptions[op[1] % len(redemptions)], "reason": "changed", "idempotencyKey": new_key()}
            await api.data(CANCEL, {"i": values}, token=admin)
        elif name == "expire":
            pk = (await Member.get(code=members[op[1]]["code"])).id
            await PointsLot.filter(account__member_id=pk, remaining__gt=0).update(expires_at=clock.now())
            clock.advance(timedelta(minutes=1))
            await expiry.run_sweep(settings=load_settings(), clock=clock, progress=lambda *_: None)
        elif name == "advance":
            clock.advance(timedelta(hours=op[1]))
        elif name == "job":
            await rollups.run_job(clock)
        clock.advance(timedelta(minutes=7))
    await rollups.run_job(clock)
    kept = await _snapshot()
    await rollups.rebuild(date(2026, 10, 1), clock.now().date() + timedelta(days=1))
    assert await _snapshot() == kept


async def test_the_dashboard_page_and_the_authenticated_export(api, clock):
    shop, _other, _item = await _history(api, clock)
    page = await api.http.get("/dashboard")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<script src=\"http" not in page.text and "/dashboard/static/uPlot.iife.min.js" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    for name in ("uPlot.iife.min.js", "dashboard.js", "uPlot.LICENSE"):
        assert (await api.http.get(f"/dashboard/static/{name}")).status_code == 200
    assert (await api.http.get("/dashboard/static/../routes.py")).status_code == 404
    query = "/dashboard/export?from=2026-11-01&to=2026-11-30&format=csv"
    assert (await api.http.get(query)).status_code == 401
    manager = await _manager(api, shop.store)
    csv_text = (await api.http.get(query, headers={"authorization": f"Bearer {manager}"})).text
    assert "member_sales_yuan,190.00" in csv_text and "# redemptions_by_item" in csv_text
    admin = await api.admin_token()
    xlsx = await api.http.get(query.replace("csv", "xlsx"), headers={"authorization": f"Bearer {admin}"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"  # a zip: the workbook
    clerk = await api.http.get(query, headers={"authorization": f"Bearer {shop.clerk}"})
    assert clerk.status_code == 403


async def test_store_sales_are_refused_with_typed_errors(api, clock):
    clock.set(local(2026, 11, 23, 9))
    shop = await open_shop(api, clock)
    other = await api.make_store()
    manager = await _manager(api, shop.store)

    def day(store_gid=shop.store_gid, on="2026-11-23", amount="10.00", currency="CNY"):
        return {"i": {"storeId": store_gid, "date": on, "totalSales": {"amount": amount, "currency": currency}}}

    async def codes(variables, token=manager):
        body = (await api.data(STORE_SALES, variables, token=token))["recordStoreSales"]
        return [(e["code"], e["field"]) for e in body["errors"]]

    assert await codes(day()) == []
    assert await codes(day(on="2026-11-24")) == [("INVALID_PERIOD", "date")]  # tomorrow
    assert await codes(day(store_gid=to_global_id("Store", other.id))) == [("STORE_NOT_FOUND", "storeId")]
    assert await codes(day(amount="-1.00")) == [("INVALID_PRICE", "totalSales.amount")]
    assert (await codes(day(currency="USD")))[0][0] == "INVALID_CURRENCY"
    clerk = await api.gql(STORE_SALES, day(), token=shop.clerk)
    assert clerk["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await StoreSalesDay.filter(store_id=shop.store.id).count() == 1
