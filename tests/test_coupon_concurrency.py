"""Coupons under concurrency: tills racing on one code, a purchase retried at once, counter retries.

On PostgreSQL these run with real parallel connections; the smaller versions run on SQLite too.
"""

from __future__ import annotations

from domain.coupons.models import Coupon
from domain.earning.models import Purchase, PurchaseCoupon
from domain.idempotency.models import IdempotencyRecord
from domain.stores import api_keys
from tests.concurrently import all_at_once
from tests.conftest import requires_postgres
from tests.coupon_support import Wallets, money
from tests.points_support import assert_ledger_clean

WELCOME = 50


async def _tills_race(api, clock, tills: int) -> None:
    w = await Wallets.open(api, clock)
    template = await w.template(amountOff=money("20"))
    member = await w.member()
    coupon = await w.issue(template, member)
    devices = [(await api_keys.create_device_key(w.shop.store, api_keys.DeviceType.POS, f"till {i}")).secret for i in range(tills)]
    results = await all_at_once(*(
        w.buy(member, [("DOMESTIC_FRUIT", 1, "50.00")], [coupon["code"]], token=token, txn=f"race-{i}")
        for i, token in enumerate(devices)
    ))
    winners = [r for r in results if r["errors"] == []]
    assert len(winners) == 1
    assert sorted((r["errors"][0]["code"], r["errors"][0]["field"]) for r in results if r["errors"]) == [
        ("COUPON_ALREADY_USED", "couponCodes.0")
    ] * (tills - 1)
    # the losers' purchases were not recorded: no row, no points, no coupon link
    assert await Purchase.filter(member_id=member["pk"]).count() == 1
    assert await PurchaseCoupon.all().count() == 1
    row = await Coupon.get(code=coupon["code"])
    assert row.status == "USED" and row.used_ref == f"purchase:{(await Purchase.get(member_id=member['pk'])).id}"
    assert (await w.shop.balance(member["code"]))["pointsBalance"] == WELCOME + 30
    await assert_ledger_clean()


@requires_postgres()
async def test_ten_tills_race_on_one_coupon_and_one_wins(api, clock):
    await _tills_race(api, clock, 10)


async def test_two_tills_race_on_one_coupon_and_one_wins(api, clock):
    await _tills_race(api, clock, 2)


async def _one_purchase_retried(api, clock, retries: int) -> None:
    w = await Wallets.open(api, clock)
    template = await w.template(amountOff=money("20"))
    member = await w.member()
    coupon = await w.issue(template, member)
    results = await all_at_once(*(
        w.buy(member, [("DOMESTIC_FRUIT", 1, "50.00")], [coupon["code"]], txn="one-sale") for _ in range(retries)
    ))
    assert all(r["errors"] == [] for r in results), [r["errors"] for r in results if r["errors"]]
    assert len({r["purchase"]["id"] for r in results}) == 1 and sum(not r["replayed"] for r in results) == 1
    assert {r["purchase"]["discount"]["amount"] for r in results} == {"20.00"}
    assert await Purchase.filter(member_id=member["pk"]).count() == 1
    assert (await w.shop.balance(member["code"]))["pointsBalance"] == WELCOME + 30
    await assert_ledger_clean()


@requires_postgres()
async def test_a_purchase_with_a_coupon_sent_20_times_at_once_is_recorded_once(api, clock):
    await _one_purchase_retried(api, clock, 20)


async def test_a_purchase_with_a_coupon_sent_3_times_at_once_is_recorded_once(api, clock):
    await _one_purchase_retried(api, clock, 3)


async def _counter_retries(api, clock, retries: int, other_counters: int) -> None:
    w = await Wallets.open(api, clock)
    tasting = await w.template(name="Tasting", kind="TASTING", itemName="Durian")
    member = await w.member()
    coupon = await w.issue(tasting, member)
    same_key = [w.use(coupon["code"], key="counter-key") for _ in range(retries)]
    other_keys = [w.use(coupon["code"], key=f"counter-{i}") for i in range(other_counters)]
    results = await all_at_once(*same_key, *other_keys)
    won = [r for r in results if r["errors"] == [] and not r["replayed"]]
    assert len(won) == 1 and won[0]["coupon"]["status"] == "USED"
    assert {e["code"] for r in results for e in r["errors"]} <= {"COUPON_ALREADY_USED"}
    # the retries of one key answer alike: all the write-off (one of them replaying nothing), or all refused
    same = results[:retries]
    assert all(r["errors"] == [] for r in same) or all(r["errors"] for r in same)
    assert len({r["coupon"]["id"] for r in results if r["errors"] == []}) == 1
    row = await Coupon.get(code=coupon["code"])
    assert row.status == "USED"
    # one write-off: one idempotency record holds it, whichever key won
    assert await IdempotencyRecord.filter(operation="useCoupon").count() == 1


@requires_postgres()
async def test_a_counter_coupon_under_concurrent_retries_is_written_off_once(api, clock):
    await _counter_retries(api, clock, retries=20, other_counters=5)


async def test_a_counter_coupon_retried_at_once_is_written_off_once_small(api, clock):
    await _counter_retries(api, clock, retries=3, other_counters=2)
