"""Stock of limited items, spread over buckets so a rush does not queue on one row.

An item's stock is the sum of its buckets (bucket_no 0 .. stock_buckets - 1), each a row with
CHECK remaining >= 0. A redemption decrements one random bucket that holds enough, by a
conditional UPDATE, and tries the others when it loses a race; only a quantity that no single
bucket holds is taken from several, in bucket order. A restock fills the lowest buckets first,
so they end even; a cancelled redemption gives its units back to a random one.

Lock order: stock buckets are the last rows a redemption or a cancellation locks, right before
it commits, so a hot bucket is held only for that last statement and the commit.

A sold-out item is remembered in the cache for a few seconds, so the rush after the last unit
answers OUT_OF_STOCK without touching the buckets. A restock or a cancellation forgets it; the
short life of the flag bounds how long a race with a restock can hide new stock. Each worker
reuses the flag it read for a second (SOLD_OUT_FRESH_FOR): another worker's restock reaches it
that much later, and a worker that has not seen the flag yet only lets the database answer.
"""

from __future__ import annotations

import random

from domain.mall.cache_slots import bounded
from domain.mall.models import MallStockBucket
from infra import cache, db, dialect

SOLD_OUT_TTL = 5.0
SOLD_OUT_FRESH_FOR = 1.0  # how long a worker reuses the flag it read (see cache.get_hint)


def spread(total: int, buckets: int) -> list[int]:
    """`total` units over `buckets` buckets, as even as whole units allow (the first ones get the rest)."""
    share, rest = divmod(total, buckets)
    return [share + (1 if i < rest else 0) for i in range(buckets)]


async def _received(conn, item_id: int, quantity: int) -> None:
    await db.execute(
        "UPDATE mall_item SET stock_received = stock_received + $1 WHERE id = $2", quantity, item_id, connection=conn
    )


async def create_buckets(conn, item_id: int, buckets: int, total: int) -> None:
    await _received(conn, item_id, total)
    await MallStockBucket.bulk_create(
        [MallStockBucket(item_id=item_id, bucket_no=i, remaining=units) for i, units in enumerate(spread(total, buckets))],
        using_db=conn,
    )


async def remaining(item_ids: list[int], *, connection=None) -> dict[int, int]:
    """Units left per item; an item without buckets has none."""
    found = {item_id: 0 for item_id in item_ids}
    if not item_ids:
        return found
    marks = ", ".join(f"${i + 1}" for i in range(len(item_ids)))
    rows = await db.fetch(
        f"SELECT item_id, COALESCE(SUM(remaining), 0) AS units FROM mall_stock_bucket WHERE item_id IN ({marks}) GROUP BY item_id",
        *item_ids, connection=connection,
    )
    for row in rows:
        found[row["item_id"]] = int(row["units"])
    return found


async def levels(item_id: int, *, connection=None) -> dict[int, int]:
    """Units per bucket (committed values: a plain read, it locks nothing)."""
    rows = await db.fetch(
        "SELECT bucket_no, remaining FROM mall_stock_bucket WHERE item_id = $1", item_id, connection=connection
    )
    return {row["bucket_no"]: int(row["remaining"]) for row in rows}


def plan(bucket_levels: dict[int, int], quantity: int) -> list[int]:
    """Buckets that held `quantity` units when last read, in random order: where a take tries first."""
    fitting = [bucket_no for bucket_no, units in bucket_levels.items() if units >= quantity]
    random.shuffle(fitting)
    return fitting


GUESSES = 2


def guess(buckets: int) -> list[int]:
    """Buckets to try first, unread: two at random (a rush spreads over them and rarely finds one empty).

    Reading the levels first would cost every redemption a statement; `take` reads them only
    when both guesses fail.
    """
    return random.sample(range(buckets), min(GUESSES, buckets))


# The one conditional decrement of a bucket: with placeholders in `_decrement`, with integers in `_TAKE_OR_FAIL`.
_DECREMENT = (
    "UPDATE mall_stock_bucket SET remaining = remaining - {units} WHERE item_id = {item_id} AND bucket_no = {bucket_no}"
    " AND remaining >= {units}"
)
_DECREMENT_PARAMS = _DECREMENT.format(item_id="$1", bucket_no="$2", units="$3")


async def _decrement(conn, item_id: int, bucket_no: int, units: int) -> bool:
    changed = await db.execute(_DECREMENT_PARAMS, item_id, bucket_no, units, connection=conn)
    return changed == 1


async def take(conn, item_id: int, quantity: int, planned: list[int]) -> bool:
    """Take `quantity` units inside the caller's transaction; False when the item does not hold them.

    The planned buckets are a guess or come from an earlier read, so the common case is a
    single UPDATE. A failed conditional UPDATE locks nothing, so trying another bucket is safe.
    """
    for bucket_no in planned:
        if await _decrement(conn, item_id, bucket_no, quantity):
            return True
    fresh = await levels(item_id, connection=conn)
    for bucket_no in plan({b: u for b, u in fresh.items() if b not in planned}, quantity):
        if await _decrement(conn, item_id, bucket_no, quantity):
            return True
    return await _take_across(conn, item_id, quantity, fresh)


