"""Adjustments, expiry with reminders, rule changes with notice, and what members see of their points."""

from __future__ import annotations

from datetime import timedelta

from domain.earning.models import ExpiryReminder, PointsAdjustment
from domain.members.models import Member
from domain.notifications.models import OutboxMessage
from domain.stores import api_keys
from schema.relay import to_global_id
from tests.points_support import assert_ledger_clean, local, open_shop

ADJUST = (
    "mutation($i: AdjustPointsInput!) { adjustPoints(input: $i) { member { pointsBalance } balanceBefore balanceAfter errors { "
    "code field } } }"
)


async def _member_gid(code: str) -> str:
    return to_global_id("Member", (await Member.get(code=code)).id)


async def test_adjustment_is_audited_idempotent_and_never_overdraws(api, clock):
    shop = await open_shop(api, clock)
    member = await shop.member()
    admin = await api.admin_token()
    inp = {"memberId": await _member_gid(member["code"]), "amount": 120, "reason": "Complaint: bruised mangoes", "idempotencyKey": "adj-1"}
    first = (await api.data(ADJUST, {"i": inp}, token=admin))["adjustPoints"]
    assert first == {"member": {"pointsBalance": 170}, "balanceBefore": 50, "balanceAfter": 170, "errors": []}
    again = (await api.data(ADJUST, {"i": inp}, token=admin))["adjustPoints"]
    assert again["balanceAfter"] == 170 and await PointsAdjustment.all().count() == 1
    audit = await PointsAdjustment.first()
    assert (audit.reason, audit.balance_before, audit.balance_after) == ("Complaint: bruised mangoes", 50, 170)
    assert audit.actor.startswith("staff:")
    reused = (await api.data(ADJUST, {"i": dict(inp, amount=5)}, token=admin))["adjustPoints"]
    assert reused["errors"][0]["code"] == "IDEMPOTENCY_KEY_REUSED"
    overdraw = (await api.data(ADJUST, {"i": dict(inp, amount=-1000, idempotencyKey="adj-2")}, token=admin))["adjustPoints"]
    assert overdraw["errors"][0]["code"] == "INSUFFICIENT_POINTS"
    no_reason = (await api.data(ADJUST, {"i": dict(inp, reason=" ", idempotencyKey="adj-3")}, token=admin))["adjustPoints"]
    assert no_reason["errors"][0]["code"] == "REASON_REQUIRED"
    denied = await api.gql(ADJUST, {"i": dict(inp, idempotencyKey="adj-4")}, token=shop.clerk)
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    await assert_ledger_clean()


async def test_points_expire_oldest_first_after_a_year_with_one_reminder(api, clock):
    clock.set(local(2025, 1, 10))
    shop = await open_shop(api, clock)
    member = await shop.member()  # 50 welcome points, expiring 2026-01-10
    clock.set(local(2025, 6, 1))
    await shop.buy(member["code"], [("DOMESTIC_FRUIT", 1, "100.00")])  # first order: 200, expiring 2026-06-01
    admin = await api.admin_token()
    query = (
        "query($c: String!) { member(code: $c) { pointsBalance expiringPoints(withinDays: 30) expiringLots(withinDays: 400) { "
        "totalCount nodes { points } } } }"
    )
    clock.set(local(2025, 12, 20))
    view = (await api.data(query, {"c": member["code"]}, token=admin))["member"]
    assert view == {
        "pointsBalance": 250,
        "expiringPoints": 50,
        "expiringLots": {"totalCount": 3, "nodes": [{"points": 50}, {"points": 100}, {"points": 100}]},
    }
    sweep = "mutation { expirePoints(input: {}) { expiredLots remindersSent errors { code } } }"
    assert (await api.data(sweep, token=admin))["expirePoints"] == {"expiredLots": 0, "remindersSent": 1, "errors": []}
    assert (await api.data(sweep, token=admin))["expirePoints"]["remindersSent"] == 0  # once only
    assert await OutboxMessage.filter(template="POINTS_EXPIRING").count() == 1
    clock.set(local(2026, 1, 11))
    assert (await api.data(sweep, token=admin))["expirePoints"]["expiredLots"] == 1
    after = (await api.data(query, {"c": member["code"]}, token=admin))["member"]
    assert after["pointsBalance"] == 200
    history = await api.data(
        "query($c: String!) { member(code: $c) { pointsHistory(first: 10, filter: {kind: EXPIRY}) { edges { node { kind points } } } } }",
        {"c": member["code"]},
        token=admin,
    )
    assert [e["node"] for e in history["member"]["pointsHistory"]["edges"]] == [{"kind": "EXPIRY", "points": -50}]
    assert await ExpiryReminder.all().count() == 1
    await assert_ledger_clean()


