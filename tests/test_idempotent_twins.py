"""Requests sent twice at once with one idempotency key get one answer and have one effect.

A twin that arrives while the first request runs waits for it and answers as it did, or answers
IN_PROGRESS when the first outlasts the wait; it never answers a business error that the first
request's outcome contradicts (README, "The API in brief").
"""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from dataclasses import replace

import asyncpg

from domain.earning.models import Purchase
from domain.ledger import service as ledger
from domain.ledger.check import check_ledger
from domain.ledger.models import JournalKind, PointsJournal
from domain.mall.check import check_stock
from domain.mall.models import Redemption
from domain.mall.stock import SOLD_OUT_TTL
from infra import cache
from tests.concurrently import all_at_once
from tests.conftest import PG_URL, _server_dsn, requires_postgres
from tests.points_support import RECORD, open_shop
from tests.test_mall import Mall, Shopper, codes_of, member_token, new_key, pk, units_left

TWINS = 20


def _answers(results: list[dict], key: str = "redemption") -> set:
    """What each answer says: the object's id, or its error codes; IN_PROGRESS dropped."""
    said = set()
    for result in results:
        codes = tuple(e["code"] for e in result["errors"])
        if codes == ("IN_PROGRESS",):
            continue
        said.add(result[key]["id"] if result[key] else codes)
    return said


@asynccontextmanager
async def admin_connection(api):
    """A connection of the test's own to the API's database, as another client of PostgreSQL."""
    database = api.settings.database_url.rpartition("/")[2]
    connection = await asyncpg.connect(_server_dsn(PG_URL, database))
    try:
        yield connection
    finally:
        await connection.close()


async def until_waiting_on_a_lock(admin, count: int = 1) -> None:
    """Return once `count` of the API's connections wait for a lock (the state, asked until it holds)."""
    for _ in range(2000):
        await admin.execute("SELECT pg_stat_clear_snapshot()")  # inside a transaction the view is a snapshot
        waiting = await admin.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'orchard' AND wait_event_type = 'Lock'"
            " AND datname = current_database()"
        )
        if waiting >= count:
            return
        await asyncio.sleep(0.005)
    raise AssertionError(f"{count} of the API's requests never waited for a lock (saw {waiting})")


# ---- redemptions --------------------------------------------------------------------------------


async def test_twenty_twins_redeem_once_and_answer_alike(api):
    mall = await Mall.open(api)
    item = await mall.item(pointsPrice=100, stock=50)
    shopper = await mall.member(balance=1_000)
    key = new_key()
    results = await all_at_once(*(mall.redeem(shopper, item, key=key) for _ in range(TWINS)))
    said = _answers(results)
    assert len(said) == 1 and isinstance(next(iter(said)), str), said
    assert await Redemption.filter(member_id=shopper.id).count() == 1
    assert await ledger.balance(shopper.id) == 900
    assert await units_left(item) == 49
    assert await check_ledger() == []


async def test_twins_of_the_last_unit_all_get_that_unit_while_others_are_told_sold_out(api):
    mall = await Mall.open(api)
    item = await mall.item(pointsPrice=100, stock=1)
    shopper = await mall.member(balance=1_000)
    others = [await mall.member(balance=1_000) for _ in range(5)]
    key = new_key()
    results = await all_at_once(
        *(mall.redeem(shopper, item, key=key) for _ in range(TWINS)),
        *(mall.redeem(other, item) for other in others),
    )
    twins, rest = results[:TWINS], results[TWINS:]
    said = _answers(twins)
    assert len(said) == 1, said
    if said == {("OUT_OF_STOCK",)}:  # another member was first to the unit
        assert codes_of(rest).count("OUT_OF_STOCK") == len(others) - 1
    else:
        assert codes_of(rest) == ["OUT_OF_STOCK"] * len(others)
        assert await Redemption.filter(member_id=shopper.id).count() == 1
    assert await units_left(item) == 0
    assert await check_ledger() == [] and await check_stock() == []


async def _twin_of_a_held_first(api, *, twin_waits_for_release: bool) -> tuple[dict, dict, Mall, Shopper, dict, str]:
    """The outside probe's case: the first request holds the key and waits to take the points of
    the last unit; the twin then meets the sold-out flag another worker still remembers."""
    mall = await Mall.open(api)
    item = await mall.item(pointsPrice=100, stock=1)
    shopper = await mall.member(balance=1_000)
    key = new_key()
    async with admin_connection(api) as admin:
        held = admin.transaction()
        await held.start()
        await admin.execute("SELECT 1 FROM points_account WHERE member_id = $1 FOR UPDATE", shopper.id)
        first = asyncio.ensure_future(mall.redeem(shopper, item, key=key))
        await until_waiting_on_a_lock(admin)
        await cache.put(f"mall:sold-out:{pk(item['id'])}", True, ttl=SOLD_OUT_TTL)
        twin = asyncio.ensure_future(mall.redeem(shopper, item, key=key))
        if not twin_waits_for_release:
            await twin  # answered while the first still waits
        await held.rollback()
        first, twin = await first, await twin
    return first, twin, mall, shopper, item, key


