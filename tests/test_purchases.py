"""Purchases through the API: earning by category and tier, campaigns on their days, cash offset,
idempotency (also racing on PostgreSQL), offline batches, returns."""

from __future__ import annotations

from datetime import timedelta

from domain.access import StaffRole
from domain.stores import api_keys
from tests.concurrently import all_at_once
from tests.conftest import requires_postgres
from tests.points_support import RECORD, assert_ledger_clean, local, open_shop

WELCOME = 50
NEUTRAL_DAY = local(2026, 11, 23)  # a Monday, not the 8th


async def test_imported_fruit_earns_double_and_points_arrive_at_once(api, clock):
    clock.set(NEUTRAL_DAY)
    shop = await open_shop(api, clock, with_rules=False)
    from domain.earning.defaults import DEFAULT_RATES  # rates without the standing campaigns
    from domain.earning.models import EarnRate

    for category, rate in DEFAULT_RATES.items():
        await EarnRate.create(category=category, points_per_yuan=rate, effective_from=clock.now() - timedelta(days=1),
                              announced_at=clock.now(), created_by="test")
    member = await shop.member()
    result = await shop.buy(member["code"], [("IMPORTED_FRUIT", 2, "10.50"), ("DOMESTIC_FRUIT", 1, "9.99")])
    assert result["errors"] == []
    assert result["purchase"]["pointsEarned"] == 42 + 9
    assert [line["points"] for line in result["purchase"]["lines"]] == [42, 9]
    assert result["member"]["pointsBalance"] == WELCOME + 51
    await assert_ledger_clean()


async def test_first_order_doubles_and_member_day_triples_on_the_8th(api, clock):
    clock.set(NEUTRAL_DAY)
    shop = await open_shop(api, clock)
    member = await shop.member(birthday="1990-03-15")
    first = await shop.buy(member["code"], [("DOMESTIC_FRUIT", 1, "100.00")])
    assert first["purchase"]["pointsEarned"] == 200  # FIRST_ORDER x2
    ordinary = await shop.buy(member["code"], [("DOMESTIC_FRUIT", 1, "100.00")])
    assert ordinary["purchase"]["pointsEarned"] == 100
    clock.set(local(2026, 12, 8))
    member_day = await shop.buy(member["code"], [("DOMESTIC_FRUIT", 1, "100.00")])
    assert member_day["purchase"]["pointsEarned"] == 300
    clock.set(local(2026, 12, 8, hour=23) + timedelta(hours=1, minutes=30))  # 00:30 on the 9th in Shanghai
    after = await shop.buy(member["code"], [("DOMESTIC_FRUIT", 1, "100.00")])
    assert after["purchase"]["pointsEarned"] == 100
    await assert_ledger_clean()


async def test_birthday_month_doubles_and_multiplies_with_member_day(api, clock):
    clock.set(local(2026, 12, 2))
    shop = await open_shop(api, clock)
    member = await shop.member(birthday="1991-12-20")
    await shop.buy(member["code"], [("DOMESTIC_FRUIT", 1, "1.00")])  # the first order, out of the way
    birthday_month = await shop.buy(member["code"], [("DOMESTIC_FRUIT", 1, "100.00")])
    assert birthday_month["purchase"]["pointsEarned"] == 200
    clock.set(local(2026, 12, 8))
    both = await shop.buy(member["code"], [("DOMESTIC_FRUIT", 1, "100.00")])
    assert both["purchase"]["pointsEarned"] == 600  # x3 member day, MULTIPLY x2 birthday
    await assert_ledger_clean()


async def test_rainy_day_doubles_online_orders_only(api, clock):
    clock.set(NEUTRAL_DAY)
    shop = await open_shop(api, clock)
    _, manager = await api.make_staff(StaffRole.STORE_MANAGER, shop.store)
    member = await shop.member()
    await shop.buy(member["code"], [("DOMESTIC_FRUIT", 1, "1.00")])
    flag = await api.data('mutation($s: ID!) { setStoreFlag(input: {storeId: $s, flag: "RAINY_DAY"}) { flags errors { code } } }',
                          {"s": shop.store_gid}, token=manager)
    assert flag["setStoreFlag"] == {"flags": ["RAINY_DAY"], "errors": []}
    online = await shop.buy(member["code"], [("DOMESTIC_FRUIT", 1, "100.00")], channel="DELIVERY")
    counter = await shop.buy(member["code"], [("DOMESTIC_FRUIT", 1, "100.00")], channel="IN_STORE")
    assert online["purchase"]["pointsEarned"] == 200 and counter["purchase"]["pointsEarned"] == 100
    clock.advance(timedelta(days=1))
    next_day = await shop.buy(member["code"], [("DOMESTIC_FRUIT", 1, "100.00")], channel="DELIVERY")
    assert next_day["purchase"]["pointsEarned"] == 100