async def test_rate_cut_needs_notice_and_shows_in_upcoming_changes(api, clock):
    shop = await open_shop(api, clock)
    admin = await api.admin_token()
    mutation = "mutation($i: SetEarnRateInput!) { setEarnRate(input: $i) { rate { category pointsPerYuan } errors { code field } } }"
    now_cut = (await api.data(mutation, {"i": {"category": "IMPORTED_FRUIT", "pointsPerYuan": "1.5"}}, token=admin))["setEarnRate"]
    assert now_cut["errors"] == [{"code": "NOTICE_PERIOD", "field": "effectiveFrom"}]
    later = (clock.now() + timedelta(days=8)).isoformat()
    planned = (
        await api.data(mutation, {"i": {"category": "IMPORTED_FRUIT", "pointsPerYuan": "1.5", "effectiveFrom": later}}, token=admin)
    )["setEarnRate"]
    assert planned["errors"] == [] and planned["rate"]["pointsPerYuan"] in ("1.5", "1.50")
    raise_now = (await api.data(mutation, {"i": {"category": "GIFT_BOX", "pointsPerYuan": "3"}}, token=admin))["setEarnRate"]
    assert raise_now["errors"] == []
    changes = (await api.data("{ upcomingRuleChanges { nodes { description reducesEarning } } }"))["upcomingRuleChanges"]["nodes"]
    assert {"description": "IMPORTED_FRUIT: 2 -> 1.5 points per yuan", "reducesEarning": True} in changes
    member = await shop.member()
    await shop.buy(member["code"], [("DOMESTIC_FRUIT", 1, "1.00")])
    today = await shop.buy(member["code"], [("IMPORTED_FRUIT", 1, "10.00"), ("GIFT_BOX", 1, "10.00")])
    assert today["purchase"]["pointsEarned"] == 20 + 30
    clock.advance(timedelta(days=9))
    later_buy = await shop.buy(member["code"], [("IMPORTED_FRUIT", 1, "10.00")])
    assert later_buy["purchase"]["pointsEarned"] == 15


