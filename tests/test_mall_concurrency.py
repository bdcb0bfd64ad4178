"""The rush on the points mall: many parallel requests through the API, never oversold, never charged twice.

On PostgreSQL the requests run on real parallel connections (the test pool has 60). Each
scenario also runs smaller on every database, so SQLite keeps the same rules.
"""

from __future__ import annotations

import time
import uuid

import asyncpg

from domain.ledger import service as ledger
from domain.ledger.check import check_ledger
from domain.ledger.models import JournalKind, PointsJournal
from domain.mall.models import MallMemberQuota, MallStockBucket, Redemption
from domain.members import codes
from domain.members.models import Member
from domain.tiers import service as tiers
from tests.concurrently import all_at_once
from tests.conftest import PG_URL, requires_postgres
from tests.test_mall import Mall, Shopper, codes_of, member_token, new_key, pk, units_left

ON_POSTGRES = bool(PG_URL)


async def many_members(api, count: int, points: int) -> list[Shopper]:
    """Members inserted directly (registering a thousand through the API is not what is tested), then credited."""
    await tiers.ensure_default_tiers()
    regular = await tiers.lowest_tier()
    now = api.clock.now()
    batch = uuid.uuid4().hex[:8]
    await Member.bulk_create([
        Member(code=codes.new_member_code(), phone_hash=f"rush-{batch}-{i}", phone_encrypted="x", phone_masked="x",
               name=f"Rush {i}", channel="APP", referral_code=f"{batch}{i:06d}", tier_id=regular.id, created_at=now,
               updated_at=now)
        for i in range(count)
    ], batch_size=500)
    members = list(await Member.filter(phone_hash__startswith=f"rush-{batch}-").order_by("id"))
    for start in range(0, count, 50):
        await all_at_once(*(
            ledger.credit(m.id, points, JournalKind.PURCHASE, reason="purchase", actor="test", clock=api.clock)
            for m in members[start:start + 50]
        ))
    return [Shopper(m.id, m.code, member_token(api, m.id)) for m in members]


async def redeem(mall: Mall, shopper: Shopper, item: dict, *, key: str | None = None, **fields) -> dict:
    """As a client does: TRY_AGAIN (a lock wait past lock_timeout on a busy machine) is retried with the same key."""
    key = key or new_key()
    for _ in range(5):
        result = await mall.redeem(shopper, item, key=key, **fields)
        if codes_of([result]) != ["TRY_AGAIN"]:
            break
    return result


async def charged(member_ids: list[int]) -> dict[int, int]:
    """REDEMPTION journals per member."""
    found = {member_id: 0 for member_id in member_ids}
    for redemption in await Redemption.filter(member_id__in=member_ids):
        found[redemption.member_id] += await PointsJournal.filter(  # type: ignore[attr-defined]
            kind=JournalKind.REDEMPTION, reference=f"redemption:{redemption.id}"
        ).count()
    return found


# ---- many members, few units ----------------------------------------------------------------------


async def rush(api, members: int, units: int, *, buckets: int = 1) -> float:
    mall = await Mall.open(api)
    item = await mall.item(name="Rush box", pointsPrice=100, stock=units, stockBuckets=buckets)
    shoppers = await many_members(api, members, 100)
    started = time.perf_counter()
    results = await all_at_once(*(redeem(mall, s, item) for s in shoppers))
    elapsed = time.perf_counter() - started

    winners = [s.id for s, r in zip(shoppers, results, strict=True) if r["errors"] == []]
    assert len(winners) == units
    assert codes_of(results) == ["OUT_OF_STOCK"] * (members - units)
    assert await units_left(item) == 0
    assert all(r["member"]["pointsBalance"] == 0 for r in results if r["errors"] == [])
    assert set((await charged([s.id for s in shoppers])).values()) <= {0, 1}
    assert sum((await charged(winners)).values()) == units
    assert {await ledger.balance(s.id) for s in shoppers if s.id not in set(winners)} == {100}
    assert await check_ledger() == []
    return elapsed


@requires_postgres()
async def test_a_thousand_members_rush_a_hundred_units(api):
    elapsed = await rush(api, 1000, 100)
    print(f"\n1,000 concurrent redemptions of 100 units: {elapsed:.2f} s")