async def test_tier_multiplier_and_upgrade_after_purchases(api, clock):
    clock.set(NEUTRAL_DAY)
    shop = await open_shop(api, clock)
    member = await shop.member()
    for _ in range(3):
        await shop.buy(member["code"], [("DOMESTIC_FRUIT", 1, "300.00")])
    assert (await shop.balance(member["code"]))["tier"]["code"] == "REGULAR"  # 1,200 points but 3 purchases
    fourth = await shop.buy(member["code"], [("DOMESTIC_FRUIT", 1, "100.00")])
    assert fourth["member"]["tier"]["code"] == "SILVER"
    fifth = await shop.buy(member["code"], [("DOMESTIC_FRUIT", 1, "100.00")])
    assert fifth["purchase"]["pointsEarned"] == 120  # SILVER earns x1.2


async def test_the_purchase_whose_own_points_qualify_the_member_upgrades_them(api, clock):
    clock.set(NEUTRAL_DAY)
    shop = await open_shop(api, clock)
    member = await shop.member()
    for _ in range(3):
        await shop.buy(member["code"], [("DOMESTIC_FRUIT", 1, "10.00")])
    fourth = await shop.buy(member["code"], [("DOMESTIC_FRUIT", 1, "1000.00")])  # 30 points before it: its own 1,000 count
    assert fourth["purchase"]["pointsEarned"] == 1000
    assert fourth["member"]["tier"]["code"] == "SILVER"


async def test_same_client_txn_id_replays_and_other_payload_is_refused(api, clock):
    shop = await open_shop(api, clock)
    member = await shop.member()
    inp = shop.purchase_input(member["code"], [("DOMESTIC_FRUIT", 1, "10.00")], txn="till-7-0001")
    first = (await api.data(RECORD, {"i": inp}, token=shop.clerk))["recordPurchase"]
    again = (await api.data(RECORD, {"i": inp}, token=shop.clerk))["recordPurchase"]
    assert first["replayed"] is False and again["replayed"] is True
    assert again["purchase"]["id"] == first["purchase"]["id"]
    assert again["member"]["pointsBalance"] == first["member"]["pointsBalance"]
    changed = dict(inp, lines=[{"sku": "X", "category": "DOMESTIC_FRUIT", "quantity": 2, "unitPrice": "10.00"}])
    refused = (await api.data(RECORD, {"i": changed}, token=shop.clerk))["recordPurchase"]
    assert refused["purchase"] is None and refused["errors"][0]["code"] == "CLIENT_TXN_ID_REUSED"
    await assert_ledger_clean()


async def test_bad_input_is_a_payload_error_with_a_field(api, clock):
    shop = await open_shop(api, clock)
    member = await shop.member()
    cases = [
        ([("DOMESTIC_FRUIT", 1, "abc")], {}, ("INVALID_PRICE", "lines.0.unitPrice")),
        ([("DOMESTIC_FRUIT", 0, "1.00")], {}, ("INVALID_QUANTITY", "lines.0.quantity")),
        ([("DOMESTIC_FRUIT", 1, "1.001")], {}, ("INVALID_PRICE", "lines.0.unitPrice")),
        ([], {}, ("EMPTY_PURCHASE", "lines")),
        ([("DOMESTIC_FRUIT", 1, "1.00")], {"points_to_redeem": -5}, ("INVALID_POINTS", "pointsToRedeem")),
        ([("DOMESTIC_FRUIT", 1, "1.00")], {"occurred_at": clock.now() + timedelta(hours=1)}, ("INVALID_OCCURRED_AT", "occurredAt")),
    ]
    for lines, extra, (code, field) in cases:
        result = await shop.buy(member["code"], lines, **extra)
        assert (result["errors"][0]["code"], result["errors"][0]["field"]) == (code, field)
    typo = await api.data(
        RECORD,
        {"i": shop.purchase_input(member["code"][:-1] + ("2" if member["code"][-1] != "2" else "3"), [("X", 1, "1")])},
        token=shop.clerk,
    )
    assert typo["recordPurchase"]["errors"][0]["code"] == "INVALID_MEMBER_CODE"
    await assert_ledger_clean()


