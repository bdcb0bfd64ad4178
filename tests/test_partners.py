"""Partner bundles through the API: partners and keys, bundles, verification at the partner's
shop, cash sales at the till, and the monthly settlement."""

from __future__ import annotations

from domain.access import StaffRole
from domain.mall.check import check_stock
from domain.mall.models import MallItem
from domain.partners import stock_watch
from domain.stores import api_keys
from domain.stores.models import ApiKey, Partner
from domain.webhooks.models import WebhookEvent
from tests.conftest import orchard_cli
from tests.partners_support import Partners
from tests.points_support import ensure_default_rules
from tests.test_mall import SHANGHAI, local, new_key, pk, units_left


async def test_chain_admins_sign_up_partners_and_issue_keys_shown_once(api):
    shop = await Partners.open(api)
    bakery = await shop.partner(contact="Ms Li, 021-5555", sharePercent=30)
    assert bakery["kind"] == "BAKERY" and bakery["status"] == "ACTIVE" and bakery["code"].startswith("GOLDEN-CRUST-BAKERY-")
    florist = await shop.partner("Bloom & Co", "FLORIST")
    secret = await shop.key(bakery)
    assert secret.startswith("orch_partner_")

    clerk = await api.gql('mutation { createPartner(input: {name: "X", kind: OTHER}) { partner { id } } }', token=shop.mall.clerk)
    assert clerk["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    blank = (await api.data('mutation { createPartner(input: {name: " ", kind: OTHER}) { errors { code field } } }',
                            token=shop.mall.admin))["createPartner"]
    assert blank["errors"] == [{"code": "INVALID_NAME", "field": "name"}]

    mine = await api.data("{ partners { id name contact sharePercent } }", token=secret)
    assert mine["partners"] == [{"id": bakery["id"], "name": bakery["name"], "contact": "Ms Li, 021-5555", "sharePercent": 30}]
    other = await api.data("query($id: ID!) { partner(id: $id) { id } }", {"id": florist["id"]}, token=secret)
    assert other["partner"] is None  # another partner is not confirmed to exist
    assert (await api.data("{ partners { id } }"))["partners"] == []


async def test_bundles_list_their_price_and_a_partner_sees_only_its_own(api):
    shop = await Partners.open(api)
    bakery, florist = await shop.partner(), await shop.partner("Bloom & Co", "FLORIST")
    cake = await shop.bundle(bakery, pointsPrice=300, cashPrice={"amount": "10.00", "currency": "CNY"},
                             partnerShare={"amount": "25.00", "currency": "CNY"},
                             components=[{"name": "Fruit box", "supplier": "CHAIN"}, {"name": "Cake", "supplier": "PARTNER"}])
    flowers = await shop.bundle(florist, name="Flowers + fruit basket", pointsPrice=None,
                                cashPrice={"amount": "168.00", "currency": "CNY"})
    assert cake["effectivePrice"] == {"points": 300, "cash": {"amount": "10.00"}} and cake["stockRemaining"] == 10
    assert flowers["pointsRedeemable"] is False

    everyone = await shop.bundles()
    assert {b["name"] for b in everyone} == {"Fruit + cake", "Flowers + fruit basket"}
    assert all(b["partnerShare"] is None for b in everyone)  # the terms are the chain's and the partner's
    bakery_key = await shop.key(bakery)
    own = await shop.bundles(bakery_key)
    assert [(b["id"], b["partnerShare"]) for b in own] == [(cake["id"], {"amount": "25.00"})]
    assert await shop.bundles(bakery_key, partnerId=florist["id"]) == []
    assert [b["id"] for b in await shop.bundles(partnerId=florist["id"])] == [flowers["id"]]
    assert len(await shop.bundles(shop.mall.admin)) == 2

    suspended = await api.data("mutation($i: UpdatePartnerInput!) { updatePartner(input: $i) { partner { status } } }",
                               {"i": {"partnerId": florist["id"], "status": "SUSPENDED"}}, token=shop.mall.admin)
    assert suspended["updatePartner"]["partner"]["status"] == "SUSPENDED"
    assert [b["id"] for b in await shop.bundles()] == [cake["id"]]

    refused = (await api.data(
        "mutation($i: CreateBundleInput!) { createBundle(input: $i) { bundle { id } errors { code field } } }",
        {"i": {"partnerId": bakery["id"], "name": "Nothing", "pointsPrice": None}}, token=shop.mall.admin))["createBundle"]
    assert refused["errors"] == [{"code": "INVALID_PRICE", "field": "cashPrice"}]
    other = (await api.data(
        "mutation($i: CreateBundleInput!) { createBundle(input: $i) { bundle { id } errors { code field } } }",
        {"i": {"partnerId": bakery["id"], "name": "Too many", "pointsPrice": 10, "stock": -1}}, token=shop.mall.admin))
    assert other["createBundle"]["errors"] == [{"code": "INVALID_STOCK", "field": "stock"}]


