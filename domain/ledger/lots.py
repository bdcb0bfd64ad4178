"""Lots: points credited together, spent oldest expiry first, each use recorded as a consumption.

A lot's `remaining` changes only by conditional UPDATEs, and only under its account's lock.
"""

from __future__ import annotations

from datetime import datetime

from domain.ledger import fifo
from domain.ledger.errors import LedgerInconsistency
from domain.ledger.models import LotStatus, PointsLot
from infra import db

OPEN_STATUSES = (LotStatus.PENDING, LotStatus.AVAILABLE)

Take = tuple[PointsLot, int]


async def create(
    conn,
    *,
    account_id: int,
    journal_id: int,
    amount: int,
    status: LotStatus,
    earned_at: datetime,
    available_at: datetime,
    expires_at: datetime,
    source_lot_id: int | None = None,
) -> PointsLot:
    return await PointsLot.create(
        using_db=conn,
        account_id=account_id,
        journal_id=journal_id,
        source_lot_id=source_lot_id,
        original=amount,
        remaining=amount,
        status=str(status),
        earned_at=earned_at,
        available_at=available_at,
        expires_at=expires_at,
    )


async def read_open(conn, account_id: int) -> list[PointsLot]:
    """The account's lots that still hold points (pending, available, overdue too), in id order.

    The caller holds the account's lock, which every change to its lots takes first, so the
    lots need no row locks of their own: no other transaction changes them until the commit.
    """
    rows = await db.fetch(
        "SELECT * FROM points_lot WHERE account_id = $1 AND status IN ($2, $3) AND remaining > 0 ORDER BY id",
        account_id, *map(str, OPEN_STATUSES), connection=conn,
    )
    return [PointsLot._init_from_db(**row) for row in rows]


SPEND_READ_AHEAD = 3  # lots a spend reads first: a member holds about 7 open ones, a redemption spends from 1 or 2


async def read_for_spending(conn, account_id: int, amount: int, now: datetime) -> list[PointsLot]:
    """The account's spendable lots in spending order, read only as far as a spend of `amount` needs.

    The first SPEND_READ_AHEAD available lots by expiry usually hold enough; when they do not
    (they were few, small, or expired and not yet swept), every open lot is read. The caller
    holds the account's lock, as for `read_open`.
    """
    rows = await db.fetch(
        "SELECT * FROM points_lot WHERE account_id = $1 AND status = $2 AND remaining > 0 ORDER BY expires_at, id LIMIT $3",
        account_id, str(LotStatus.AVAILABLE), SPEND_READ_AHEAD, connection=conn,
    )
    first = fifo.spendable((PointsLot._init_from_db(**row) for row in rows), now)
    if len(rows) < SPEND_READ_AHEAD or sum(lot.remaining for lot in first) >= amount:
        return first
    return fifo.spendable(await read_open(conn, account_id), now)


async def spend_oldest_first(conn, journal_id: int, account_id: int, amount: int, now: datetime) -> int:
    """Take up to `amount` points from the account's spendable lots, oldest expiry first, recording each
    consumption on the journal; returns the points taken, less than `amount` when the lots fall short.

    SQLite's way, with no data-modifying CTEs: the lots are read, then taken (PostgreSQL runs
    fifo.SPEND_TAKES). The caller holds the account's lock, as for `read_open`, and undoes the spend
    when it falls short.
    """
    takes = fifo.plan(await read_for_spending(conn, account_id, amount, now), amount)
    await take(conn, journal_id, takes)
    return fifo.total(takes)


async def take(conn, journal_id: int, takes: list[Take]) -> None:
    for lot, taken in takes:
        changed = await db.execute(
            "UPDATE points_lot SET remaining = remaining - $1 WHERE id = $2 AND remaining >= $1",
            taken, lot.id, connection=conn,
        )
        if changed != 1:
            raise LedgerInconsistency(f"lot {lot.id} does not hold {taken} points")
        lot.remaining -= taken
    await _record(conn, journal_id, takes)


async def expire(conn, journal_id: int, lots: list[PointsLot]) -> None:
    """Empty the lots into the journal; their points leave the member for good."""
    takes = [(lot, lot.remaining) for lot in lots]
    for lot, taken in takes:
        changed = await db.execute(
            "UPDATE points_lot SET remaining = 0, status = $1 WHERE id = $2 AND remaining = $3",
            str(LotStatus.EXPIRED), lot.id, taken, connection=conn,
        )
        if changed != 1:
            raise LedgerInconsistency(f"lot {lot.id} changed under its account lock")
    await _record(conn, journal_id, takes)


async def release(conn, lot: PointsLot) -> None:
    changed = await db.execute(
        "UPDATE points_lot SET status = $1 WHERE id = $2 AND status = $3",
        str(LotStatus.AVAILABLE), lot.id, str(LotStatus.PENDING), connection=conn,
    )
    if changed != 1:
        raise LedgerInconsistency(f"lot {lot.id} is no longer pending")


async def _record(conn, journal_id: int, takes: list[Take]) -> None:
    await db.insert_rows(
        "lot_consumption", ("journal_id", "lot_id", "amount"),
        [(journal_id, lot.id, taken) for lot, taken in takes if taken], connection=conn,
    )
