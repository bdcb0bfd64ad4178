"""Journals and their entries: one business event, booked as lines that sum to zero."""

from __future__ import annotations

from datetime import datetime

from domain import db
from domain.ledger import accounts, lots
from domain.ledger.errors import LedgerInconsistency
from domain.ledger.models import JournalKind, PointsJournal, SystemAccount


async def open_journal(
    conn,
    *,
    kind: JournalKind,
    reason: str,
    actor: str,
    store_id: int | None,
    reference: str | None,
    occurred_at: datetime,
    now: datetime,
    reverses_id: int | None = None,
    debt_change: int = 0,
) -> PointsJournal:
    rows = await db.fetch(
        "INSERT INTO points_journal (kind, reason, actor, store_id, reference, reverses_id, debt_change, occurred_at, created_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *",
        str(kind), reason, actor, store_id, reference, reverses_id, debt_change, occurred_at, now, connection=conn,
    )
    return PointsJournal._init_from_db(**rows[0])


async def open_spending(
    conn, *, kind: JournalKind, reason: str, actor: str, store_id: int | None, reference: str | None,
    occurred_at: datetime, now: datetime, account_id: int, amount: int,
) -> tuple[PointsJournal, int]:
    """Open a journal and take up to `amount` points for it from the account's lots, oldest expiry
    first (lots.SPEND_TAKES; lots.spend_oldest_first on SQLite); the journal and the points taken.

    One statement on PostgreSQL: the journal's INSERT heads the lots' data-modifying CTE. The
    caller holds the account's lock and undoes the spend when it falls short.
    """
    if not db.is_postgres():
        journal = await open_journal(
            conn, kind=kind, reason=reason, actor=actor, store_id=store_id, reference=reference,
            occurred_at=occurred_at, now=now,
        )
        return journal, await lots.spend_oldest_first(conn, journal.id, account_id, amount, now)
    rows = await db.fetch(
        _OPEN_SPENDING, account_id, amount, now, str(kind), reason, actor, store_id, reference, occurred_at, connection=conn,
    )
    return PointsJournal._init_from_db(**rows[0]), int(rows[0]["spent"])


# $1 account, $2 points, $3 now (the journal's created_at), $4-$9 the journal's kind, reason, actor, store, reference, occurred_at
_OPEN_SPENDING = (
    "WITH journal AS (INSERT INTO points_journal (kind, reason, actor, store_id, reference, debt_change, occurred_at, created_at)"
    " VALUES ($4, $5, $6, $7, $8, 0, $9, $3) RETURNING *), " + lots.SPEND_TAKES + ","
    " consumed AS (INSERT INTO lot_consumption (journal_id, lot_id, amount)"
    " SELECT journal.id, taken.id, taken.amount FROM taken CROSS JOIN journal RETURNING amount)"
    " SELECT journal.*, (SELECT COALESCE(SUM(amount), 0) FROM consumed) AS spent FROM journal"
)


async def book(
    conn,
    journal: PointsJournal,
    *,
    member_id: int | None,
    member_account_id: int,
    member_amount: int,
    system: dict[SystemAccount, int],
    now: datetime,
) -> None:
    """Write the journal's entries and move the system balances.

    The system lines go to the shard rows of the member the journal is about
    (`accounts.shard_of(member_id)`), so writers for members of different shards do not
    queue on one shared row.

    The member account's own columns are the caller's business (balance, pending or debt).
    System balances change last but for the entries insert, because many members share each
    shard row: their locks are then held only until the commit that follows. Each system
    update returns its row's id, so finding the row costs no statement of its own.
    """
    if member_amount + sum(system.values()) != 0:
        raise LedgerInconsistency(f"journal {journal.id} does not balance: {member_amount} against {system}")
    moved = {code: amount for code, amount in system.items() if amount}
    if db.is_postgres() and member_amount and len(moved) == 1:
        [(code, amount)] = moved.items()
        await db.execute(
            _BOOK_ONE_SYSTEM_LINE, accounts.shard_code(code, accounts.shard_of(member_id)), amount, now, journal.id,
            member_account_id, member_amount, connection=conn,
        )
        return
    lines = [(member_account_id, member_amount)] if member_amount else []
    for code in sorted(moved):  # one lock order for shared rows, whatever the caller's dict order
        account_id = await accounts.add_to_system_balance(conn, code, moved[code], now=now, member_id=member_id)
        lines.append((account_id, moved[code]))
    await db.insert_rows(
        "points_entry", ("journal_id", "account_id", "amount", "created_at"),
        [(journal.id, account_id, amount, now) for account_id, amount in lines], connection=conn,
    )


# The common booking, one member line and one system line, as one statement on PostgreSQL: the
# system shard's upsert (accounts.UPSERT_SYSTEM_BALANCE) feeds its id to the entries' insert.
# $1 shard code, $2 system amount, $3 now, $4 journal, $5 member account, $6 member amount
_BOOK_ONE_SYSTEM_LINE = (
    f"WITH shard AS ({accounts.UPSERT_SYSTEM_BALANCE})"
    " INSERT INTO points_entry (journal_id, account_id, amount, created_at)"
    " VALUES ($4, $5, $6, $3), ($4, (SELECT id FROM shard), $2, $3)"
)