async def test_clerk_of_another_store_cannot_record_here(api, clock):
    shop = await open_shop(api, clock)
    member = await shop.member()
    other = await api.make_store()
    _, other_clerk = await api.make_staff(StaffRole.CLERK, other)
    body = await api.gql(RECORD, {"i": shop.purchase_input(member["code"], [("DOMESTIC_FRUIT", 1, "1.00")])}, token=other_clerk)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_pos_device_records_with_its_own_idempotency_scope(api, clock):
    shop = await open_shop(api, clock)
    member = await shop.member()
    pos = (await api_keys.create_device_key(shop.store, api_keys.DeviceType.POS, "till 1")).secret
    inp = shop.purchase_input(member["code"], [("DOMESTIC_FRUIT", 1, "10.00")], txn="same-id")
    by_pos = (await api.data(RECORD, {"i": inp}, token=pos))["recordPurchase"]
    by_clerk = (await api.data(RECORD, {"i": inp}, token=shop.clerk))["recordPurchase"]
    assert by_pos["errors"] == [] and by_clerk["errors"] == [] and by_pos["purchase"]["id"] != by_clerk["purchase"]["id"]


async def test_cash_offset_uses_points_up_to_half_the_order(api, clock):
    clock.set(NEUTRAL_DAY)
    shop = await open_shop(api, clock)
    member = await shop.member()
    await shop.buy(member["code"], [("DOMESTIC_FRUIT", 1, "1000.00")])  # first order: 2,000 points
    balance = (await shop.balance(member["code"]))["pointsBalance"]
    paid = await shop.buy(member["code"], [("DOMESTIC_FRUIT", 1, "20.00")], points_to_redeem=1500)
    assert paid["purchase"]["pointsRedeemed"] == 1000  # 100 points = 1 yuan, at most 50% of 20 yuan
    assert paid["purchase"]["cashOffset"] == {"amount": "10.00", "currency": "CNY"}
    assert paid["purchase"]["pointsEarned"] == 10  # only the 10 yuan paid in cash earns
    assert paid["member"]["pointsBalance"] == balance - 1000 + 10
    too_many = await shop.buy(member["code"], [("DOMESTIC_FRUIT", 1, "100000.00")], points_to_redeem=10_000_000)
    assert too_many["errors"][0]["code"] == "INSUFFICIENT_POINTS" and too_many["purchase"] is None
    await assert_ledger_clean()


async def test_offline_batch_applies_rules_as_of_occurred_at_and_replays_change_nothing(api, clock):
    clock.set(local(2026, 10, 1))
    shop = await open_shop(api, clock)
    member = await shop.member()
    clock.set(local(2026, 12, 10))
    batch = [
        shop.purchase_input(member["code"], [("DOMESTIC_FRUIT", 1, "100.00")], txn="off-2", occurred_at=local(2026, 12, 8, 15)),
        shop.purchase_input(member["code"], [("DOMESTIC_FRUIT", 1, "100.00")], txn="off-1", occurred_at=local(2026, 12, 7, 15)),
        shop.purchase_input(member["code"], [("DOMESTIC_FRUIT", 1, "100.00")], txn="off-old", occurred_at=local(2026, 11, 1, 15)),
    ]
    mutation = (
        "mutation($i: SubmitPurchaseBatchInput!) { submitPurchaseBatch(input: $i) { results { replayed purchase { pointsEarned status } "
        "errors { code } } errors { code } } }"
    )
    first = (await api.data(mutation, {"i": {"purchases": batch}}, token=shop.clerk))["submitPurchaseBatch"]
    earned = [r["purchase"]["pointsEarned"] for r in first["results"]]
    assert earned == [300, 200, 0]  # the 7th was the first order (x2), the 8th member day (x3)
    assert first["results"][2]["purchase"]["status"] == "HELD"
    balance = (await shop.balance(member["code"]))["pointsBalance"]
    again = (await api.data(mutation, {"i": {"purchases": batch}}, token=shop.clerk))["submitPurchaseBatch"]
    assert all(r["replayed"] for r in again["results"])
    assert (await shop.balance(member["code"]))["pointsBalance"] == balance
    await assert_ledger_clean()


