"""The coupon wallet through the API: templates, grants, the wallet, use at the till and counter, returns, the sweep."""

from __future__ import annotations

from datetime import timedelta

from domain.coupons.expiry import expire_due
from domain.coupons.models import Coupon
from domain.jobs import JOBS
from domain.stores import api_keys
from schema.relay import to_global_id
from tests.coupon_support import Wallets, money
from tests.points_support import assert_ledger_clean, local

WELCOME = 50
DAY = local(2026, 11, 23)  # a Monday, not the 8th: no standing campaign


async def _coupon_row(code: str) -> Coupon:
    return await Coupon.get(code=code)


# ---- templates ----------------------------------------------------------------------------------


async def test_a_chain_admin_creates_lists_and_retires_templates(api, clock):
    w = await Wallets.open(api, clock)
    twenty = await w.create_template(name="20 off", amountOff=money("20"), minimumSpend=money("50.00"), categories=["fresh_cut"])
    assert twenty["errors"] == []
    assert twenty["template"] | {"id": None} == {
        "id": None, "name": "20 off", "kind": "AMOUNT_OFF", "amountOff": {"amount": "20.00"}, "percentOff": None, "cap": None,
        "itemName": None, "minimumSpend": {"amount": "50.00"}, "categories": ["FRESH_CUT"], "storeIds": [], "validDays": 30,
        "validUntil": None, "stackable": False, "retiredAt": None,
    }
    tasting = await w.template(name="Tasting", kind="TASTING", itemName="Dragon fruit", storeIds=[w.shop.store_gid])
    listed = await api.data("{ couponTemplates(first: 10) { edges { node { id name } } totalCount } }", token=w.admin)
    assert [e["node"]["id"] for e in listed["couponTemplates"]["edges"]] == [tasting, twenty["template"]["id"]]
    retired = (await api.data(RETIRE_TEMPLATE_Q, {"i": {"templateId": tasting}}, token=w.admin))["retireCouponTemplate"]
    assert retired["errors"] == [] and retired["template"]["retiredAt"] is not None
    member = await w.member()
    refused = await w.issue_payload(tasting, member)
    assert refused["errors"] == [{"code": "TEMPLATE_RETIRED", "field": "templateId", "message": refused["errors"][0]["message"]}]


RETIRE_TEMPLATE_Q = (
    "mutation($i: RetireCouponTemplateInput!) { retireCouponTemplate(input: $i) { template { retiredAt } errors { code } } }"
)


async def test_template_input_is_checked_field_by_field(api, clock):
    w = await Wallets.open(api, clock)
    cases = [
        ({"kind": "AMOUNT_OFF"}, ("INVALID_COUPON_TEMPLATE", "amountOff")),
        ({"kind": "PERCENT_OFF", "percentOff": 0}, ("INVALID_COUPON_TEMPLATE", "percentOff")),
        ({"kind": "PERCENT_OFF", "percentOff": 101}, ("INVALID_COUPON_TEMPLATE", "percentOff")),
        ({"kind": "AMOUNT_OFF", "amountOff": money("5"), "percentOff": 10}, ("INVALID_COUPON_TEMPLATE", "percentOff")),
        ({"kind": "TASTING"}, ("INVALID_COUPON_TEMPLATE", "itemName")),
        ({"amountOff": money("5"), "validDays": 3, "validUntil": (clock.now() + timedelta(days=3)).isoformat()},
         ("INVALID_COUPON_TEMPLATE", "validDays")),
        ({"amountOff": money("5"), "validDays": 0}, ("INVALID_COUPON_TEMPLATE", "validDays")),
        ({"amountOff": money("5"), "validUntil": (clock.now() - timedelta(days=1)).isoformat()}, ("INVALID_COUPON_TEMPLATE", "validUntil")),
        ({"amountOff": money("5"), "categories": ["no spaces"]}, ("INVALID_COUPON_TEMPLATE", "categories.0")),
        ({"amountOff": {"amount": "5", "currency": "USD"}}, ("INVALID_CURRENCY", "amountOff.currency")),
        ({"amountOff": money("5.001")}, ("INVALID_PRICE", "amountOff.amount")),
        ({"amountOff": money("5"), "storeIds": [to_global_id("Store", 999_999)]}, ("STORE_NOT_FOUND", "storeIds.0")),
        ({"amountOff": money("5"), "storeIds": ["nonsense"]}, ("INVALID_ID", "storeIds.0")),
        ({"amountOff": money("5"), "name": "  "}, ("INVALID_NAME", "name")),
    ]
    for fields, expected in cases:
        got = await w.create_template(**fields)
        assert got["template"] is None and [(e["code"], e["field"]) for e in got["errors"]] == [expected], fields
    body = await api.gql(CREATE_Q, {"i": {"name": "x", "kind": "AMOUNT_OFF", "amountOff": money("1"), "validDays": 1}}, token=w.shop.clerk)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