async def test_members_rush_a_few_units(api):
    await rush(api, 40, 5)


@requires_postgres()
async def test_four_buckets_never_oversell_and_sum_to_the_stock(api):
    await _four_buckets(api, members=200, units=60)


async def test_four_buckets_never_oversell_small(api):
    await _four_buckets(api, members=30, units=12)


async def _four_buckets(api, *, members: int, units: int) -> None:
    mall = await Mall.open(api)
    item = await mall.item(name="Bucketed box", pointsPrice=10, stock=units, stockBuckets=4)
    shoppers = await many_members(api, members, 100)
    quantities = [1 + i % 3 for i in range(members)]  # 1, 2 or 3 units: some take from several buckets
    results = await all_at_once(*(redeem(mall, s, item, quantity=q) for s, q in zip(shoppers, quantities, strict=True)))
    taken = sum(q for q, r in zip(quantities, results, strict=True) if r["errors"] == [])
    assert taken <= units and set(codes_of(results)) <= {"OUT_OF_STOCK"}
    buckets = await MallStockBucket.filter(item_id=pk(item["id"])).values_list("remaining", flat=True)
    assert len(buckets) == 4 and min(buckets) >= 0 and sum(buckets) == units - taken
    assert units - taken < 3  # what is left cannot serve the smallest refused request
    assert sum(await Redemption.all().values_list("quantity", flat=True)) == taken
    assert await check_ledger() == []


# ---- one member, many requests --------------------------------------------------------------------


async def _retries_with_one_key(api, retries: int) -> None:
    mall = await Mall.open(api)
    item = await mall.item(pointsPrice=30, stock=10)
    shopper = await mall.member(balance=100)
    results = await all_at_once(*(redeem(mall, shopper, item, key="the-key") for _ in range(retries)))
    assert all(r["errors"] == [] for r in results)
    assert len({r["redemption"]["id"] for r in results}) == 1
    assert sum(not r["replayed"] for r in results) == 1
    assert await Redemption.all().count() == 1 and await ledger.balance(shopper.id) == 70 and await units_left(item) == 9
    assert await check_ledger() == []


@requires_postgres()
async def test_twenty_concurrent_retries_with_one_key_make_one_redemption(api):
    await _retries_with_one_key(api, 20)


async def test_concurrent_retries_with_one_key_make_one_redemption_small(api):
    await _retries_with_one_key(api, 5)


async def _one_member_many_redemptions(api, attempts: int, affordable: int) -> None:
    mall = await Mall.open(api)
    await mall.set(redeemAttemptsPerWindow=attempts)
    item = await mall.item(pointsPrice=10)
    shopper = await mall.member(balance=10 * affordable)
    results = await all_at_once(*(redeem(mall, shopper, item) for _ in range(attempts)))
    assert sum(r["errors"] == [] for r in results) == affordable
    assert codes_of(results) == ["INSUFFICIENT_POINTS"] * (attempts - affordable)
    assert await ledger.balance(shopper.id) == 0 and await check_ledger() == []


@requires_postgres()
async def test_fifty_concurrent_redemptions_by_a_member_with_points_for_ten(api):
    await _one_member_many_redemptions(api, 50, 10)


async def test_concurrent_redemptions_by_one_member_small(api):
    await _one_member_many_redemptions(api, 8, 3)


async def _limit_under_concurrency(api, attempts: int, limit: int) -> None:
    mall = await Mall.open(api)
    await mall.set(redeemAttemptsPerWindow=attempts)
    item = await mall.item(pointsPrice=1, perMemberLimit=limit, limitPeriod="DAY")
    shopper = await mall.member(balance=1000)
    results = await all_at_once(*(redeem(mall, shopper, item) for _ in range(attempts)))
    assert sum(r["errors"] == [] for r in results) == limit
    assert codes_of(results) == ["MEMBER_LIMIT_REACHED"] * (attempts - limit)
    assert (await MallMemberQuota.get()).used == limit and await ledger.balance(shopper.id) == 1000 - limit