async def test_the_partner_verifies_its_own_redemption_exactly_once(api):
    shop = await Partners.open(api)
    bakery, florist = await shop.partner(), await shop.partner("Bloom & Co", "FLORIST")
    cake = await shop.bundle(bakery)
    member = await shop.mall.member(balance=1_000)
    redeemed = await shop.mall.redeem(member, cake)
    assert redeemed["errors"] == [] and redeemed["member"]["pointsBalance"] == 700
    code = redeemed["redemption"]["code"]
    bakery_key, florist_key = await shop.key(bakery), await shop.key(florist)

    wrong = await shop.verify(florist_key, code)
    assert [e["code"] for e in wrong["errors"]] == ["REDEMPTION_NOT_FOUND"] and wrong["redemption"] is None
    key = new_key()
    done = await shop.verify(bakery_key, code, key)
    assert done["errors"] == [] and done["redemption"]["status"] == "FULFILLED"
    assert done["redemption"]["member"] is None  # a partner never sees the member's record
    assert (await shop.verify(bakery_key, code, key)) == done  # a retry answers as the first did
    again = await shop.verify(bakery_key, code)
    assert again["errors"][0]["code"] == "ALREADY_FULFILLED" and "Golden Crust Bakery" in again["errors"][0]["message"]
    assert (await shop.verify(bakery_key, "NOPE-0000"))["errors"][0]["code"] == "REDEMPTION_NOT_FOUND"

    clerk = await api.gql('mutation { verifyPartnerRedemption(input: {code: "X", idempotencyKey: "k"}) { errors { code } } }',
                          token=shop.mall.clerk)
    assert clerk["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    no_scope = await shop.key(bakery, scopes=["bundles:read"])
    denied = await api.gql('mutation { verifyPartnerRedemption(input: {code: "X", idempotencyKey: "k"}) { errors { code } } }',
                           token=no_scope)
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    events = await WebhookEvent.filter(partner_id=pk(bakery["id"])).order_by("id").values_list("event_type", flat=True)
    assert events == ["redemption.created", "redemption.fulfilled"]  # the bakery's endpoints receive them


async def test_a_cash_only_bundle_is_sold_at_the_till_from_the_same_stock(api, clock):
    await ensure_default_rules(clock)
    shop = await Partners.open(api)
    florist = await shop.partner("Bloom & Co", "FLORIST")
    flowers = await shop.bundle(florist, name="Flowers + fruit basket", pointsPrice=None, stock=3,
                                cashPrice={"amount": "168.00", "currency": "CNY"})
    member = await shop.mall.member(balance=5_000)

    refused = await shop.mall.redeem(member, flowers)
    assert [e["code"] for e in refused["errors"]] == ["CASH_ONLY"]
    sold = await shop.sell(member.code, flowers, quantity=2, price="168.00")
    assert sold["errors"] == [] and sold["purchase"]["pointsEarned"] > 0
    assert await units_left(flowers) == 1
    over = await shop.sell(member.code, flowers, quantity=2, price="168.00")
    assert over["errors"] == [{"code": "OUT_OF_STOCK", "field": "lines.0.bundleId", "message": "This bundle is sold out."}]
    assert over["purchase"] is None and await units_left(flowers) == 1  # the purchase was not recorded either
    unknown = await shop.sell(member.code, {"id": shop.mall.store_gid}, quantity=1)
    assert unknown["errors"][0]["code"] == "INVALID_ID"
    item = await shop.mall.item(name="Plain gift box")
    not_a_bundle = await shop.sell(member.code, item, quantity=1)
    assert not_a_bundle["errors"][0]["code"] == "BUNDLE_NOT_FOUND"
    assert await check_stock() == []


async def test_a_month_settles_and_a_cancellation_after_closing_lands_in_the_next(api, clock, settings, tmp_path):
    clock.set(local(2026, 11, 10))
    await ensure_default_rules(clock)
    shop = await Partners.open(api)
    bakery, florist = await shop.partner(sharePercent=50), await shop.partner("Bloom & Co", "FLORIST")
    cake = await shop.bundle(bakery, pointsPrice=300, cashPrice={"amount": "10.00", "currency": "CNY"},
                             partnerShare={"amount": "25.00", "currency": "CNY"})
    tart = await shop.bundle(bakery, name="Tart for cash", pointsPrice=None, cashPrice={"amount": "40.00", "currency": "CNY"})
    member = await shop.mall.member(balance=5_000)
    first = await shop.mall.redeem(member, cake, quantity=2)
    second = await shop.mall.redeem(member, cake)
    assert (await shop.sell(member.code, tart, quantity=1, price="40.00"))["errors"] == []

    live = await shop.settlement(bakery, "2026-11")
    assert (live["closed"], live["unitsRedeemed"], live["unitsSold"], live["cashTaken"], live["shareDue"]) == (
        False, 3, 1, {"amount": "70.00"}, {"amount": "95.00"})  # 3 x 25.00 + half of 40.00
    assert {line["member"] for line in live["lines"] if line["kind"] == "REDEEMED"} == {"M***"}
    assert (await shop.close(bakery, "2026-11"))["errors"] == [{"code": "PERIOD_NOT_ENDED", "field": "period"}]

    clock.set(local(2026, 12, 2))
    closed = await shop.close(bakery, "2026-11")
    assert closed["errors"] == [] and closed["settlement"] == {
        "period": "2026-11", "closed": True, "unitsRedeemed": 3, "shareDue": {"amount": "95.00"}}
    assert (await shop.close(bakery, "2026-11"))["errors"] == [{"code": "PERIOD_CLOSED", "field": "period"}]
    assert await WebhookEvent.filter(partner_id=pk(bakery["id"]), event_type="settlement.closed").count() == 1

    cancelled = await shop.mall.cancel(second["redemption"]["id"], shop.mall.admin)
    assert cancelled["errors"] == []
    november = await shop.settlement(bakery, "2026-11")
    assert (november["unitsRedeemed"], november["shareDue"]) == (3, {"amount": "95.00"})  # frozen
    december = await shop.settlement(bakery, "2026-12")
    assert (december["unitsAdjusted"], december["shareDue"], december["cashTaken"]) == (-1, {"amount": "-25.00"},
                                                                                      {"amount": "-10.00"})
    assert [(line["kind"], line["reference"]) for line in december["lines"]] == [("ADJUSTMENT", second["redemption"]["code"])]
    assert first["redemption"]["code"] in november["csv"]

    bakery_key, florist_key = await shop.key(bakery), await shop.key(florist)
    assert (await shop.settlement(bakery, "2026-11", token=bakery_key))["shareDue"] == {"amount": "95.00"}
    assert await shop.settlement(bakery, "2026-11", token=florist_key) is None
    assert await shop.settlement(bakery, "2026-11", token=member.token) is None
    bad = await api.gql('query($p: ID!) { partnerSettlement(partnerId: $p, period: "November") { period } }',
                        {"p": bakery["id"]}, token=shop.mall.admin)
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT" and "YYYY-MM" in bad["errors"][0]["message"]

    target = tmp_path / "settlement.csv"
    code = (await api.data("query($id: ID!) { partner(id: $id) { code } }", {"id": bakery["id"]}, token=shop.mall.admin))
    done = orchard_cli(settings.database_url, "partners", "settle", "--partner", code["partner"]["code"], "--period", "2026-11",
                    "--output", str(target))
    assert done.returncode == 0, done.stderr
    rows = target.read_text().splitlines()
    assert rows[0].startswith("partner,period,kind,at,bundle,reference,member,quantity,cash_yuan,share_yuan")
    assert rows[-1].endswith("TOTAL,,,,,4,70.00,95.00") and len(rows) == 5


async def test_a_bundle_running_low_tells_its_partner_once_per_restock(api, clock):
    shop = await Partners.open(api)
    bakery = await shop.partner()
    cake = await shop.bundle(bakery, pointsPrice=10, stock=10)
    member = await shop.mall.member(balance=1_000)
    low = {"partner_id": pk(bakery["id"]), "event_type": "bundle.stock_low"}

    for _ in range(8):
        assert (await shop.mall.redeem(member, cake))["errors"] == []
    assert await stock_watch.send_alerts(clock) == 0  # 2 of 10 left: not low yet
    assert (await shop.mall.redeem(member, cake))["errors"] == []
    assert await stock_watch.send_alerts(clock) == 1  # 1 of 10
    assert await stock_watch.send_alerts(clock) == 0 and await WebhookEvent.filter(**low).count() == 1

    restock = "mutation($i: RestockMallItemInput!) { restockMallItem(input: $i) { errors { code } } }"
    inp = {"itemId": cake["id"], "quantity": 10, "idempotencyKey": new_key()}
    assert (await api.data(restock, {"i": inp}, token=shop.mall.admin))["restockMallItem"]["errors"] == []
    assert await stock_watch.send_alerts(clock) == 0  # 11 of 20
    for _ in range(9):
        assert (await shop.mall.redeem(member, cake))["errors"] == []
    assert await stock_watch.send_alerts(clock) == 1  # 2 of 20
    event = await WebhookEvent.filter(**low).order_by("-id").first()
    assert '"stockRemaining":2' in event.body and '"stockReceived":20' in event.body


ADMIN_ONLY = {
    "createPartner": ("CreatePartnerInput", {"name": "Sneaky", "kind": "OTHER"}),
    "updatePartner": ("UpdatePartnerInput", {"partnerId": "{partner}", "status": "SUSPENDED"}),
    "createPartnerKey": ("CreatePartnerKeyInput", {"partnerId": "{partner}", "name": "stolen"}),
    "createBundle": ("CreateBundleInput", {"partnerId": "{partner}", "name": "Free cake", "pointsPrice": 1}),
    "closeSettlementPeriod": ("CloseSettlementPeriodInput", {"partnerId": "{partner}", "period": "2020-01"}),
}


async def test_only_chain_admins_manage_partners_bundles_and_periods(api):
    shop = await Partners.open(api)
    bakery, florist = await shop.partner(), await shop.partner("Bloom & Co", "FLORIST")
    _, manager = await api.make_staff(StaffRole.STORE_MANAGER, shop.mall.store)
    kiosk = await api_keys.create_device_key(shop.mall.store, api_keys.DeviceType.KIOSK, "Kiosk")
    member = await shop.mall.member(balance=100)
    callers = {"anonymous": None, "member": member.token, "clerk": shop.mall.clerk, "manager": manager,
               "kiosk": kiosk.secret, "partner": await shop.key(bakery), "other partner": await shop.key(florist)}
    for field, (input_type, values) in ADMIN_ONLY.items():
        given = {k: bakery["id"] if v == "{partner}" else v for k, v in values.items()}
        for who, token in callers.items():
            body = await api.gql(f"mutation($i: {input_type}!) {{ {field}(input: $i) {{ errors {{ code }} }} }}",
                                 {"i": given}, token=token)
            assert body["data"] is None or body["data"][field] is None, (field, who)
            assert body["errors"][0]["extensions"]["code"] in ("FORBIDDEN", "UNAUTHENTICATED"), (field, who)
    assert await Partner.all().count() == 2 and await ApiKey.filter(kind="PARTNER").count() == 2
    assert (await Partner.get(id=pk(bakery["id"]))).status == "ACTIVE" and await MallItem.filter(partner_id__isnull=False).count() == 0

    for who in ("anonymous", "member", "clerk", "manager", "kiosk"):
        token = callers[who]
        shown = await api.data("query($p: ID!) { partners { id } partner(id: $p) { id }"
                               " partnerSettlement(partnerId: $p, period: \"2026-11\") { period } }", {"p": bakery["id"]},
                               token=token)
        assert shown == {"partners": [], "partner": None, "partnerSettlement": None}, who


async def test_a_returned_till_sale_puts_the_bundle_back_and_leaves_the_settlement(api, clock):
    clock.set(local(2026, 11, 20))
    await ensure_default_rules(clock)
    shop = await Partners.open(api)
    bakery = await shop.partner(sharePercent=50)
    tart = await shop.bundle(bakery, name="Tart for cash", pointsPrice=None, stock=5,
                             cashPrice={"amount": "40.00", "currency": "CNY"})
    member = await shop.mall.member(balance=0)
    sold = await shop.sell(member.code, tart, quantity=3, price="40.00")
    assert sold["errors"] == [] and await units_left(tart) == 2

    clock.set(local(2026, 12, 3))
    back = await api.data(
        "mutation($i: ReturnPurchaseInput!) { returnPurchase(input: $i) { purchase { status } errors { code } } }",
        {"i": {"purchaseId": sold["purchase"]["id"], "lines": [{"lineNo": 0, "quantity": 2}], "idempotencyKey": new_key()}},
        token=shop.mall.clerk)
    assert back["returnPurchase"] == {"purchase": {"status": "PARTIALLY_RETURNED"}, "errors": []}
    assert await units_left(tart) == 4 and await check_stock() == []
    november, december = await shop.settlement(bakery, "2026-11"), await shop.settlement(bakery, "2026-12")
    assert (november["unitsSold"], november["shareDue"]) == (3, {"amount": "60.00"})
    assert (december["unitsSold"], december["cashTaken"], december["shareDue"]) == (-2, {"amount": "-80.00"},
                                                                                    {"amount": "-40.00"})
    assert [line["kind"] for line in december["lines"]] == ["RETURNED"]


async def test_the_contract_outside_checks_call(api, clock):
    shop = await Partners.open(api)
    admin = shop.mall.admin
    made = await api.data('mutation { createPartner(input: {name: "Crumb", kind: BAKERY}) { partner { id } errors { code } } }',
                          token=admin)
    partner_id = made["createPartner"]["partner"]["id"]
    key = await api.data("mutation($p: ID!) { createPartnerKey(input: {partnerId: $p, name: \"till\"}) { key secret errors { code } } }",
                         {"p": partner_id}, token=admin)
    secret = key["createPartnerKey"]["secret"]
    assert secret.startswith("orch_partner_") and key["createPartnerKey"]["key"]
    bundle = await api.data(
        "mutation($p: ID!) { createBundle(input: {partnerId: $p, name: \"Fruit + cake\", pointsPrice: 200,"
        " cashPrice: {amount: \"5.00\", currency: \"CNY\"}, stock: 5, perMemberLimit: 2,"
        " partnerShare: {amount: \"12.00\", currency: \"CNY\"}}) { bundle { id } errors { code } } }",
        {"p": partner_id}, token=admin)
    bundle_id = bundle["createBundle"]["bundle"]["id"]
    listed = await api.data("{ bundles(first: 10) { edges { node { id name partner { id name } stockRemaining"
                            " effectivePrice { points } } } } }", token=secret)
    assert listed["bundles"]["edges"] == [{"node": {"id": bundle_id, "name": "Fruit + cake",
                                                    "partner": {"id": partner_id, "name": "Crumb"}, "stockRemaining": 5,
                                                    "effectivePrice": {"points": 200}}}]
    member = await shop.mall.member(balance=500)
    redeemed = await shop.mall.redeem(member, {"id": bundle_id})
    verified = await api.data("mutation($c: String!) { verifyPartnerRedemption(input: {code: $c, idempotencyKey: \"v-1\"})"
                              " { redemption { status } errors { code } } }", {"c": redeemed["redemption"]["code"]}, token=secret)
    assert verified["verifyPartnerRedemption"] == {"redemption": {"status": "FULFILLED"}, "errors": []}
    period = clock.now().astimezone(SHANGHAI).strftime("%Y-%m")
    figures = await api.data("query($p: ID!, $m: String!) { partnerSettlement(partnerId: $p, period: $m)"
                             " { unitsRedeemed unitsSold shareDue { amount } } }", {"p": partner_id, "m": period}, token=secret)
    assert figures["partnerSettlement"] == {"unitsRedeemed": 1, "unitsSold": 0, "shareDue": {"amount": "12.00"}}