CREATE_Q = "mutation($i: CreateCouponTemplateInput!) { createCouponTemplate(input: $i) { template { id } errors { code } } }"


# ---- grants and the wallet ------------------------------------------------------------------------


async def test_an_admin_grant_is_idempotent_and_lands_in_the_wallet(api, clock):
    w = await Wallets.open(api, clock)
    template = await w.template(name="Sorry", amountOff=money("10"), validDays=7)
    member, other = await w.member(), await w.member()
    first = await w.issue_payload(template, member, key="goodwill-1")
    again = await w.issue_payload(template, member, key="goodwill-1")
    assert first["errors"] == [] and again["coupon"] == first["coupon"] and (first["replayed"], again["replayed"]) == (False, True)
    assert first["coupon"]["qrPayload"] == "ORCHARD:C:" + first["coupon"]["code"]
    reused = await w.issue_payload(template, other, key="goodwill-1")
    assert [e["code"] for e in reused["errors"]] == ["IDEMPOTENCY_KEY_REUSED"]
    missing = await w.issue_payload(to_global_id("CouponTemplate", 999_999), member)
    assert [(e["code"], e["field"]) for e in missing["errors"]] == [("TEMPLATE_NOT_FOUND", "templateId")]
    assert [c["code"] for c in await w.wallet(member)] == [first["coupon"]["code"]]
    assert await w.wallet(other) == []
    assert (await Coupon.get(code=first["coupon"]["code"])).source == "ADMIN"


async def test_the_wallet_pages_filters_and_shows_expiry_before_the_sweep(api, clock):
    clock.set(DAY)
    w = await Wallets.open(api, clock)
    short = await w.template(name="Short", amountOff=money("5"), validDays=1)
    long = await w.template(name="Long", amountOff=money("5"), validDays=30)
    member = await w.member()
    gone = await w.issue(short, member)
    kept = [await w.issue(long, member) for _ in range(3)]
    clock.set(DAY + timedelta(days=2))
    assert (await w.wallet(member, "EXPIRED"))[0]["code"] == gone["code"]
    assert {c["code"] for c in await w.wallet(member, "AVAILABLE")} == {c["code"] for c in kept}
    assert (await _coupon_row(gone["code"])).status == "AVAILABLE"  # not swept yet, reads EXPIRED all the same
    page = (await api.data(WALLET_PAGE, {"first": 2}, token=member["token"]))["me"]["coupons"]
    assert len(page["edges"]) == 2 and page["pageInfo"]["hasNextPage"]
    rest = (await api.data(WALLET_PAGE, {"first": 2, "after": page["pageInfo"]["endCursor"]}, token=member["token"]))["me"]["coupons"]
    listed = [e["node"]["code"] for e in page["edges"] + rest["edges"]]
    assert listed == [c["code"] for c in reversed([gone, *kept])]  # newest first
    assert await expire_due(clock=clock) == 1
    assert (await _coupon_row(gone["code"])).status == "EXPIRED"
    assert await expire_due(clock=clock) == 0
    # a chain admin sees it on the member; a clerk does not
    seen = await api.data(MEMBER_COUPONS, {"c": member["code"]}, token=w.admin)
    assert len(seen["member"]["coupons"]["edges"]) == 4
    body = await api.gql(MEMBER_COUPONS, {"c": member["code"]}, token=w.shop.clerk)
    assert body["data"]["member"]["coupons"] is None and body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