RETURN = (
    "mutation($i: ReturnPurchaseInput!) { returnPurchase(input: $i) { purchase { status lines { returnedQuantity } } member { "
    "pointsBalance pointsDebt } errors { code field } } }"
)


async def test_partial_then_full_return_takes_points_back_pro_rata(api, clock):
    clock.set(NEUTRAL_DAY)
    shop = await open_shop(api, clock)
    member = await shop.member()
    await shop.buy(member["code"], [("DOMESTIC_FRUIT", 1, "1.00")])
    bought = await shop.buy(member["code"], [("DOMESTIC_FRUIT", 4, "25.00"), ("IMPORTED_FRUIT", 1, "100.00")])
    assert bought["purchase"]["pointsEarned"] == 300
    before = bought["member"]["pointsBalance"]
    partial = (
        await api.data(
            RETURN,
            {"i": {"purchaseId": bought["purchase"]["id"], "lines": [{"lineNo": 0, "quantity": 2}], "idempotencyKey": "r1"}},
            token=shop.clerk,
        )
    )["returnPurchase"]
    assert partial["errors"] == [] and partial["purchase"]["status"] == "PARTIALLY_RETURNED"
    assert partial["member"]["pointsBalance"] == before - 75  # 50 of 200 yuan: a quarter of 300
    replay = (
        await api.data(
            RETURN,
            {"i": {"purchaseId": bought["purchase"]["id"], "lines": [{"lineNo": 0, "quantity": 2}], "idempotencyKey": "r1"}},
            token=shop.clerk,
        )
    )["returnPurchase"]
    assert replay["member"]["pointsBalance"] == before - 75
    rest = (await api.data(RETURN, {"i": {"purchaseId": bought["purchase"]["id"], "idempotencyKey": "r2"}}, token=shop.clerk))[
        "returnPurchase"
    ]
    assert rest["purchase"]["status"] == "RETURNED" and rest["member"]["pointsBalance"] == before - 300
    too_much = (
        await api.data(
            RETURN,
            {"i": {"purchaseId": bought["purchase"]["id"], "lines": [{"lineNo": 1, "quantity": 1}], "idempotencyKey": "r3"}},
            token=shop.clerk,
        )
    )["returnPurchase"]
    assert too_much["errors"][0]["code"] == "INVALID_QUANTITY"
    await assert_ledger_clean()


async def test_return_after_the_points_were_spent_claws_back_to_zero_and_records_debt(api, clock):
    from domain.ledger import service as ledger
    from domain.members.models import Member

    clock.set(NEUTRAL_DAY)
    shop = await open_shop(api, clock)
    member = await shop.member()
    bought = await shop.buy(member["code"], [("DOMESTIC_FRUIT", 1, "500.00")])  # first order: 1,000 points
    member_id = (await Member.get(code=member["code"])).id
    await ledger.debit(member_id, 1000, "REDEMPTION", reason="a gift box", actor="test", clock=clock)
    returned = (await api.data(RETURN, {"i": {"purchaseId": bought["purchase"]["id"], "idempotencyKey": "ret"}}, token=shop.clerk))[
        "returnPurchase"
    ]
    assert returned["member"] == {"pointsBalance": 0, "pointsDebt": 1000 - WELCOME}
    settle = await shop.buy(member["code"], [("DOMESTIC_FRUIT", 1, "2000.00")])
    assert settle["member"]["pointsDebt"] == 0
    assert settle["member"]["pointsBalance"] == 2000 - (1000 - WELCOME)
    await assert_ledger_clean()