@requires_postgres()
async def test_per_member_limit_holds_under_concurrency(api):
    await _limit_under_concurrency(api, 40, 3)


async def test_per_member_limit_holds_under_concurrency_small(api):
    await _limit_under_concurrency(api, 6, 2)


async def test_a_flooding_member_is_rate_limited(api):
    mall = await Mall.open(api)
    await mall.set(redeemAttemptsPerWindow=5)
    item = await mall.item(pointsPrice=1)
    shopper = await mall.member(balance=1000)
    results = await all_at_once(*(mall.redeem(shopper, item) for _ in range(12)))
    assert sum(r["errors"] == [] for r in results) == 5 and codes_of(results) == ["RATE_LIMITED"] * 7


# ---- the counter ----------------------------------------------------------------------------------


async def _write_offs(api, clerks: int) -> None:
    mall = await Mall.open(api)
    item = await mall.item(pointsPrice=5)
    shopper = await mall.member(balance=100)
    code = (await mall.redeem(shopper, item, storeId=mall.store_gid))["redemption"]["code"]
    results = await all_at_once(*(mall.fulfil(code) for _ in range(clerks)))
    assert sum(r["errors"] == [] for r in results) == 1
    assert codes_of(results) == ["ALREADY_FULFILLED"] * (clerks - 1)
    assert {r["redemption"]["status"] for r in results} == {"FULFILLED"}


@requires_postgres()
async def test_fulfilment_happens_once_however_many_scan_the_code(api):
    await _write_offs(api, 20)


async def test_fulfilment_happens_once_small(api):
    await _write_offs(api, 4)


async def test_hundred_write_offs_at_the_same_moment_all_succeed(api):
    mall = await Mall.open(api)
    item = await mall.item(pointsPrice=1)
    shoppers = await many_members(api, 100 if ON_POSTGRES else 20, 10)
    made = await all_at_once(*(redeem(mall, s, item, storeId=mall.store_gid) for s in shoppers))
    results = await all_at_once(*(mall.fulfil(r["redemption"]["code"]) for r in made))
    assert all(r["errors"] == [] and r["redemption"]["status"] == "FULFILLED" for r in results)


async def test_cancel_racing_fulfilment_undoes_or_hands_out_never_both(api):
    mall = await Mall.open(api)
    item = await mall.item(pointsPrice=40, stock=5)
    shopper = await mall.member(balance=100)
    redemption = (await mall.redeem(shopper, item, storeId=mall.store_gid))["redemption"]
    fulfilled, cancelled = await all_at_once(mall.fulfil(redemption["code"]), mall.cancel(redemption["id"], shopper.token))
    assert [fulfilled["errors"] == [], cancelled["errors"] == []].count(True) == 1
    status = (await Redemption.get(id=pk(redemption["id"]))).status
    if status == "FULFILLED":
        assert await ledger.balance(shopper.id) == 60 and await units_left(item) == 4
    else:
        assert status == "CANCELLED" and await ledger.balance(shopper.id) == 100 and await units_left(item) == 5
    assert await check_ledger() == []


# ---- contention becomes a payload error -------------------------------------------------------------


def _dsn(settings) -> str:
    return settings.database_url.replace("postgres://", "postgresql://", 1)


@requires_postgres()
async def test_a_lock_timeout_answers_try_again_and_changes_nothing(api, settings):
    mall = await Mall.open(api)
    item = await mall.item(pointsPrice=10, stock=3)
    shopper = await mall.member(balance=100)
    holder = await asyncpg.connect(_dsn(settings))
    try:
        transaction = holder.transaction()
        await transaction.start()
        await holder.execute("SELECT * FROM mall_stock_bucket WHERE item_id = $1 FOR UPDATE", pk(item["id"]))
        blocked = await mall.redeem(shopper, item)  # waits lock_timeout (2 s) on the bucket, then gives up
        await transaction.rollback()
    finally:
        await holder.close()
    assert codes_of([blocked]) == ["TRY_AGAIN"] and blocked["redemption"] is None
    assert await ledger.balance(shopper.id) == 100 and await Redemption.all().count() == 0
    assert (await mall.redeem(shopper, item))["errors"] == []
    assert await check_ledger() == []