@requires_postgres("holds a row lock from a second connection")
async def test_a_twin_never_answers_sold_out_from_a_stale_flag_while_the_first_takes_the_unit(api_factory, settings):
    """It must not answer OUT_OF_STOCK: it waits, and here the first outlasts the (shortened) wait."""
    api = api_factory(replace(settings, lock_timeout_ms=300))  # the twin's wait; the database's own stays 2 s
    first, twin, mall, shopper, item, key = await _twin_of_a_held_first(api, twin_waits_for_release=False)
    assert codes_of([twin]) == ["IN_PROGRESS"] and twin["errors"][0]["field"] == "idempotencyKey"
    assert first["errors"] == [] and first["replayed"] is False
    retry = await mall.redeem(shopper, item, key=key)
    assert retry["replayed"] is True and retry["redemption"]["id"] == first["redemption"]["id"]
    assert await units_left(item) == 0


@requires_postgres("holds a row lock from a second connection")
async def test_a_twin_waits_for_the_first_and_replays_it(api):
    first, twin, *_ = await _twin_of_a_held_first(api, twin_waits_for_release=True)
    assert first["errors"] == [] and twin["errors"] == []
    assert twin["redemption"]["id"] == first["redemption"]["id"] and twin["replayed"] is True


async def test_twins_of_a_refused_redemption_are_all_refused_alike_and_the_key_stays_free(api):
    mall = await Mall.open(api)
    item = await mall.item(pointsPrice=100, stock=5)
    shopper = await mall.member(balance=50)
    key = new_key()
    results = await all_at_once(*(mall.redeem(shopper, item, key=key) for _ in range(TWINS)))
    assert _answers(results) == {("INSUFFICIENT_POINTS",)}
    await ledger.adjust(shopper.id, 100, reason="top up", actor="test", clock=api.clock)
    later = await mall.redeem(shopper, item, key=key)
    assert later["errors"] == [] and later["replayed"] is False


async def test_twin_cancellations_return_the_points_once(api):
    mall = await Mall.open(api)
    item = await mall.item(pointsPrice=100, stock=5)
    shopper = await mall.member(balance=300)
    made = await mall.redeem(shopper, item)
    key = new_key()
    results = await all_at_once(*(mall.cancel(made["redemption"]["id"], shopper.token, key=key) for _ in range(TWINS)))
    said = {tuple(e["code"] for e in r["errors"]) for r in results} - {("IN_PROGRESS",)}
    assert said == {()}, said
    assert all(r["member"]["pointsBalance"] == 300 for r in results if not r["errors"])
    assert await ledger.balance(shopper.id) == 300 and await units_left(item) == 5
    assert await check_ledger() == [] and await check_stock() == []


# ---- purchases, returns, behaviour, adjustments -------------------------------------------------------


async def test_twenty_twins_record_one_purchase(api):
    shop = await open_shop(api, api.clock)
    member = await shop.member()
    sale = shop.purchase_input(member["code"], [("IMPORTED_FRUIT", 1, "88.00")])
    results = await all_at_once(*(api.data(RECORD, {"i": sale}, token=shop.clerk) for _ in range(TWINS)))
    payloads = [r["recordPurchase"] for r in results]
    assert len(_answers(payloads, "purchase")) == 1
    assert sum(1 for p in payloads if p["errors"] == [] and not p["replayed"]) == 1
    assert await Purchase.filter(client_txn_id=sale["clientTxnId"]).count() == 1
    assert await PointsJournal.filter(kind=JournalKind.PURCHASE).count() == 1
    assert await check_ledger() == []


ADJUST = """mutation($i: AdjustPointsInput!) { adjustPoints(input: $i) { balanceBefore balanceAfter
  errors { code field } } }"""