async def test_campaign_budget_and_daily_cap(api, clock):
    clock.set(local(2026, 11, 23))
    shop = await open_shop(api, clock, with_rules=False)
    admin = await api.admin_token()
    create = (
        "mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { campaign { id code budget givenTotal } errors { code field } } }"
    )
    made = (
        await api.data(
            create,
            {
                "i": {
                    "code": "durian_week",
                    "name": "Durian week",
                    "multiplier": "2",
                    "conditions": {"categories": ["DURIAN"]},
                    "budget": 150,
                    "capPerMemberPerDay": 100,
                }
            },
            token=admin,
        )
    )["createCampaign"]
    assert made["errors"] == [] and made["campaign"]["code"] == "DURIAN_WEEK"
    a, b = await shop.member(), await shop.member()
    first = await shop.buy(a["code"], [("DURIAN", 1, "80.00")])
    assert first["purchase"]["pointsEarned"] == 80 + 80
    capped = await shop.buy(a["code"], [("DURIAN", 1, "80.00")])
    assert capped["purchase"]["pointsEarned"] == 80 + 20  # the member's daily cap of 100 extra
    budget = await shop.buy(b["code"], [("DURIAN", 1, "80.00")])
    assert budget["purchase"]["pointsEarned"] == 80 + 50  # what is left of the 150 budget
    campaigns = (await api.data("{ campaigns(first: 10) { nodes { code givenTotal } } }", token=admin))["campaigns"]["nodes"]
    assert campaigns == [{"code": "DURIAN_WEEK", "givenTotal": 150}]
    bad = (await api.data(create, {"i": {"code": "X", "name": "X", "multiplier": "2", "bonusPoints": 5}}, token=admin))["createCampaign"]
    assert bad["errors"][0]["code"] == "INVALID_CAMPAIGN"
    end = "mutation($i: EndCampaignInput!) { endCampaign(input: $i) { campaign { endsAt } errors { code } } }"
    too_soon = (
        await api.data(end, {"i": {"id": made["campaign"]["id"], "endsAt": (clock.now() + timedelta(days=1)).isoformat()}}, token=admin)
    )["endCampaign"]
    assert too_soon["errors"] == [{"code": "NOTICE_PERIOD"}]
    ended = (await api.data(end, {"i": {"id": made["campaign"]["id"]}}, token=admin))["endCampaign"]
    assert ended["errors"] == [] and ended["campaign"]["endsAt"]
    await assert_ledger_clean()


async def test_per_member_campaign_cap_counts_across_days(api, clock):
    clock.set(local(2026, 11, 23))
    shop = await open_shop(api, clock, with_rules=False)
    admin = await api.admin_token()
    create = "mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { campaign { capPerMember } errors { code } } }"
    made = (await api.data(create, {"i": {"code": "MANGO", "name": "Mango month", "multiplier": "2", "capPerMember": 120}}, token=admin))[
        "createCampaign"
    ]
    assert made == {"campaign": {"capPerMember": 120}, "errors": []}
    member = await shop.member()
    first = await shop.buy(member["code"], [("MANGO", 1, "100.00")])
    clock.advance(timedelta(days=1))
    second = await shop.buy(member["code"], [("MANGO", 1, "100.00")])
    clock.advance(timedelta(days=1))
    third = await shop.buy(member["code"], [("MANGO", 1, "100.00")])
    assert [p["purchase"]["pointsEarned"] for p in (first, second, third)] == [200, 120, 100]
    await assert_ledger_clean()