@requires_postgres()
async def test_one_client_txn_id_sent_20_times_at_once_credits_once(api, clock):
    shop = await open_shop(api, clock)
    member = await shop.member()
    inp = shop.purchase_input(member["code"], [("DOMESTIC_FRUIT", 1, "100.00")], txn="storm")
    results = await all_at_once(*[api.data(RECORD, {"i": inp}, token=shop.clerk) for _ in range(20)])
    ids = {r["recordPurchase"]["purchase"]["id"] for r in results}
    assert len(ids) == 1 and sum(not r["recordPurchase"]["replayed"] for r in results) == 1
    assert (await shop.balance(member["code"]))["pointsBalance"] == WELCOME + 200
    await assert_ledger_clean()


@requires_postgres()
async def test_50_parallel_cash_offset_purchases_never_overdraw(api, clock):
    shop = await open_shop(api, clock, with_rules=False)
    from domain.earning.models import EarnRate

    await EarnRate.create(category="NO_POINTS", points_per_yuan=0, effective_from=clock.now() - timedelta(days=1),
                          announced_at=clock.now() - timedelta(days=9), created_by="test")
    member = await shop.member()  # 50 welcome points
    from domain.ledger import service as ledger
    from domain.members.models import Member

    member_id = (await Member.get(code=member["code"])).id
    await ledger.credit(member_id, 950, "PURCHASE", reason="setup", actor="test", clock=clock)
    results = await all_at_once(*[
        shop.buy(member["code"], [("NO_POINTS", 1, "20.00")], points_to_redeem=100) for _ in range(50)
    ])
    ok = [r for r in results if not r["errors"]]
    assert len(ok) == 10 and all(r["errors"][0]["code"] == "INSUFFICIENT_POINTS" for r in results if r["errors"])
    assert (await shop.balance(member["code"]))["pointsBalance"] == 0
    await assert_ledger_clean()


async def test_pending_window_holds_purchase_points_until_released(api, clock):
    from domain.programme import service as programme_settings

    clock.set(NEUTRAL_DAY)
    await programme_settings.update({"purchase_pending_days": 3})
    shop = await open_shop(api, clock)
    member = await shop.member()
    bought = await shop.buy(member["code"], [("DOMESTIC_FRUIT", 1, "100.00")])
    assert bought["member"]["pointsBalance"] == WELCOME and bought["member"]["pendingPoints"] == 200
    admin = await api.admin_token()
    sweep = "mutation { expirePoints(input: {}) { expiredLots } }"
    clock.advance(timedelta(days=2))
    await api.data(sweep, token=admin)
    assert (await shop.balance(member["code"]))["pendingPoints"] == 200
    clock.advance(timedelta(days=1, minutes=1))
    await api.data(sweep, token=admin)
    assert (await shop.balance(member["code"])) == {
        "pointsBalance": WELCOME + 200,
        "pendingPoints": 0,
        "pointsDebt": 0,
        "tier": {"code": "REGULAR"},
    }
    await assert_ledger_clean()