async def test_twenty_twin_adjustments_apply_once(api):
    shop = await open_shop(api, api.clock)
    member = await shop.member()
    admin = await api.admin_token()
    from domain.members.models import Member
    from schema.relay import to_global_id

    found = await Member.get(code=member["code"])
    inp = {"memberId": to_global_id("Member", found.id), "amount": 500, "reason": "goodwill", "idempotencyKey": new_key()}
    results = await all_at_once(*(api.data(ADJUST, {"i": inp}, token=admin) for _ in range(TWINS)))
    answers = {(r["adjustPoints"]["balanceBefore"], r["adjustPoints"]["balanceAfter"]) for r in results
               if r["adjustPoints"]["errors"] == []}
    assert answers == {(50, 550)}
    assert {e["code"] for r in results for e in r["adjustPoints"]["errors"]} <= {"IN_PROGRESS"}
    assert await ledger.balance(found.id) == 550


CHECK_IN = """mutation($i: CheckInInput!) { checkIn(input: $i) { pointsAwarded streakDays replayed
  member { pointsBalance } errors { code } } }"""
REVIEW = "mutation($i: SubmitReviewInput!) { submitReview(input: $i) { pointsAwarded replayed errors { code field } } }"
RETURN = """mutation($i: ReturnPurchaseInput!) { returnPurchase(input: $i) { purchase { id status }
  member { pointsBalance } errors { code field } } }"""


async def test_twenty_twin_check_ins_award_once_and_a_later_retry_replays(api, clock):
    shop = await open_shop(api, clock)
    member = await shop.member()
    from domain.members.models import Member

    token = member_token(api, (await Member.get(code=member["code"])).id)
    inp = {"idempotencyKey": new_key()}
    results = [r["checkIn"] for r in await all_at_once(*(api.data(CHECK_IN, {"i": inp}, token=token) for _ in range(TWINS)))]
    answered = [r for r in results if r["errors"] == []]
    assert {e["code"] for r in results for e in r["errors"]} <= {"IN_PROGRESS"}
    assert {(r["pointsAwarded"], r["streakDays"]) for r in answered} == {(answered[0]["pointsAwarded"], 1)}
    assert sum(not r["replayed"] for r in answered) == 1
    retry = (await api.data(CHECK_IN, {"i": inp}, token=token))["checkIn"]
    assert retry["replayed"] is True and retry["errors"] == [] and retry["pointsAwarded"] == answered[0]["pointsAwarded"]
    other_key = (await api.data(CHECK_IN, {"i": {"idempotencyKey": new_key()}}, token=token))["checkIn"]
    assert [e["code"] for e in other_key["errors"]] == ["ALREADY_CHECKED_IN"]
    assert await PointsJournal.filter(kind=JournalKind.CHECK_IN).count() == 1
    assert await check_ledger() == []


async def test_twenty_twin_reviews_award_once(api, clock):
    shop = await open_shop(api, clock)
    member = await shop.member()
    await shop.buy(member["code"], [("DOMESTIC_FRUIT", 1, "10.00")])
    from domain.earning.models import PurchaseLine
    from domain.members.models import Member
    from schema.relay import to_global_id

    token = member_token(api, (await Member.get(code=member["code"])).id)
    line = await PurchaseLine.filter(line_no=0).first()
    inp = {"purchaseLineId": to_global_id("PurchaseLine", line.id), "rating": 5, "text": "Sweet", "idempotencyKey": new_key()}
    results = [r["submitReview"] for r in await all_at_once(*(api.data(REVIEW, {"i": inp}, token=token) for _ in range(TWINS)))]
    assert {e["code"] for r in results for e in r["errors"]} <= {"IN_PROGRESS"}
    assert {r["pointsAwarded"] for r in results if not r["errors"]} == {10}
    assert sum(not r["replayed"] for r in results if not r["errors"]) == 1
    assert await PointsJournal.filter(kind=JournalKind.REVIEW).count() == 1


async def test_twenty_twin_returns_take_the_points_back_once(api, clock):
    shop = await open_shop(api, clock)
    member = await shop.member()
    bought = await shop.buy(member["code"], [("DOMESTIC_FRUIT", 2, "50.00")])
    inp = {"purchaseId": bought["purchase"]["id"], "lines": [{"lineNo": 0, "quantity": 1}], "idempotencyKey": new_key()}
    results = [r["returnPurchase"] for r in await all_at_once(*(api.data(RETURN, {"i": inp}, token=shop.clerk) for _ in range(TWINS)))]
    assert {e["code"] for r in results for e in r["errors"]} <= {"IN_PROGRESS"}
    balances = {r["member"]["pointsBalance"] for r in results if not r["errors"]}
    assert len(balances) == 1
    from domain.earning.models import PurchaseLine

    earned = await PointsJournal.filter(reference=f"purchase:{pk(bought['purchase']['id'])}").count()
    assert await PointsJournal.filter(kind=JournalKind.RETURN).count() == earned  # each earning reversed once

    assert (await PurchaseLine.get(line_no=0)).returned_quantity == 1
    assert await check_ledger() == []
