"""The stock step of a redemption, committed with its UPDATE (stock.take_and_commit): what a member sees
when the first bucket tried is empty, and when no bucket holds the units. On SQLite the same
redemptions take the plain path, with the same answers."""

from __future__ import annotations

import pytest

from domain.ledger.check import check_ledger
from domain.mall import stock
from domain.mall.models import MallStockBucket, Redemption
from tests.conftest import requires_postgres
from tests.test_mall import Mall, codes_of, pk, units_left


async def _two_buckets_first_one_empty(mall: Mall, monkeypatch) -> dict:
    item = await mall.item(pointsPrice=10, stock=1, stockBuckets=2)  # buckets hold 1 and 0
    empty = await MallStockBucket.get(item_id=pk(item["id"]), remaining=0)
    full = 1 - empty.bucket_no
    monkeypatch.setattr(stock, "guess", lambda buckets: [empty.bucket_no, full])
    return item


async def test_an_empty_first_bucket_falls_back_to_the_one_that_holds_the_unit(api, monkeypatch):
    mall = await Mall.open(api)
    item = await _two_buckets_first_one_empty(mall, monkeypatch)
    shopper = await mall.member(balance=100)

    result = await mall.redeem(shopper, item)

    assert result["errors"] == [] and result["member"] == {"pointsBalance": 90}
    assert await units_left(item) == 0
    assert await Redemption.filter(member_id=shopper.id).count() == 1
    assert await check_ledger() == []


async def test_when_no_bucket_holds_the_units_nothing_is_written(api, monkeypatch):
    mall = await Mall.open(api)
    item = await _two_buckets_first_one_empty(mall, monkeypatch)
    shopper = await mall.member(balance=100)

    too_many = await mall.redeem(shopper, item, quantity=2)

    assert codes_of([too_many]) == ["OUT_OF_STOCK"]
    assert await units_left(item) == 1
    assert await Redemption.filter(member_id=shopper.id).count() == 0
    balance = await api.data("{ me { pointsBalance } }", token=shopper.token)
    assert balance["me"]["pointsBalance"] == 100
    assert await check_ledger() == []


async def test_a_single_bucket_sold_out_answers_out_of_stock_and_keeps_the_points(api):
    mall = await Mall.open(api)
    item = await mall.item(pointsPrice=10, stock=1)
    first, second = await mall.member(balance=100), await mall.member(balance=100)

    assert (await mall.redeem(first, item))["errors"] == []
    sold_out = await mall.redeem(second, item)

    assert codes_of([sold_out]) == ["OUT_OF_STOCK"]
    assert await Redemption.filter(member_id=second.id).count() == 0
    assert (await api.data("{ me { pointsBalance } }", token=second.token))["me"]["pointsBalance"] == 100
    assert await check_ledger() == []


@requires_postgres("commit_with sends PostgreSQL's simple query protocol")
async def test_commit_with_ends_only_a_top_level_transaction():
    from infra import db

    async with db.transaction() as conn:
        async with db.transaction(conn) as savepoint:
            with pytest.raises(RuntimeError):
                await db.commit_with(savepoint, "SELECT 1", failed_sqlstate="22012")
        await db.commit_with(conn, "SELECT 1", failed_sqlstate="22012")
        assert conn._finalized


@requires_postgres("commit_with sends PostgreSQL's simple query protocol")
async def test_after_commit_with_the_connection_is_out_of_its_transaction_and_the_write_is_kept():
    """Through asyncpg's and PostgreSQL's public view: catches an upgrade that moves the private
    state commit_with updates (infra/db.py)."""
    from infra import db

    await db.execute("CREATE TABLE IF NOT EXISTS commit_with_probe (n integer)")
    async with db.transaction() as conn:
        await db.commit_with(conn, "INSERT INTO commit_with_probe VALUES (7)", failed_sqlstate="22012")
        async with conn.acquire_connection() as raw:
            assert not raw.is_in_transaction()
    async with db.transaction() as conn:  # the pool hands connections out as usual afterwards
        assert (await db.fetch("SELECT COUNT(*) AS n FROM commit_with_probe WHERE n = 7", connection=conn))[0]["n"] == 1
    await db.execute("DROP TABLE commit_with_probe")