WALLET_PAGE = (
    "query($first: Int, $after: String) { me { coupons(first: $first, after: $after) {"
    " edges { node { code } } pageInfo { hasNextPage endCursor } } } }"
)
MEMBER_COUPONS = "query($c: String!) { member(code: $c) { coupons(first: 10) { edges { node { code status } } } } }"


async def test_the_sweep_is_a_worker_job_and_expires_in_batches(api, clock):
    assert "coupon-expiry" in {job.kind for job in JOBS}
    clock.set(DAY)
    w = await Wallets.open(api, clock)
    template = await w.template(amountOff=money("5"), validDays=1)
    member = await w.member()
    issued = [await w.issue(template, member) for _ in range(5)]
    used = issued[0]
    assert (await w.buy(member, [("DOMESTIC_FRUIT", 1, "10.00")], [used["code"]]))["errors"] == []
    clock.set(DAY + timedelta(days=1, seconds=1))
    seen = []
    assert await expire_due(clock=clock, batch_size=2, progress=seen.append) == 4
    assert seen == [2, 4]
    statuses = {c["code"]: c["status"] for c in await w.wallet(member)}
    assert statuses[used["code"]] == "USED" and sorted(statuses.values()) == ["EXPIRED"] * 4 + ["USED"]


# ---- at the till ----------------------------------------------------------------------------------


async def test_twenty_off_with_a_minimum_spend_earns_on_what_was_paid(api, clock):
    clock.set(DAY)
    w = await Wallets.open(api, clock)
    twenty = await w.template(name="20 off", amountOff=money("20"), minimumSpend=money("50"))
    member = await w.member()
    coupon = await w.issue(twenty, member)
    short = await w.buy(member, [("DOMESTIC_FRUIT", 1, "49.99")], [coupon["code"]])
    assert [(e["code"], e["field"]) for e in short["errors"]] == [("MINIMUM_SPEND_NOT_MET", "couponCodes.0")]
    assert (await _coupon_row(coupon["code"])).status == "AVAILABLE"
    assert (await w.shop.balance(member["code"]))["pointsBalance"] == WELCOME  # nothing of the purchase was written
    bought = await w.buy(member, [("DOMESTIC_FRUIT", 2, "30.00"), ("DOMESTIC_FRUIT", 1, "40.00")], [coupon["code"]])
    assert bought["errors"] == []
    purchase = bought["purchase"]
    assert purchase["total"] == {"amount": "100.00"} and purchase["discount"] == {"amount": "20.00"}
    assert [line["discount"]["amount"] for line in purchase["lines"]] == ["12.00", "8.00"]
    assert purchase["pointsEarned"] == 80 and bought["member"]["pointsBalance"] == WELCOME + 80
    assert purchase["coupons"] == [{"code": coupon["code"], "kind": "AMOUNT_OFF", "discount": {"amount": "20.00"}, "givenBack": False}]
    row = await _coupon_row(coupon["code"])
    assert (row.status, row.discount_fen, row.used_store_id) == ("USED", 2000, w.shop.store.id)
    assert row.used_ref == f"purchase:{_pk(purchase['id'])}"
    again = await w.buy(member, [("DOMESTIC_FRUIT", 1, "80.00")], [coupon["code"]])
    assert [(e["code"], e["field"]) for e in again["errors"]] == [("COUPON_ALREADY_USED", "couponCodes.0")]
    explained = await api.data(EXPLAINED, {"id": purchase["id"]}, token=w.admin)
    assert "after coupons" in explained["node"]["pointsExplained"][0]["description"]
    await assert_ledger_clean()