# Fails with division_by_zero (22012) when no row holds the units, so the COMMIT sent with it is skipped.
_TAKE_OR_FAIL = f"WITH taken AS ({_DECREMENT} RETURNING 1) SELECT 1 / COUNT(*) FROM taken"
_DIVISION_BY_ZERO = "22012"


async def take_and_commit(conn, item_id: int, quantity: int, planned: list[int]) -> bool:
    """`take` as the transaction's last write; True when the units are taken.

    On PostgreSQL the first planned bucket's UPDATE goes out with the COMMIT in one message
    (db.commit_with), so a hot bucket's row lock is held for no round trip; when that bucket
    misses, a savepoint set in the same message lets `take` try the others, and the caller's
    transaction commits as usual. On SQLite this is `take`.
    """
    if not dialect.current().commit_in_one_message or not planned:
        return await take(conn, item_id, quantity, planned)
    first, *others = planned
    statement = _TAKE_OR_FAIL.format(units=int(quantity), item_id=int(item_id), bucket_no=int(first))
    try:
        await db.commit_with(conn, f"SAVEPOINT stock_take; {statement}", failed_sqlstate=_DIVISION_BY_ZERO)
        return True
    except db.LastStatementFailed:
        await db.execute("ROLLBACK TO SAVEPOINT stock_take", connection=conn)
    return await take(conn, item_id, quantity, others)


async def _take_across(conn, item_id: int, quantity: int, bucket_levels: dict[int, int]) -> bool:
    """A quantity no single bucket holds, from several, in bucket order; the caller rolls back on False."""
    if sum(bucket_levels.values()) < quantity:
        return False
    needed = quantity
    for bucket_no in sorted(bucket_levels):
        part = min(bucket_levels[bucket_no], needed)
        if part and await _decrement(conn, item_id, bucket_no, part):
            needed -= part
            if needed == 0:
                return True
    return False


async def give_back(conn, item_id: int, quantity: int, buckets: int) -> None:
    changed = await db.execute(
        "UPDATE mall_stock_bucket SET remaining = remaining + $3 WHERE item_id = $1 AND bucket_no = $2",
        item_id, random.randrange(buckets), quantity, connection=conn,
    )
    if changed != 1:
        raise RuntimeError(f"item {item_id} has no stock bucket to give {quantity} units back to")


def fill(bucket_levels: dict[int, int], quantity: int) -> dict[int, int]:
    """Units to add per bucket so the buckets end as even as whole units allow (the lowest filled first)."""
    order = sorted(bucket_levels, key=lambda b: (bucket_levels[b], b))
    below = 0  # units in the k lowest buckets
    for k in range(1, len(order) + 1):
        below += bucket_levels[order[k - 1]]
        next_level = bucket_levels[order[k]] if k < len(order) else None
        if next_level is None or next_level * k - below > quantity:
            level, rest = divmod(quantity + below, k)
            return {b: level - bucket_levels[b] + (1 if j < rest else 0) for j, b in enumerate(order[:k])}
    return {}


async def restock(conn, item_id: int, quantity: int) -> None:
    """Add units, evening the buckets out. Relative increments, in bucket order: a rush may go on meanwhile."""
    await _received(conn, item_id, quantity)
    for bucket_no, units in sorted(fill(await levels(item_id, connection=conn), quantity).items()):
        if units:
            await db.execute(
                "UPDATE mall_stock_bucket SET remaining = remaining + $3 WHERE item_id = $1 AND bucket_no = $2",
                item_id, bucket_no, units, connection=conn,
            )


async def rebalance(conn, item_id: int, buckets: int) -> None:
    """Spread the stock over a new number of buckets.

    Every bucket of the item is locked first (in bucket order), so the units read are exactly
    the units there while the rows are rewritten.
    """
    locked = list(
        await MallStockBucket.filter(item_id=item_id).order_by("bucket_no").select_for_update().using_db(conn)
    )
    total = sum(bucket.remaining for bucket in locked)
    await MallStockBucket.filter(item_id=item_id).using_db(conn).delete()
    await create_buckets(conn, item_id, buckets, total)


# ---- the sold-out flag ----------------------------------------------------------------------


def _flag_key(item_id: int) -> str:
    return f"mall:sold-out:{item_id}"


async def known_sold_out(item_id: int) -> bool:
    async with bounded:
        return bool(await cache.get_hint(_flag_key(item_id), fresh_for=SOLD_OUT_FRESH_FOR))


async def note_if_sold_out(item_id: int) -> bool:
    if (await remaining([item_id]))[item_id] > 0:
        return False
    async with bounded:
        await cache.put(_flag_key(item_id), True, ttl=SOLD_OUT_TTL)
    return True


async def forget_sold_out(item_id: int) -> None:
    async with bounded:
        await cache.delete(_flag_key(item_id))