async def test_members_see_their_history_and_purchases_kiosks_only_the_balance(api, clock, outbox):
    from tests.test_behaviour_points import member_token

    shop = await open_shop(api, clock)
    member, token = await member_token(api, outbox, shop)
    await shop.buy(member["code"], [("DOMESTIC_FRUIT", 2, "10.00")])
    me = (await api.data("""{ me { pointsBalance pendingPoints
        pointsHistory(first: 5) { totalCount edges { node { kind points reason } } }
        purchases(first: 5) { totalCount edges { node { pointsEarned total { amount } lines { sku quantity } store { code } } } } } }""",
            token=token,
        )
    )["me"]
    assert me["pointsBalance"] == 50 + 40 and me["pendingPoints"] == 0
    assert [e["node"]["kind"] for e in me["pointsHistory"]["edges"]] == ["CAMPAIGN_BONUS", "PURCHASE", "REGISTRATION"]
    assert me["purchases"]["edges"][0]["node"]["total"] == {"amount": "20.00"}
    kiosk = (await api_keys.create_device_key(shop.store, api_keys.DeviceType.KIOSK, "k")).secret
    balance = await api.data("query($c: String!) { member(code: $c) { pointsBalance } }", {"c": member["code"]}, token=kiosk)
    assert balance["member"]["pointsBalance"] == 90
    history = await api.gql("query($c: String!) { member(code: $c) { pointsHistory { totalCount } } }", {"c": member["code"]}, token=kiosk)
    assert history["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_members_history_pages_newest_first_by_cursor_filters_by_kind_and_refuses_a_forged_cursor(api, clock, outbox):
    from tests.test_behaviour_points import member_token

    shop = await open_shop(api, clock)
    member, token = await member_token(api, outbox, shop)
    for _ in range(3):
        await shop.buy(member["code"], [("DOMESTIC_FRUIT", 2, "10.00")])
        clock.advance(timedelta(days=1))
    page = """query($after: String, $kind: PointsKind) { me { pointsHistory(first: 2, after: $after, filter: {kind: $kind}) {
        totalCount edges { cursor node { id kind } } pageInfo { hasNextPage hasPreviousPage endCursor } } } }"""
    seen, after = [], None
    while True:
        history = (await api.data(page, {"after": after}, token=token))["me"]["pointsHistory"]
        seen += [e["node"] for e in history["edges"]]
        assert history["pageInfo"]["hasPreviousPage"] == (after is not None)
        if not history["pageInfo"]["hasNextPage"]:
            break
        after = history["pageInfo"]["endCursor"]
    assert history["totalCount"] == len(seen) == len({e["id"] for e in seen}) >= 4  # no entry twice, none skipped
    assert [e["kind"] for e in seen].count("PURCHASE") == 3
    assert seen[-1]["kind"] == "REGISTRATION" and seen[0]["kind"] != "REGISTRATION"

    purchases = (await api.data(page, {"kind": "PURCHASE"}, token=token))["me"]["pointsHistory"]
    assert [e["node"]["kind"] for e in purchases["edges"]] == ["PURCHASE", "PURCHASE"] and purchases["totalCount"] == 3
    rest = (await api.data(page, {"kind": "PURCHASE", "after": purchases["pageInfo"]["endCursor"]}, token=token))["me"]["pointsHistory"]
    assert [e["node"]["kind"] for e in rest["edges"]] == ["PURCHASE"] and not rest["pageInfo"]["hasNextPage"]

    import base64
    forged = base64.urlsafe_b64encode(b'["1 OR 1=1"]').decode().rstrip("=")
    refused = await api.gql(page, {"after": forged}, token=token)
    assert refused["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "reason": "INVALID_CURSOR"}, refused


async def test_an_adjustment_beyond_the_bound_is_refused_and_leaves_the_balance(api, clock):
    from domain.bounds import MAX_ADJUSTMENT, MAX_BALANCE

    shop = await open_shop(api, clock)
    member = await shop.member()
    admin = await api.admin_token()
    gid = await _member_gid(member["code"])
    for n, amount in enumerate((2_147_483_647, MAX_ADJUSTMENT + 1, -(MAX_ADJUSTMENT + 1), -2_147_483_648)):
        inp = {"memberId": gid, "amount": amount, "reason": "Probe", "idempotencyKey": f"big-{n}"}
        refused = (await api.data(ADJUST, {"i": inp}, token=admin))["adjustPoints"]
        assert refused == {"member": None, "balanceBefore": None, "balanceAfter": None,
                           "errors": [{"code": "INVALID_AMOUNT", "field": "amount"}]}
    assert (await shop.balance(member["code"]))["pointsBalance"] == 50
    assert await PointsAdjustment.all().count() == 0

    # Within the bound for one adjustment, but past what a balance may hold: refused, nothing stored.
    steps = MAX_BALANCE // MAX_ADJUSTMENT
    for n in range(steps):
        inp = {"memberId": gid, "amount": MAX_ADJUSTMENT, "reason": "Fill", "idempotencyKey": f"fill-{n}"}
        done = (await api.data(ADJUST, {"i": inp}, token=admin))["adjustPoints"]
        if n < steps - 1:
            assert done["errors"] == []
    assert done["errors"] == [{"code": "BALANCE_LIMIT_EXCEEDED", "field": "amount"}]
    balance = 50 + (steps - 1) * MAX_ADJUSTMENT
    view = "{ members(first: 10) { edges { node { pointsBalance } } } }"
    assert (await shop.balance(member["code"]))["pointsBalance"] == balance
    assert {"node": {"pointsBalance": balance}} in (await api.data(view, token=admin))["members"]["edges"]
    await assert_ledger_clean()
