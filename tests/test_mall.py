"""The points mall through the API: catalogue and prices, redeeming, the counter, cancelling, expiry."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from devtools.mall_demo import load_demo_mall
from domain.access import CallerKind, StaffRole, Viewer
from domain.ledger import service as ledger
from domain.ledger.check import check_ledger
from domain.ledger.models import JournalKind, PointsJournal, PointsLot
from domain.mall import stock
from domain.mall.models import MallItem, MallMemberQuota, MallPriceRule, MallStockBucket, Redemption
from domain.members.models import Member
from domain.stores import api_keys, tokens
from domain.stores.models import Store
from domain.tiers.models import Tier
from schema.relay import from_global_id, to_global_id

SHANGHAI = ZoneInfo("Asia/Shanghai")
_phones = itertools.count(20_000)
_keys = itertools.count(1)

PRICE = "effectivePrice { listPoints points cash { amount currency } reasons { kind code percent pointsBefore pointsAfter } }"
ITEM = f"id name band kind stockRemaining perMemberLimit isNew isAvailable {PRICE}"
CREATE_ITEM = f"""mutation($i: CreateMallItemInput!) {{ createMallItem(input: $i) {{ item {{ {ITEM} }}
  errors {{ code field message }} }} }}"""
ITEMS = f"""query($f: MallItemFilter, $s: MallItemSort, $first: Int, $after: String) {{
  mallItems(filter: $f, sortBy: $s, first: $first, after: $after) {{
    totalCount pageInfo {{ hasNextPage endCursor }} edges {{ node {{ {ITEM} }} }} }} }}"""
REDEEM = """mutation($i: RedeemMallItemInput!) { redeemMallItem(input: $i) {
  redemption { id code status pointsSpent } member { pointsBalance } replayed errors { code field message } } }"""
FULFIL = """mutation($i: FulfillRedemptionInput!) { fulfillRedemption(input: $i) {
  redemption { status fulfilledAt fulfilledStore { code } } errors { code message } } }"""
CANCEL = """mutation($i: CancelRedemptionInput!) { cancelRedemption(input: $i) {
  redemption { status cancelReason } member { pointsBalance } errors { code field message } } }"""
RULE = """mutation($i: CreateMallPriceRuleInput!) { createMallPriceRule(input: $i) { rule { id code } errors { code field } } }"""
MY_REDEMPTIONS = """query($f: RedemptionFilter) { me { redemptions(first: 10, filter: $f) {
  totalCount edges { node { code status quantity pointsSpent item { name } store { code } } } } } }"""


def local(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=SHANGHAI)


def new_key() -> str:
    return f"key-{next(_keys)}"


@dataclass
class Shopper:
    id: int
    code: str
    token: str


@dataclass
class Mall:
    """A store with a clerk and a chain admin, and the steps a frontend takes against the mall."""

    api: object
    admin: str
    store: Store
    store_gid: str
    clerk: str

    @classmethod
    async def open(cls, api) -> Mall:
        store = await api.make_store()
        _, clerk = await api.make_staff(StaffRole.CLERK, store)
        return cls(api, await api.admin_token(), store, to_global_id("Store", store.id), clerk)

    async def item(self, **fields) -> dict:
        values = {"name": "Fruit gift box", "band": "MIDDLE", "kind": "PHYSICAL", "pointsPrice": 100, **fields}
        body = (await self.api.data(CREATE_ITEM, {"i": values}, token=self.admin))["createMallItem"]
        assert body["errors"] == [], body
        return body["item"]

    async def member(self, balance: int = 0) -> Shopper:
        """A member registered at the counter (50 welcome points), then adjusted to exactly `balance` points."""
        body = await self.api.data(
            "mutation($i: RegisterMemberInput!) { registerMember(input: $i) { member { code } errors { code } } }",
            {"i": {"phone": f"136{next(_phones):08d}", "name": "Member", "channel": "POS"}}, token=self.clerk,
        )
        member = await Member.get(code=body["registerMember"]["member"]["code"])
        if balance != 50:
            await ledger.adjust(member.id, balance - 50, reason="test balance", actor="test", clock=self.api.clock)
        return Shopper(member.id, member.code, member_token(self.api, member.id))

    async def redeem(self, shopper: Shopper, item: dict, *, key: str | None = None, **fields) -> dict:
        values = {"itemId": item["id"], "idempotencyKey": key or new_key(), **fields}
        return (await self.api.data(REDEEM, {"i": values}, token=shopper.token))["redeemMallItem"]

    async def fulfil(self, code: str, *, token: str | None = None, store_gid: str | None = None) -> dict:
        values = {"code": code, "storeId": store_gid or self.store_gid}
        return (await self.api.data(FULFIL, {"i": values}, token=token or self.clerk))["fulfillRedemption"]

    async def cancel(self, redemption_id: str, token: str, *, key: str | None = None, reason: str = "changed my mind") -> dict:
        values = {"redemptionId": redemption_id, "reason": reason, "idempotencyKey": key or new_key()}
        return (await self.api.data(CANCEL, {"i": values}, token=token))["cancelRedemption"]

    async def items(self, token: str | None = None, **variables) -> dict:
        return (await self.api.data(ITEMS, variables, token=token))["mallItems"]

    async def rule(self, **fields) -> None:
        body = (await self.api.data(RULE, {"i": fields}, token=self.admin))["createMallPriceRule"]
        assert body["errors"] == [], body

    async def set(self, **values) -> None:
        mutation = "mutation($i: UpdateMallSettingsInput!) { updateMallSettings(input: $i) { errors { code } } }"
        assert (await self.api.data(mutation, {"i": values}, token=self.admin))["updateMallSettings"]["errors"] == []


def member_token(api, member_id: int) -> str:
    viewer = Viewer(kind=CallerKind.MEMBER, subject_id=member_id)
    return tokens.issue_access_token(viewer, secret=api.settings.secret_key, clock=api.clock, lifetime=timedelta(days=400))[0]


def pk(global_id: str) -> int:
    return int(from_global_id(global_id)[1])


async def units_left(item: dict) -> int:
    return (await stock.remaining([pk(item["id"])]))[pk(item["id"])]


async def tier(code: str) -> Tier:
    return await Tier.get(code=code)


def codes_of(results: list[dict]) -> list[str]:
    return sorted(e["code"] for r in results for e in r["errors"])


# ---- catalogue ----------------------------------------------------------------------------------


async def test_admin_creates_an_item_everyone_browses_it(api):
    mall = await Mall.open(api)
    item = await mall.item(name="Cherry box", band="HIGH", kind="PHYSICAL", pointsPrice=1800, cashPrice="10.00",
                           stock=50, stockBuckets=4, perMemberLimit=2, limitPeriod="MONTH")
    assert item["stockRemaining"] == 50 and item["perMemberLimit"] == 2 and item["isNew"] and item["isAvailable"]
    assert item["effectivePrice"] == {"listPoints": 1800, "points": 1800, "cash": {"amount": "10.00", "currency": "CNY"},
                                      "reasons": []}
    assert await MallStockBucket.filter(item_id=pk(item["id"])).count() == 4
    unlimited = await mall.item(name="Free washing", band="LOW", kind="SERVICE", pointsPrice=50)
    listing = await mall.items()  # anonymous
    assert listing["totalCount"] == 2
    assert {e["node"]["name"]: e["node"]["stockRemaining"] for e in listing["edges"]} == {"Cherry box": 50, "Free washing": None}
    assert unlimited["effectivePrice"]["cash"] == {"amount": "0.00", "currency": "CNY"}


async def test_a_page_in_date_order_prices_only_its_own_items(api, clock):
    from domain.access import ANONYMOUS
    from domain.mall import catalogue
    from domain.mall.shoppers import Shopper
    from domain.pagination import PageRequest

    mall = await Mall.open(api)
    for n in range(5):
        await mall.item(name=f"Box {n}", pointsPrice=100 + n)
    priced: list[int] = []

    class CountingShopper(Shopper):
        def price(self, item):
            priced.append(item.id)
            return super().price(item)

    now = clock.now() + timedelta(minutes=1)
    shopper = CountingShopper(member=None, tier=None, local_date=now.date(), now=now, rules=(), new_item_days=7)
    newest = await catalogue.browse(ANONYMOUS, catalogue.BrowseQuery(page=PageRequest(first=2)), shopper)
    assert [entry.price.points for entry in newest.items] == [104, 103]
    assert sorted(priced) == sorted(entry.item.id for entry in newest.items)
    priced.clear()
    cheapest = await catalogue.browse(
        ANONYMOUS, catalogue.BrowseQuery(sort=catalogue.SortField.POINTS_PRICE, descending=False, page=PageRequest(first=2)),
        shopper,
    )
    assert [entry.price.points for entry in cheapest.items] == [100, 101]
    assert len(set(priced)) == 5  # sorting by price needs every price, each worked out once
    assert len(priced) == 5


async def test_only_chain_admins_manage_the_catalogue(api):
    mall = await Mall.open(api)
    denied = await api.gql(CREATE_ITEM, {"i": {"name": "x", "band": "LOW", "kind": "COUPON", "pointsPrice": 1}}, token=mall.clerk)
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    bad = (await api.data(CREATE_ITEM, {"i": {"name": "x", "band": "LOW", "kind": "COUPON", "pointsPrice": -1}},
                          token=mall.admin))["createMallItem"]
    assert bad == {"item": None, "errors": [{"code": "INVALID_PRICE", "field": "pointsPrice", "message": bad["errors"][0]["message"]}]}


async def test_filters_sorting_and_paging(api, clock):
    mall = await Mall.open(api)
    other = await api.make_store()
    clock.set(local(2026, 3, 3))
    await mall.item(name="Old box", band="MIDDLE", pointsPrice=1000, availableFrom=local(2026, 1, 1).isoformat())
    await mall.item(name="New cup", band="LOW", kind="FRESH_CUT", pointsPrice=100, availableFrom=local(2026, 3, 1).isoformat())
    await mall.item(name="Juicer", band="HIGH", pointsPrice=20000, eligibleTiers=["DIAMOND"],
                    storeIds=[to_global_id("Store", other.id)])
    await mall.item(name="Coming soon", pointsPrice=10, availableFrom=local(2026, 4, 1).isoformat())
    shopper = await mall.member(balance=1000)

    names = lambda page: [e["node"]["name"] for e in page["edges"]]  # noqa: E731
    assert names(await mall.items()) == ["Juicer", "New cup", "Old box"]  # newest first, nothing unavailable
    assert names(await mall.items(f={"band": "LOW"})) == ["New cup"]
    assert names(await mall.items(f={"newOnly": True})) == ["Juicer", "New cup"]
    assert names(await mall.items(f={"storeId": mall.store_gid})) == ["New cup", "Old box"]
    assert names(await mall.items(shopper.token, f={"affordable": True})) == ["New cup", "Old box"]
    assert names(await mall.items(shopper.token, f={"eligibleForMe": True})) == ["New cup", "Old box"]
    by_price = {"field": "POINTS_PRICE", "direction": "ASC"}
    first = await mall.items(s=by_price, first=2)
    assert names(first) == ["New cup", "Old box"] and first["pageInfo"]["hasNextPage"]
    rest = await mall.items(s=by_price, first=2, after=first["pageInfo"]["endCursor"])
    assert names(rest) == ["Juicer"] and not rest["pageInfo"]["hasNextPage"]
    staff_view = await mall.items(mall.admin, f={"includeUnavailable": True})
    assert "Coming soon" in names(staff_view) and "Coming soon" not in names(await mall.items(f={"includeUnavailable": True}))
    anonymous = await api.gql(ITEMS, {"f": {"affordable": True}})
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_cursor_of_another_order_is_refused(api):
    mall = await Mall.open(api)
    await mall.item(name="A box")
    await mall.item(name="B box")
    by_name = await mall.items(s={"field": "NAME", "direction": "ASC"}, first=1)
    body = await api.gql(ITEMS, {"s": {"field": "POINTS_PRICE"}, "after": by_name["pageInfo"]["endCursor"]})
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "reason": "INVALID_CURSOR"}


async def test_retire_edit_and_restock(api):
    mall = await Mall.open(api)
    item = await mall.item(stock=3)
    update = """mutation($i: UpdateMallItemInput!) { updateMallItem(input: $i) {
      item { name pointsPrice perMemberLimit stockRemaining } errors { code } } }"""
    edited = (await api.data(update, {"i": {"id": item["id"], "name": "Bigger box", "pointsPrice": 150, "perMemberLimit": 1,
                                            "stockBuckets": 2}}, token=mall.admin))["updateMallItem"]
    assert edited == {"item": {"name": "Bigger box", "pointsPrice": 150, "perMemberLimit": 1, "stockRemaining": 3}, "errors": []}
    assert sorted(await MallStockBucket.filter(item_id=pk(item["id"])).values_list("remaining", flat=True)) == [1, 2]
    cleared = (await api.data(update, {"i": {"id": item["id"], "perMemberLimit": None}}, token=mall.admin))["updateMallItem"]
    assert cleared["item"]["perMemberLimit"] is None

    restock = "mutation($i: RestockMallItemInput!) { restockMallItem(input: $i) { item { stockRemaining } errors { code } } }"
    inp = {"itemId": item["id"], "quantity": 7, "idempotencyKey": "restock-1"}
    assert (await api.data(restock, {"i": inp}, token=mall.admin))["restockMallItem"]["item"] == {"stockRemaining": 10}
    assert (await api.data(restock, {"i": inp}, token=mall.admin))["restockMallItem"]["item"] == {"stockRemaining": 10}
    assert sorted(await MallStockBucket.filter(item_id=pk(item["id"])).values_list("remaining", flat=True)) == [5, 5]

    retire = "mutation($i: RetireMallItemInput!) { retireMallItem(input: $i) { item { isAvailable } errors { code } } }"
    assert (await api.data(retire, {"i": {"id": item["id"]}}, token=mall.admin))["retireMallItem"] == {
        "item": {"isAvailable": False}, "errors": []}
    assert (await mall.items())["totalCount"] == 0
    shopper = await mall.member(balance=500)
    assert codes_of([await mall.redeem(shopper, item)]) == ["NOT_AVAILABLE"]
    again = (await api.data(retire, {"i": {"id": item["id"]}}, token=mall.admin))["retireMallItem"]
    assert again["errors"] == [{"code": "ALREADY_RETIRED"}]


# ---- prices -------------------------------------------------------------------------------------


async def test_member_day_seasonal_and_tier_prices_on_the_clock(api, clock):
    mall = await Mall.open(api)
    await mall.rule(code="MEMBER-DAY", name="Member day", kind="MEMBER_DAY", percent=-20, dayOfMonth=8)
    await mall.rule(code="SPRING-PEAK", name="Spring Festival peak", kind="SEASONAL", percent=20, bands=["HIGH"],
                    dateFrom="2026-02-01", dateTo="2026-02-28")
    await mall.rule(code="SUMMER-LOW", name="Summer off-season", kind="SEASONAL", percent=-10, bands=["HIGH"],
                    dateFrom="2026-07-01", dateTo="2026-08-31")
    clock.set(local(2026, 1, 2))
    await mall.item(name="Gift box", band="MIDDLE", pointsPrice=1000, stock=10)
    juicer = await mall.item(name="Juicer", band="HIGH", pointsPrice=10000, stock=10)
    gold = await mall.member(balance=20_000)
    await Member.filter(id=gold.id).update(tier_id=(await tier("GOLD")).id)

    def price_of(page, name):
        return next(e["node"]["effectivePrice"] for e in page["edges"] if e["node"]["name"] == name)

    clock.set(local(2026, 1, 7, 23))  # the 7th in Shanghai: no member day yet
    assert price_of(await mall.items(), "Gift box")["points"] == 1000
    clock.set(local(2026, 1, 8, 0) + timedelta(minutes=1))  # 16:01 UTC on the 7th, already the 8th in Shanghai
    assert price_of(await mall.items(), "Gift box") == {
        "listPoints": 1000, "points": 800, "cash": {"amount": "0.00", "currency": "CNY"},
        "reasons": [{"kind": "MEMBER_DAY", "code": "MEMBER-DAY", "percent": -20, "pointsBefore": 1000, "pointsAfter": 800}],
    }
    clock.set(local(2026, 2, 8))  # member day in peak season: the season first, then member day, then the tier
    assert [(r["code"], r["pointsAfter"]) for r in price_of(await mall.items(gold.token), "Juicer")["reasons"]] == [
        ("SPRING-PEAK", 12000), ("MEMBER-DAY", 9600), ("GOLD", 9120)]
    assert price_of(await mall.items(gold.token), "Gift box")["points"] == 760  # seasonal rule is HIGH only
    clock.set(local(2026, 7, 15))
    assert price_of(await mall.items(), "Juicer")["points"] == 9000

    clock.set(local(2026, 2, 8))
    redeemed = await mall.redeem(gold, juicer, quantity=2)
    assert redeemed["redemption"]["pointsSpent"] == 2 * 9120 and redeemed["member"]["pointsBalance"] == 20_000 - 18_240


async def test_price_rules_are_validated(api):
    mall = await Mall.open(api)
    body = (await api.data(RULE, {"i": {"code": "BAD", "name": "x", "kind": "SEASONAL", "percent": 10, "dateFrom": "2026-03-01",
                                        "dateTo": "2026-02-01"}}, token=mall.admin))["createMallPriceRule"]
    assert body["errors"] == [{"code": "INVALID_RULE", "field": "dateFrom"}]
    body = (await api.data(RULE, {"i": {"code": "DAY", "name": "x", "kind": "MEMBER_DAY", "percent": -20}},
                           token=mall.admin))["createMallPriceRule"]
    assert body["errors"] == [{"code": "INVALID_RULE", "field": "dayOfMonth"}]
    assert await MallPriceRule.all().count() == 0


# ---- redeeming ----------------------------------------------------------------------------------


async def test_member_redeems_points_and_stock_go_and_the_code_is_collected_once(api):
    mall = await Mall.open(api)
    item = await mall.item(pointsPrice=300, stock=5)
    shopper = await mall.member(balance=1000)
    result = await mall.redeem(shopper, item, quantity=2, storeId=mall.store_gid)
    assert result["errors"] == [] and result["replayed"] is False
    redemption = result["redemption"]
    assert redemption["status"] == "PENDING" and redemption["pointsSpent"] == 600 and len(redemption["code"]) == 8
    assert result["member"] == {"pointsBalance": 400} and await units_left(item) == 3
    journal = await PointsJournal.get(kind=JournalKind.REDEMPTION)
    assert journal.reference == f"redemption:{pk(redemption['id'])}"

    mine = (await api.data(MY_REDEMPTIONS, token=shopper.token))["me"]["redemptions"]
    assert mine["totalCount"] == 1 and mine["edges"][0]["node"]["item"] == {"name": "Fruit gift box"}

    first = await mall.fulfil(f"ORCHARD:R:{redemption['code']}")
    assert first["errors"] == [] and first["redemption"]["status"] == "FULFILLED"
    second = await mall.fulfil(redemption["code"])
    assert second["errors"][0]["code"] == "ALREADY_FULFILLED"
    assert mall.store.code in second["errors"][0]["message"] and second["redemption"]["fulfilledStore"]["code"] == mall.store.code
    assert codes_of([await mall.cancel(redemption["id"], shopper.token)]) == ["ALREADY_FULFILLED"]
    assert await check_ledger() == []


async def test_kiosk_and_clerk_redeem_for_a_scanned_member(api):
    mall = await Mall.open(api)
    item = await mall.item(pointsPrice=20)
    shopper = await mall.member(balance=100)
    kiosk = (await api_keys.create_device_key(mall.store, api_keys.DeviceType.KIOSK, "kiosk")).secret
    missing = (await api.data(REDEEM, {"i": {"itemId": item["id"], "idempotencyKey": "k"}}, token=kiosk))["redeemMallItem"]
    assert missing["errors"][0]["code"] == "MEMBER_CODE_REQUIRED"
    by_kiosk = (await api.data(REDEEM, {"i": {"itemId": item["id"], "memberCode": f"ORCHARD:M:{shopper.code}",
                                               "idempotencyKey": "k"}}, token=kiosk))["redeemMallItem"]
    assert by_kiosk["errors"] == [] and by_kiosk["member"] == {"pointsBalance": 80}
    by_clerk = (await api.data(REDEEM, {"i": {"itemId": item["id"], "memberCode": shopper.code, "idempotencyKey": "k"}},
                               token=mall.clerk))["redeemMallItem"]
    assert by_clerk["errors"] == [] and by_clerk["redemption"]["id"] != by_kiosk["redemption"]["id"]  # keys are per caller
    assert (await Redemption.get(id=pk(by_kiosk["redemption"]["id"]))).store_id == mall.store.id
    other_store = to_global_id("Store", (await api.make_store()).id)
    elsewhere = await api.gql(REDEEM, {"i": {"itemId": item["id"], "memberCode": shopper.code, "idempotencyKey": "x",
                                             "storeId": other_store}}, token=kiosk)
    assert elsewhere["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    anonymous = await api.gql(REDEEM, {"i": {"itemId": item["id"], "idempotencyKey": "y"}})
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_payload_errors_of_a_redemption(api, clock):
    mall = await Mall.open(api)
    poor = await mall.member(balance=10)
    rich = await mall.member(balance=10_000)
    costly = await mall.item(pointsPrice=50)
    assert codes_of([await mall.redeem(poor, costly)]) == ["INSUFFICIENT_POINTS"]
    diamond_only = await mall.item(pointsPrice=1, eligibleTiers=["DIAMOND"])
    assert codes_of([await mall.redeem(rich, diamond_only)]) == ["NOT_ELIGIBLE"]
    later = await mall.item(pointsPrice=1, availableFrom=(clock.now() + timedelta(days=1)).isoformat())
    assert codes_of([await mall.redeem(rich, later)]) == ["NOT_AVAILABLE"]
    elsewhere = await mall.item(pointsPrice=1, storeIds=[to_global_id("Store", (await api.make_store()).id)])
    assert (await mall.redeem(rich, elsewhere, storeId=mall.store_gid))["errors"][0]["field"] == "storeId"
    one_left = await mall.item(pointsPrice=1, stock=1)
    assert (await mall.redeem(rich, one_left))["errors"] == []
    assert codes_of([await mall.redeem(rich, one_left)]) == ["OUT_OF_STOCK"]
    limited = await mall.item(pointsPrice=1, perMemberLimit=2, limitPeriod="MONTH")
    assert codes_of([await mall.redeem(rich, limited, quantity=3)]) == ["MEMBER_LIMIT_REACHED"]
    assert (await mall.redeem(rich, limited, quantity=2))["errors"] == []
    assert codes_of([await mall.redeem(rich, limited)]) == ["MEMBER_LIMIT_REACHED"]
    assert codes_of([await mall.redeem(rich, limited, quantity=0)]) == ["INVALID_QUANTITY"]
    assert codes_of([await mall.redeem(rich, {"id": "nope"})]) == ["INVALID_ID"]
    assert await check_ledger() == []


async def test_a_member_limit_per_month_opens_again_next_month(api, clock):
    mall = await Mall.open(api)
    clock.set(local(2026, 5, 31, 23))
    item = await mall.item(pointsPrice=1, perMemberLimit=1, limitPeriod="MONTH")
    shopper = await mall.member(balance=100)
    assert (await mall.redeem(shopper, item))["errors"] == []
    assert codes_of([await mall.redeem(shopper, item)]) == ["MEMBER_LIMIT_REACHED"]
    clock.set(local(2026, 6, 1, 0) + timedelta(minutes=5))  # still 31 May in UTC
    assert (await mall.redeem(shopper, item))["errors"] == []
    assert sorted(await MallMemberQuota.all().values_list("period_key", flat=True)) == ["2026-05", "2026-06"]


async def test_same_key_replays_other_input_is_key_reused_and_a_failure_does_not_burn_the_key(api):
    mall = await Mall.open(api)
    item = await mall.item(pointsPrice=40, stock=1)
    other = await mall.item(pointsPrice=40)
    shopper = await mall.member(balance=60)
    first = await mall.redeem(shopper, item, key="same")
    again = await mall.redeem(shopper, item, key="same")  # sold out now: still the first answer
    assert again["replayed"] is True and again["redemption"] == first["redemption"]
    assert codes_of([await mall.redeem(shopper, other, key="same")]) == ["IDEMPOTENCY_KEY_REUSED"]
    assert codes_of([await mall.redeem(shopper, other, key="retry")]) == ["INSUFFICIENT_POINTS"]
    await ledger.credit(shopper.id, 100, JournalKind.PURCHASE, reason="purchase", actor="test", clock=api.clock)
    assert (await mall.redeem(shopper, other, key="retry"))["errors"] == []
    assert await Redemption.all().count() == 2


async def test_a_retry_replays_after_the_item_stopped_being_available_to_the_member(api):
    """Availability is checked in the transaction, after the member is read: a refusal there still replays."""
    mall = await Mall.open(api)
    until = api.clock.now() + timedelta(hours=1)
    item = await mall.item(pointsPrice=10, availableUntil=until.isoformat())
    shopper = await mall.member(balance=100)
    first = await mall.redeem(shopper, item, key="before-close")
    assert first["errors"] == []
    api.clock.advance(timedelta(hours=2))
    again = await mall.redeem(shopper, item, key="before-close")
    assert again["replayed"] is True and again["redemption"] == first["redemption"]
    assert codes_of([await mall.redeem(shopper, item, key="after-close")]) == ["NOT_AVAILABLE"]
    assert await Redemption.all().count() == 1 and await ledger.balance(shopper.id) == 90


async def test_rate_limit_counts_new_attempts_of_a_member(api):
    mall = await Mall.open(api)
    await mall.set(redeemAttemptsPerWindow=3)
    item = await mall.item(pointsPrice=1)
    shopper = await mall.member(balance=100)
    for _ in range(3):
        assert (await mall.redeem(shopper, item, key="k1"))["errors"] == []  # retries of one key count once
    assert (await mall.redeem(shopper, item))["errors"] == []
    assert (await mall.redeem(shopper, item))["errors"] == []
    assert codes_of([await mall.redeem(shopper, item)]) == ["RATE_LIMITED"]
    assert (await mall.redeem(shopper, item, key="k1"))["replayed"] is True
    api.clock.advance(timedelta(seconds=11))
    assert (await mall.redeem(shopper, item))["errors"] == []


async def test_a_sold_out_item_answers_from_the_cache_until_restocked(api):
    mall = await Mall.open(api)
    item = await mall.item(pointsPrice=1, stock=1)
    shopper = await mall.member(balance=100)
    assert (await mall.redeem(shopper, item))["errors"] == []
    assert codes_of([await mall.redeem(shopper, item)]) == ["OUT_OF_STOCK"]
    assert await stock.known_sold_out(pk(item["id"]))
    # The flag answers without reading the buckets: even a bucket refilled behind the mall's back stays unseen.
    await MallStockBucket.filter(item_id=pk(item["id"])).update(remaining=1)
    assert codes_of([await mall.redeem(shopper, item)]) == ["OUT_OF_STOCK"]
    restock = "mutation($i: RestockMallItemInput!) { restockMallItem(input: $i) { errors { code } } }"
    await api.data(restock, {"i": {"itemId": item["id"], "quantity": 1, "idempotencyKey": "r"}}, token=mall.admin)
    assert not await stock.known_sold_out(pk(item["id"]))
    assert (await mall.redeem(shopper, item))["errors"] == []


# ---- the counter, cancelling, expiry ------------------------------------------------------------


async def test_fulfilment_belongs_to_the_collecting_store(api):
    mall = await Mall.open(api)
    item = await mall.item(pointsPrice=1)
    shopper = await mall.member(balance=10)
    code = (await mall.redeem(shopper, item, storeId=mall.store_gid))["redemption"]["code"]
    other = await api.make_store()
    _, other_clerk = await api.make_staff(StaffRole.CLERK, other)
    wrong = await mall.fulfil(code, token=other_clerk, store_gid=to_global_id("Store", other.id))
    unknown = await mall.fulfil("ABCDEFGH", token=other_clerk, store_gid=to_global_id("Store", other.id))
    assert wrong == unknown and codes_of([wrong]) == ["REDEMPTION_NOT_FOUND"]  # no oracle of another store's codes
    looked_up = await api.data("query($c: String!) { redemption(code: $c) { code } }", {"c": code}, token=other_clerk)
    assert looked_up == {"redemption": None}
    admin_wrong = await mall.fulfil(code, token=mall.admin, store_gid=to_global_id("Store", other.id))
    assert codes_of([admin_wrong]) == ["WRONG_STORE"]  # a chain admin may see every redemption
    not_theirs = await api.gql(FULFIL, {"i": {"code": code, "storeId": mall.store_gid}}, token=other_clerk)
    assert not_theirs["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert codes_of([await mall.fulfil("ABCDEFGH")]) == ["REDEMPTION_NOT_FOUND"]
    kiosk = (await api_keys.create_device_key(mall.store, api_keys.DeviceType.KIOSK, "kiosk")).secret
    assert (await mall.fulfil(code, token=kiosk))["redemption"]["status"] == "FULFILLED"
    staff_list = await api.data('{ redemptions(filter: {status: FULFILLED}) { totalCount } }', token=mall.clerk)
    assert staff_list == {"redemptions": {"totalCount": 1}}
    assert await api.data('{ redemptions { totalCount } }', token=other_clerk) == {"redemptions": {"totalCount": 0}}


async def test_cancel_returns_points_with_their_expiry_stock_and_quota(api, clock):
    mall = await Mall.open(api)
    item = await mall.item(pointsPrice=80, stock=2, perMemberLimit=1)
    shopper = await mall.member(balance=0)
    soon = clock.now() + timedelta(days=20)
    await ledger.credit(shopper.id, 100, JournalKind.PURCHASE, reason="purchase", actor="test", expires_at=soon, clock=clock)
    redemption = (await mall.redeem(shopper, item))["redemption"]
    assert await units_left(item) == 1
    clock.advance(timedelta(days=1))
    cancelled = await mall.cancel(redemption["id"], shopper.token, key="c1", reason="wrong size")
    assert cancelled["errors"] == [] and cancelled["redemption"] == {"status": "CANCELLED", "cancelReason": "wrong size"}
    assert cancelled["member"] == {"pointsBalance": 100}
    assert await units_left(item) == 2 and (await MallMemberQuota.get()).used == 0
    restored = await PointsLot.filter(source_lot_id__isnull=False).first()
    assert restored.remaining == 80 and restored.expires_at == soon
    assert (await mall.cancel(redemption["id"], shopper.token, key="c1", reason="wrong size"))["errors"] == []
    assert codes_of([await mall.cancel(redemption["id"], shopper.token)]) == ["ALREADY_CANCELLED"]
    assert codes_of([await mall.fulfil(redemption["code"])]) == ["ALREADY_CANCELLED"]
    stranger = await mall.member(balance=0)
    assert codes_of([await mall.cancel(redemption["id"], stranger.token)]) == ["REDEMPTION_NOT_FOUND"]
    assert (await mall.redeem(shopper, item))["errors"] == []  # the limit opened again
    assert await check_ledger() == []


async def test_a_free_item_takes_no_points_and_cancels_cleanly(api):
    mall = await Mall.open(api)
    item = await mall.item(name="Free washing", band="LOW", kind="SERVICE", pointsPrice=0, stock=2)
    shopper = await mall.member(balance=5)
    redemption = (await mall.redeem(shopper, item))["redemption"]
    assert redemption["pointsSpent"] == 0 and not await PointsJournal.filter(kind=JournalKind.REDEMPTION).exists()
    assert (await mall.cancel(redemption["id"], shopper.token))["redemption"]["status"] == "CANCELLED"
    assert await ledger.balance(shopper.id) == 5 and await units_left(item) == 2 and await check_ledger() == []


async def test_uncollected_redemptions_expire_in_the_sweep(api, clock):
    mall = await Mall.open(api)
    await mall.set(redemptionValidHours=48)
    item = await mall.item(pointsPrice=30, stock=3)
    shopper = await mall.member(balance=100)
    kept = (await mall.redeem(shopper, item))["redemption"]
    lapsing = (await mall.redeem(shopper, item))["redemption"]
    assert (await mall.fulfil(kept["code"]))["errors"] == []
    clock.advance(timedelta(hours=49))
    assert codes_of([await mall.fulfil(lapsing["code"])]) == ["REDEMPTION_EXPIRED"]
    sweep = "mutation { expireRedemptions(input: {}) { expired errors { code } } }"
    assert (await api.gql(sweep, token=mall.clerk))["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await api.data(sweep, token=mall.admin))["expireRedemptions"] == {"expired": 1, "errors": []}
    assert (await api.data(sweep, token=mall.admin))["expireRedemptions"]["expired"] == 0
    statuses = (await api.data(MY_REDEMPTIONS, {"f": {"status": "EXPIRED"}}, token=shopper.token))["me"]["redemptions"]
    assert statuses["totalCount"] == 1 and statuses["edges"][0]["node"]["code"] == lapsing["code"]
    assert await ledger.balance(shopper.id) == 70 and await units_left(item) == 2
    assert await check_ledger() == []


async def test_redemptions_are_nodes_their_viewers_may_refetch(api):
    mall = await Mall.open(api)
    item = await mall.item(pointsPrice=1)
    shopper = await mall.member(balance=10)
    stranger = await mall.member(balance=10)
    redemption = (await mall.redeem(shopper, item))["redemption"]
    query = "query($id: ID!) { node(id: $id) { ... on Redemption { code item { name } } } }"
    assert (await api.data(query, {"id": redemption["id"]}, token=shopper.token))["node"]["code"] == redemption["code"]
    assert (await api.gql(query, {"id": redemption["id"]}, token=stranger.token))["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    by_code = await api.data('query($c: String!) { redemption(code: $c) { status } }', {"c": redemption["code"]}, token=mall.clerk)
    assert by_code == {"redemption": {"status": "PENDING"}}
    item_node = await api.data("query($id: ID!) { node(id: $id) { ... on MallItem { name } } }", {"id": item["id"]})
    assert item_node == {"node": {"name": "Fruit gift box"}}


# ---- demo data --------------------------------------------------------------------------------


async def test_the_demo_mall_loads_once(api, clock):
    from tortoise.transactions import in_transaction

    async with in_transaction() as conn:
        await load_demo_mall(conn)
        await load_demo_mall(conn)
    items = await MallItem.all()
    assert 25 <= len(items) <= 40
    assert {i.band for i in items} == {"LOW", "MIDDLE", "HIGH"} and len({i.kind for i in items}) == 6
    assert await MallPriceRule.filter(kind="MEMBER_DAY", day_of_month=8, percent=-20).exists()
    assert await MallPriceRule.filter(kind="SEASONAL", percent__gt=0).exists()
    assert sum(1 for i in items if i.stock_limited) >= 25
    assert (await api.data("{ mallItems(first: 100) { totalCount } }"))["mallItems"]["totalCount"] == len(items)


def test_the_mall_error_reports_the_domain_codes():
    from domain.mall.errors import MallErrorCode as DomainCode
    from schema.errors import ErrorCode
    from schema.mall.payloads import MallError

    assert MallError.CODES is DomainCode
    assert {c.value for c in DomainCode} <= {c.value for c in ErrorCode}


async def test_stock_and_cash_prices_stay_within_the_bounds(api):
    from domain.bounds import MAX_STOCK

    mall = await Mall.open(api)
    item = await mall.item(stock=MAX_STOCK - 5)
    restock = "mutation($i: RestockMallItemInput!) { restockMallItem(input: $i) { item { stockRemaining } errors { code field } } }"
    over = (await api.data(restock, {"i": {"itemId": item["id"], "quantity": 6, "idempotencyKey": "over"}}, token=mall.admin))
    assert over["restockMallItem"] == {"item": None, "errors": [{"code": "INVALID_STOCK", "field": "quantity"}]}
    fits = (await api.data(restock, {"i": {"itemId": item["id"], "quantity": 5, "idempotencyKey": "fits"}}, token=mall.admin))
    assert fits["restockMallItem"]["item"] == {"stockRemaining": MAX_STOCK}
    for price in ("1e30", "NaN", "Infinity", "10000000.01"):
        bad = await api.gql(CREATE_ITEM, {"i": {"name": "x", "band": "LOW", "kind": "COUPON", "pointsPrice": 1, "cashPrice": price}},
                            token=mall.admin)
        assert "errors" not in bad, bad
        assert [(e["code"], e["field"]) for e in bad["data"]["createMallItem"]["errors"]] == [("INVALID_PRICE", "cashPrice")]