EXPLAINED = "query($id: ID!) { node(id: $id) { ... on Purchase { pointsExplained { description points } } } }"


def _pk(global_id: str) -> int:
    from tests.test_mall import pk

    return pk(global_id)


async def test_category_coupons_take_off_only_their_lines(api, clock):
    clock.set(DAY)
    w = await Wallets.open(api, clock)
    imported = await w.template(name="Imported 20 off", amountOff=money("20"), categories=["IMPORTED_FRUIT"], minimumSpend=money("10"))
    member = await w.member()
    coupon = await w.issue(imported, member)
    none_of_them = await w.buy(member, [("DOMESTIC_FRUIT", 1, "50.00")], [coupon["code"]])
    assert [e["code"] for e in none_of_them["errors"]] == ["COUPON_NOT_APPLICABLE"]
    # the imported line costs 12.00: the coupon takes that much, never more, and the domestic line keeps its price
    bought = await w.buy(member, [("IMPORTED_FRUIT", 1, "12.00"), ("DOMESTIC_FRUIT", 1, "50.00")], [coupon["code"]])
    assert bought["errors"] == []
    assert bought["purchase"]["discount"] == {"amount": "12.00"}
    assert [(line["discount"]["amount"], line["points"]) for line in bought["purchase"]["lines"]] == [("12.00", 0), ("0.00", 50)]


async def test_percent_off_rounds_to_the_members_favour_and_respects_its_cap(api, clock):
    clock.set(DAY)
    w = await Wallets.open(api, clock)
    fifteen = await w.template(name="15%", kind="PERCENT_OFF", percentOff=15, stackable=True)
    capped = await w.template(name="50% up to 10", kind="PERCENT_OFF", percentOff=50, cap=money("10"), stackable=True)
    member = await w.member()
    a, b = await w.issue(fifteen, member), await w.issue(capped, member)
    bought = await w.buy(member, [("DOMESTIC_FRUIT", 1, "33.33")], [a["code"]])
    assert bought["purchase"]["discount"] == {"amount": "5.00"}  # 4.9995 rounded up to the fen
    both = await w.buy(member, [("DOMESTIC_FRUIT", 1, "100.00")], [b["code"], (await w.issue(fifteen, member))["code"]])
    assert both["errors"] == []
    # 50% capped at 10.00, then 15% of the 90.00 left
    assert [c["discount"]["amount"] for c in both["purchase"]["coupons"]] == ["10.00", "13.50"]
    assert both["purchase"]["discount"] == {"amount": "23.50"} and both["purchase"]["pointsEarned"] == 76


async def test_a_free_order_coupon_and_points_paid_on_what_is_left(api, clock):
    clock.set(DAY)
    w = await Wallets.open(api, clock)
    free = await w.template(name="Free order up to 30", kind="PERCENT_OFF", percentOff=100, cap=money("30"))
    member = await w.member()
    bought = await w.buy(member, [("DOMESTIC_FRUIT", 1, "25.00")], [(await w.issue(free, member))["code"]])
    assert bought["purchase"]["discount"] == {"amount": "25.00"} and bought["purchase"]["pointsEarned"] == 0
    # the cash offset (points paying at most half) counts what is left to pay after the coupon
    from domain.ledger import service as ledger

    await ledger.credit(member["pk"], 10_000, "PURCHASE", reason="setup", actor="test", clock=clock)
    more = await w.buy(member, [("DOMESTIC_FRUIT", 1, "40.00")], [(await w.issue(free, member))["code"]], points_to_redeem=5000)
    assert more["errors"] == [] and more["purchase"]["discount"] == {"amount": "30.00"}
    assert more["purchase"]["cashOffset"] == {"amount": "5.00"} and more["purchase"]["pointsEarned"] == 5
    assert more["member"]["pointsBalance"] == WELCOME + 10_000 - 500 + 5
    await assert_ledger_clean()


