"""A database that restarts, drops connections or is down answers "try again", never a 500.

The answer is a top-level error with `extensions.code` SERVICE_UNAVAILABLE and
`extensions.retryable` true, on HTTP 503; the retry with the same idempotency keys applies each
write once, and the pool never hands out a connection the database has closed.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

from domain.ledger import service as ledger
from domain.ledger.check import check_ledger
from domain.mall.check import check_stock
from domain.mall.models import Redemption
from infra import db
from tests.conftest import requires_postgres
from tests.points_support import RECORD, open_shop
from tests.test_idempotent_twins import admin_connection, until_waiting_on_a_lock
from tests.test_mall import REDEEM, Mall, new_key, units_left

pytestmark = requires_postgres("terminates the API's PostgreSQL backends")

BALANCE = "query { me { pointsBalance } }"


def assert_retryable(response) -> None:
    assert response.status_code == 503, response.text
    body = response.json()
    assert not any((body["data"] or {}).values()), body
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE" and error["extensions"]["retryable"] is True, body
    assert response.headers["retry-after"] == "1"


async def test_backends_terminated_mid_request_answer_retryable_and_the_retries_apply_once(api, clock):
    mall = await Mall.open(api)
    item = await mall.item(pointsPrice=100, stock=10)
    shopper = await mall.member(balance=1_000)
    shop = await open_shop(api, clock)
    from domain.members.models import Member

    member = await Member.get(id=shopper.id)
    redemptions = [{"itemId": item["id"], "idempotencyKey": new_key()} for _ in range(4)]
    sales = [shop.purchase_input(member.code, [("DOMESTIC_FRUIT", 1, "20.00")]) for _ in range(2)]

    def send_all():
        return [
            *(api.post(REDEEM, {"i": r}, token=shopper.token) for r in redemptions),
            *(api.post(RECORD, {"i": s}, token=shop.clerk) for s in sales),
        ]

    async with admin_connection(api) as admin:
        held = admin.transaction()
        await held.start()
        await admin.execute("SELECT 1 FROM points_account WHERE member_id = $1 FOR UPDATE", member.id)
        sent = [asyncio.ensure_future(request) for request in send_all()]
        await until_waiting_on_a_lock(admin, len(sent))
        terminated = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE application_name = 'orchard' AND datname = current_database()"
        )
        await held.rollback()
        responses = await asyncio.gather(*sent)
    assert terminated >= len(sent)
    for response in responses:
        assert_retryable(response)

    retried = [r.json() for r in await asyncio.gather(*send_all())]
    assert all(r["data"]["redeemMallItem"]["errors"] == [] for r in retried[:4]), retried
    assert all(r["data"]["recordPurchase"]["errors"] == [] for r in retried[4:]), retried
    again = [r.json() for r in await asyncio.gather(*send_all())]
    assert all(r["data"]["redeemMallItem"]["replayed"] for r in again[:4])
    assert all(r["data"]["recordPurchase"]["replayed"] for r in again[4:])
    assert await Redemption.filter(member_id=member.id).count() == 4
    assert await units_left(item) == 6
    earned = sum(r["data"]["recordPurchase"]["purchase"]["pointsEarned"] for r in retried[4:])
    assert await ledger.balance(member.id) == 1_000 - 400 + earned
    assert await check_ledger() == [] and await check_stock() == []


async def test_a_database_that_is_down_answers_retryable_and_readyz_says_so(api, settings):
    mall = await Mall.open(api)
    shopper = await mall.member(balance=100)
    item = await mall.item(pointsPrice=10, stock=5)
    await db.close_db()
    await db.init_db(replace(settings, database_url="postgres://postgres@127.0.0.1:1/nowhere"))  # nothing listens
    try:
        assert_retryable(await api.post(BALANCE, token=shopper.token))
        assert_retryable(await api.post(REDEEM, {"i": {"itemId": item["id"], "idempotencyKey": new_key()}},
                                        token=shopper.token))
        assert (await api.http.get("/readyz")).status_code == 503
    finally:
        await db.close_db()
        await db.init_db(settings)
    assert (await api.http.get("/readyz")).status_code == 200
    assert (await api.data(BALANCE, token=shopper.token))["me"]["pointsBalance"] == 100
