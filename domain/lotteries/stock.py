"""Stock of limited prizes, on the mall's contention design (domain/mall/stock.py).

A limited prize's units are spread over the lottery's `stock_buckets` rows (CHECK remaining >= 0);
a draw that wins it takes one unit from a random bucket by a conditional UPDATE, the last
statement of its transaction, sent with the COMMIT in one message on PostgreSQL. The spread,
the guess of the buckets to try and db.commit_with are the mall's own.

Prize stock never comes back (a lottery is not restocked), so being sold out is final: the
ids of a lottery's sold-out prizes are kept in the cache and a draw knows a prize is sold
out without touching its rows. The list is rebuilt from the buckets each time a draw finds a
prize empty, so a lost update of the cache entry heals at the next such draw.
"""

from __future__ import annotations

from domain.lotteries.models import LotteryPrizeBucket
from domain.mall.cache_slots import bounded
from domain.mall.stock import guess, plan, spread
from infra import cache, db, dialect

SOLD_OUT_TTL = 24 * 3600.0  # sold out is final: the entry only needs to outlive the rush
SOLD_OUT_FRESH_FOR = 1.0  # how long a worker reuses the list it read

__all__ = ["guess"]


async def create_buckets(conn, prize_id: int, buckets: int, total: int) -> None:
    await LotteryPrizeBucket.bulk_create(
        [LotteryPrizeBucket(prize_id=prize_id, bucket_no=i, remaining=units) for i, units in enumerate(spread(total, buckets))],
        using_db=conn,
    )


async def remaining(prize_ids: list[int], *, connection=None) -> dict[int, int]:
    """Units left per prize; a prize without buckets (unlimited) is not in the answer."""
    if not prize_ids:
        return {}
    rows = await db.fetch(
        f"SELECT prize_id, COALESCE(SUM(remaining), 0) AS units FROM lottery_prize_bucket"
        f" WHERE prize_id IN ({db.placeholders(len(prize_ids))}) GROUP BY prize_id",
        *prize_ids, connection=connection,
    )
    return {row["prize_id"]: int(row["units"]) for row in rows}


_DECREMENT = (
    "UPDATE lottery_prize_bucket SET remaining = remaining - 1 WHERE prize_id = {prize_id} AND bucket_no = {bucket_no}"
    " AND remaining >= 1"
)
_DECREMENT_PARAMS = _DECREMENT.format(prize_id="$1", bucket_no="$2")
_TAKE_OR_FAIL = f"WITH taken AS ({_DECREMENT} RETURNING 1) SELECT 1 / COUNT(*) FROM taken"
_DIVISION_BY_ZERO = "22012"


async def _take(conn, prize_id: int, planned: list[int]) -> bool:
    for bucket_no in planned:
        if await db.execute(_DECREMENT_PARAMS, prize_id, bucket_no, connection=conn) == 1:
            return True
    rows = await db.fetch(
        "SELECT bucket_no, remaining FROM lottery_prize_bucket WHERE prize_id = $1", prize_id, connection=conn
    )
    fresh = {row["bucket_no"]: int(row["remaining"]) for row in rows if row["bucket_no"] not in planned}
    for bucket_no in plan(fresh, 1):
        if await db.execute(_DECREMENT_PARAMS, prize_id, bucket_no, connection=conn) == 1:
            return True
    return False


async def take_and_commit(conn, prize_id: int, planned: list[int]) -> bool:
    """One unit, as the transaction's last write; True when taken (and, on PostgreSQL, committed)."""
    if not dialect.current().commit_in_one_message or not planned:
        return await _take(conn, prize_id, planned)
    first, *others = planned
    statement = _TAKE_OR_FAIL.format(prize_id=int(prize_id), bucket_no=int(first))
    try:
        await db.commit_with(conn, f"SAVEPOINT prize_take; {statement}", failed_sqlstate=_DIVISION_BY_ZERO)
        return True
    except db.LastStatementFailed:
        await db.execute("ROLLBACK TO SAVEPOINT prize_take", connection=conn)
    return await _take(conn, prize_id, others)


# ---- the sold-out list ----------------------------------------------------------------------


def _flag_key(lottery_id: int) -> str:
    return f"lottery:sold-out:{lottery_id}"


async def known_sold_out(lottery_id: int) -> frozenset[int]:
    async with bounded:
        found = await cache.get_hint(_flag_key(lottery_id), fresh_for=SOLD_OUT_FRESH_FOR)
    return frozenset(found or ())


async def sold_out_now(lottery_id: int, *, connection=None) -> list[int]:
    """The lottery's limited prizes with no unit left, from the buckets."""
    rows = await db.fetch(
        "SELECT b.prize_id AS prize_id FROM lottery_prize_bucket b JOIN lottery_prize p ON p.id = b.prize_id"
        " WHERE p.lottery_id = $1 GROUP BY b.prize_id HAVING SUM(b.remaining) = 0 ORDER BY b.prize_id",
        lottery_id, connection=connection,
    )
    return [row["prize_id"] for row in rows]


async def note_sold_out(lottery_id: int) -> frozenset[int]:
    found = await sold_out_now(lottery_id)
    async with bounded:
        await cache.put(_flag_key(lottery_id), found, ttl=SOLD_OUT_TTL)
    return frozenset(found)


async def forget(lottery_id: int) -> None:
    async with bounded:
        await cache.delete(_flag_key(lottery_id))