async def test_free_delivery_waives_the_fee_of_a_delivery_order_only(api, clock):
    clock.set(DAY)
    w = await Wallets.open(api, clock)
    delivery = await w.template(name="Free delivery", kind="FREE_DELIVERY")
    member = await w.member()
    coupon = await w.issue(delivery, member)
    at_till = await w.buy(member, [("DOMESTIC_FRUIT", 1, "30.00")], [coupon["code"]])
    assert [(e["code"], e["field"]) for e in at_till["errors"]] == [("COUPON_NOT_APPLICABLE", "couponCodes.0")]
    no_fee = await w.buy(member, [("DOMESTIC_FRUIT", 1, "30.00")], [coupon["code"]], channel="DELIVERY")
    assert [e["code"] for e in no_fee["errors"]] == ["COUPON_NOT_APPLICABLE"]
    fee_in_store = await w.buy(member, [("DOMESTIC_FRUIT", 1, "30.00")], [], delivery_fee="6.00")
    assert [(e["code"], e["field"]) for e in fee_in_store["errors"]] == [("INVALID_PRICE", "deliveryFee")]
    bought = await w.buy(member, [("DOMESTIC_FRUIT", 1, "30.00")], [coupon["code"]], channel="DELIVERY", delivery_fee="6.00")
    assert bought["errors"] == []
    purchase = bought["purchase"]
    assert (purchase["deliveryFee"], purchase["discount"], purchase["pointsEarned"]) == ({"amount": "6.00"}, {"amount": "6.00"}, 30)
    assert [line["discount"]["amount"] for line in purchase["lines"]] == ["0.00"]


async def test_counter_coupons_and_non_stackable_ones_are_refused_at_the_till(api, clock):
    clock.set(DAY)
    w = await Wallets.open(api, clock)
    tasting = await w.template(name="Tasting", kind="TASTING", itemName="Durian")
    alone = await w.template(name="5 off", amountOff=money("5"))
    stacks = await w.template(name="3 off", amountOff=money("3"), stackable=True)
    member = await w.member()
    counter = await w.issue(tasting, member)
    refused = await w.buy(member, [("DOMESTIC_FRUIT", 1, "30.00")], [counter["code"]])
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("COUPON_NOT_APPLICABLE", "couponCodes.0")]
    single, other = await w.issue(alone, member), await w.issue(stacks, member)
    combined = await w.buy(member, [("DOMESTIC_FRUIT", 1, "30.00")], [other["code"], single["code"]])
    assert [(e["code"], e["field"]) for e in combined["errors"]] == [("COUPON_NOT_APPLICABLE", "couponCodes.1")]
    twice = await w.buy(member, [("DOMESTIC_FRUIT", 1, "30.00")], [other["code"], other["code"]])
    assert [(e["code"], e["field"]) for e in twice["errors"]] == [("COUPON_NOT_APPLICABLE", "couponCodes.1")]
    assert {(await _coupon_row(c["code"])).status for c in (counter, single, other)} == {"AVAILABLE"}