async def test_staff_of_a_store_where_the_member_bought_may_see_them(api, clock):
    shop = await open_shop(api, clock)
    member = await shop.member()
    other = await open_shop(api, clock, with_rules=False)
    lookup = "query($c: String!) { member(code: $c) { code } }"
    assert (await api.gql(lookup, {"c": member["code"]}, token=other.clerk))["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    await other.buy(member["code"], [("DOMESTIC_FRUIT", 1, "10.00")])
    assert (await api.data(lookup, {"c": member["code"]}, token=other.clerk))["member"]["code"] == member["code"]


@requires_postgres()
async def test_a_lock_timeout_answers_try_again_and_the_retry_records_once(api, clock, settings):
    """A till whose purchase waits past lock_timeout gets TRY_AGAIN, not a 500; nothing was written."""
    import asyncpg

    from domain.members.models import Member

    shop = await open_shop(api, clock)
    member = await shop.member()
    member_id = (await Member.get(code=member["code"])).id
    inp = shop.purchase_input(member["code"], [("DOMESTIC_FRUIT", 1, "100.00")], txn="busy-till")
    holder = await asyncpg.connect(settings.database_url.replace("postgres://", "postgresql://", 1))
    try:
        transaction = holder.transaction()
        await transaction.start()
        await holder.execute("SELECT * FROM points_account WHERE member_id = $1 FOR UPDATE", member_id)
        blocked = await api.data(RECORD, {"i": inp}, token=shop.clerk)  # waits lock_timeout, then gives up
        await transaction.rollback()
    finally:
        await holder.close()
    payload = blocked["recordPurchase"]
    assert [e["code"] for e in payload["errors"]] == ["TRY_AGAIN"] and payload["purchase"] is None
    assert (await shop.balance(member["code"]))["pointsBalance"] == WELCOME
    retried = (await api.data(RECORD, {"i": inp}, token=shop.clerk))["recordPurchase"]
    assert retried["errors"] == [] and not retried["replayed"]
    assert (await shop.balance(member["code"]))["pointsBalance"] == WELCOME + 200
    await assert_ledger_clean()


async def test_a_batch_answers_each_bad_price_with_its_own_error_and_keeps_the_good_purchase(api, clock):
    clock.set(NEUTRAL_DAY)
    shop = await open_shop(api, clock)
    member = await shop.member()
    clock.set(NEUTRAL_DAY + timedelta(hours=2))
    batch = [
        shop.purchase_input(member["code"], [("DOMESTIC_FRUIT", 1, "100.00")], txn="good", occurred_at=NEUTRAL_DAY + timedelta(hours=1)),
        shop.purchase_input(member["code"], [("DOMESTIC_FRUIT", 1, "1e30")], txn="huge"),
        shop.purchase_input(member["code"], [("DOMESTIC_FRUIT", 1, "1.00"), ("DOMESTIC_FRUIT", 1, "NaN")], txn="nan"),
        shop.purchase_input(member["code"], [("DOMESTIC_FRUIT", 100_000, "9999999.99")], txn="line-total"),
        dict(shop.purchase_input(member["code"], [("DOMESTIC_FRUIT", 1, "1.00")], txn="naive"), occurredAt="2026-11-20T10:00:00"),
    ]
    mutation = (
        "mutation($i: SubmitPurchaseBatchInput!) { submitPurchaseBatch(input: $i) { results { purchase { pointsEarned } errors { "
        "code field } } errors { code } } }"
    )
    body = await api.gql(mutation, {"i": {"purchases": batch}}, token=shop.clerk)
    assert "errors" not in body, body
    results = body["data"]["submitPurchaseBatch"]["results"]
    assert results[0] == {"purchase": {"pointsEarned": 200}, "errors": []}
    assert results[1] == {"purchase": None, "errors": [{"code": "INVALID_PRICE", "field": "purchases.1.lines.0.unitPrice"}]}
    assert results[2] == {"purchase": None, "errors": [{"code": "INVALID_PRICE", "field": "purchases.2.lines.1.unitPrice"}]}
    assert results[3] == {"purchase": None, "errors": [{"code": "INVALID_AMOUNT", "field": "purchases.3.lines.0"}]}
    assert results[4] == {"purchase": None, "errors": [{"code": "INVALID_OCCURRED_AT", "field": "purchases.4.occurredAt"}]}
    assert body["data"]["submitPurchaseBatch"]["errors"] == []
    assert (await shop.balance(member["code"]))["pointsBalance"] == WELCOME + 200
    await assert_ledger_clean()


async def test_a_purchase_that_would_earn_past_the_balance_bound_is_refused_whole(api, clock):
    clock.set(NEUTRAL_DAY)
    shop = await open_shop(api, clock)
    member = await shop.member()
    admin = await api.admin_token()
    rate = "mutation($i: SetEarnRateInput!) { setEarnRate(input: $i) { errors { code } } }"
    assert (await api.data(rate, {"i": {"category": "GIFT_BOX", "pointsPerYuan": "1000"}}, token=admin))["setEarnRate"]["errors"] == []
    refused = await shop.buy(member["code"], [("GIFT_BOX", 1, "10000000.00")])
    assert (refused["purchase"], [e["code"] for e in refused["errors"]]) == (None, ["BALANCE_LIMIT_EXCEEDED"])
    assert (await shop.balance(member["code"]))["pointsBalance"] == WELCOME
    fine = await shop.buy(member["code"], [("GIFT_BOX", 1, "1.00")])
    assert fine["errors"] == [] and fine["purchase"]["pointsEarned"] == 2000  # first order x2
    await assert_ledger_clean()