async def test_unknown_expired_other_store_and_too_many_coupons(api, clock):
    clock.set(DAY)
    w = await Wallets.open(api, clock)
    other_store = await api.make_store()
    template = await w.template(amountOff=money("5"), validDays=1, stackable=True)
    elsewhere = await w.template(amountOff=money("5"), storeIds=[to_global_id("Store", other_store.id)])
    member, stranger = await w.member(), await w.member()
    mine = await w.issue(template, member)
    theirs = await w.issue(template, stranger)
    lines = [("DOMESTIC_FRUIT", 1, "30.00")]

    async def refused(codes: list[str]) -> list[tuple[str, str]]:
        return [(e["code"], e["field"]) for e in (await w.buy(member, lines, codes))["errors"]]

    assert await refused(["XXXXXXXXXXXX"]) == [("COUPON_NOT_FOUND", "couponCodes.0")]
    assert await refused([mine["code"], theirs["code"]]) == [("COUPON_NOT_FOUND", "couponCodes.1")]  # another member's coupon
    assert await refused([(await w.issue(elsewhere, member))["code"]]) == [("COUPON_NOT_APPLICABLE", "couponCodes.0")]
    assert await refused([mine["code"]] * 11) == [("TOO_MANY_COUPONS", "couponCodes")]
    # the QR payload and lower case work as the code does
    ok = await w.buy(member, lines, ["orchard:c:" + mine["code"].lower()], txn="scanned")
    assert ok["errors"] == [] and ok["purchase"]["coupons"][0]["code"] == mine["code"]
    late = await w.issue(template, member)
    clock.set(DAY + timedelta(days=1))
    assert await refused([late["code"]]) == [("COUPON_EXPIRED", "couponCodes.0")]
    # an offline purchase made while the coupon was valid may still use it
    offline = await w.buy(member, lines, [late["code"]], occurred_at=DAY + timedelta(hours=1))
    assert offline["errors"] == [] and offline["purchase"]["discount"] == {"amount": "5.00"}


async def test_a_replay_with_the_same_client_txn_id_answers_the_first_purchase(api, clock):
    clock.set(DAY)
    w = await Wallets.open(api, clock)
    template = await w.template(amountOff=money("10"))
    member = await w.member()
    coupon = await w.issue(template, member)
    first = await w.buy(member, [("DOMESTIC_FRUIT", 1, "30.00")], [coupon["code"]], txn="till-7")
    again = await w.buy(member, [("DOMESTIC_FRUIT", 1, "30.00")], [coupon["code"]], txn="till-7")
    assert first["errors"] == [] and again["replayed"] is True
    assert again["purchase"] == first["purchase"] and again["member"] == first["member"]
    without = await w.buy(member, [("DOMESTIC_FRUIT", 1, "30.00")], [], txn="till-7")
    assert [e["code"] for e in without["errors"]] == ["CLIENT_TXN_ID_REUSED"]
    assert (await _coupon_row(coupon["code"])).status == "USED"
    await assert_ledger_clean()


# ---- returns --------------------------------------------------------------------------------------


async def test_a_full_return_gives_the_coupon_back_and_a_partial_one_does_not(api, clock):
    clock.set(DAY)
    w = await Wallets.open(api, clock)
    template = await w.template(amountOff=money("20"))
    member = await w.member()
    coupon = await w.issue(template, member)
    bought = await w.buy(member, [("DOMESTIC_FRUIT", 1, "60.00"), ("DOMESTIC_FRUIT", 1, "40.00")], [coupon["code"]])
    assert bought["member"]["pointsBalance"] == WELCOME + 80
    partial = await w.give_back(bought["purchase"]["id"], [{"lineNo": 1, "quantity": 1}])
    assert partial["errors"] == [] and partial["purchase"]["coupons"] == [{"code": coupon["code"], "givenBack": False}]
    assert partial["member"]["pointsBalance"] == WELCOME + 80 - 32  # the line paid 32.00 of the 80.00
    assert (await _coupon_row(coupon["code"])).status == "USED"
    rest = await w.give_back(bought["purchase"]["id"])
    assert rest["purchase"] == {"status": "RETURNED", "coupons": [{"code": coupon["code"], "givenBack": True}]}
    assert rest["member"]["pointsBalance"] == WELCOME
    row = await _coupon_row(coupon["code"])
    assert (row.status, row.used_at, row.used_ref, row.discount_fen, row.used_store_id) == ("AVAILABLE", None, None, None, None)
    again = await w.buy(member, [("DOMESTIC_FRUIT", 1, "30.00")], [coupon["code"]])
    assert again["errors"] == [] and again["purchase"]["discount"] == {"amount": "20.00"}
    await assert_ledger_clean()


async def test_a_coupon_past_its_validity_is_not_given_back(api, clock):
    clock.set(DAY)
    w = await Wallets.open(api, clock)
    template = await w.template(amountOff=money("5"), validDays=2)
    member = await w.member()
    coupon = await w.issue(template, member)
    bought = await w.buy(member, [("DOMESTIC_FRUIT", 1, "30.00")], [coupon["code"]])
    clock.set(DAY + timedelta(days=3))
    returned = await w.give_back(bought["purchase"]["id"])
    assert returned["purchase"] == {"status": "RETURNED", "coupons": [{"code": coupon["code"], "givenBack": False}]}
    assert (await _coupon_row(coupon["code"])).status == "USED"


# ---- at the counter -------------------------------------------------------------------------------


async def test_a_counter_coupon_is_written_off_once(api, clock):
    clock.set(DAY)
    w = await Wallets.open(api, clock)
    tasting = await w.template(name="Tasting", kind="TASTING", itemName="Durian", storeIds=[w.shop.store_gid])
    money_off = await w.template(amountOff=money("5"))
    member = await w.member()
    coupon = await w.issue(tasting, member)
    first = await w.use(coupon["qrPayload"], key="counter-1")
    assert first["errors"] == [] and first["coupon"]["status"] == "USED" and first["replayed"] is False
    replay = await w.use(coupon["code"], key="counter-1")
    assert replay["coupon"] == first["coupon"] and replay["replayed"] is True
    second = await w.use(coupon["code"], key="counter-2")
    assert [(e["code"], e["field"]) for e in second["errors"]] == [("COUPON_ALREADY_USED", "code")]
    till_kind = await w.use((await w.issue(money_off, member))["code"])
    assert [e["code"] for e in till_kind["errors"]] == ["COUPON_NOT_APPLICABLE"]
    assert [e["code"] for e in (await w.use("NOPE"))["errors"]] == ["COUPON_NOT_FOUND"]
    row = await _coupon_row(coupon["code"])
    assert (row.used_ref, row.used_store_id) == (f"counter:{w.shop.store.id}", w.shop.store.id)


async def test_the_counter_checks_store_scope_and_validity(api, clock):
    clock.set(DAY)
    w = await Wallets.open(api, clock)
    here_only = await w.template(name="Tasting", kind="FREE_ITEM", itemName="A pear", storeIds=[w.shop.store_gid], validDays=1)
    member = await w.member()
    coupon = await w.issue(here_only, member)
    other_store = await api.make_store()
    from domain.access import StaffRole

    _, other_clerk = await api.make_staff(StaffRole.CLERK, other_store)
    body = await api.gql(USE_Q, {"i": {"code": coupon["code"], "storeId": w.shop.store_gid, "idempotencyKey": "k"}}, token=other_clerk)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    wrong_store = await w.use(coupon["code"], token=other_clerk, store_id=to_global_id("Store", other_store.id))
    assert [(e["code"], e["field"]) for e in wrong_store["errors"]] == [("COUPON_NOT_APPLICABLE", "code")]
    reader = (await api_keys.create_device_key(w.shop.store, api_keys.DeviceType.KIOSK, "reader", ["members:read"])).secret
    body = await api.gql(USE_Q, {"i": {"code": coupon["code"], "storeId": w.shop.store_gid, "idempotencyKey": "k"}}, token=reader)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    clock.set(DAY + timedelta(days=1))
    expired = await w.use(coupon["code"])
    assert [e["code"] for e in expired["errors"]] == ["COUPON_EXPIRED"]
    clock.set(DAY)
    kiosk = (await api_keys.create_device_key(w.shop.store, api_keys.DeviceType.KIOSK, "counter")).secret
    done = await w.use(coupon["code"], token=kiosk)
    assert done["errors"] == [] and done["coupon"]["status"] == "USED"


USE_Q = "mutation($i: UseCouponInput!) { useCoupon(input: $i) { coupon { id } errors { code } } }"
