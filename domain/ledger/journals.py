"""Journals and their entries: one business event, booked as lines that sum to zero."""

from __future__ import annotations

from datetime import datetime

from domain.bounds import MAX_BALANCE
from domain.ledger import accounts, fifo, lots
from domain.ledger.errors import LedgerInconsistency
from domain.ledger.models import JournalKind, LotStatus, PointsJournal, SystemAccount
from infra import db, dialect


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


async def spend_and_book(
    conn, *, kind: JournalKind, reason: str, actor: str, store_id: int | None, reference: str | None,
    occurred_at: datetime, now: datetime, member_id: int, account_id: int, amount: int, counter: SystemAccount | str,
) -> tuple[PointsJournal, int]:
    """Open a spending journal, take up to `amount` points for it from the account's lots, oldest
    expiry first, and book it against the member's shard of `counter`; the journal and the points
    taken.

    One statement on PostgreSQL: the journal's INSERT heads the lots' data-modifying CTE
    (fifo.SPEND_TAKES) and the booking (`book`'s one-system-line form) follows it. SQLite takes the
    lots with lots.spend_oldest_first, then books. When the lots fall short, the booking may
    have been written too: the caller holds the account's lock and undoes the whole spend.
    """
    if not dialect.current().writable_ctes:
        journal = await open_journal(
            conn, kind=kind, reason=reason, actor=actor, store_id=store_id, reference=reference,
            occurred_at=occurred_at, now=now,
        )
        spent = await lots.spend_oldest_first(conn, journal.id, account_id, amount, now)
        if spent == amount:
            await book(
                conn, journal, member_id=member_id, member_account_id=account_id, member_amount=-amount,
                system={counter: amount}, now=now,
            )
        return journal, spent
    rows = await db.fetch(
        _SPEND_AND_BOOK, account_id, amount, now, str(kind), reason, actor, store_id, reference, occurred_at,
        accounts.shard_code(counter, accounts.shard_of(member_id)), connection=conn,
    )
    return PointsJournal._init_from_db(**rows[0]), int(rows[0]["spent"])


def _booking(*, account: str, member_amount: str, code: str, system_amount: str, now: str) -> str:
    """The CTEs that book the `journal` CTE's journal as `book` does with one system line: the
    member's line, and the system shard's upsert (accounts.upsert_system_balance) feeding its
    id to the other line. The arguments are the statement's placeholders or expressions of them."""
    return (
        f" shard AS ({accounts.upsert_system_balance(code, system_amount, now)}),"
        " entries AS (INSERT INTO points_entry (journal_id, account_id, amount, created_at)"
        f" SELECT journal.id, {account}, {member_amount}, {now} FROM journal"
        f" UNION ALL SELECT journal.id, shard.id, {system_amount}, {now} FROM journal CROSS JOIN shard)"
    )


def _opening(*, debt_change: str) -> str:
    """The `journal` CTE that heads spend_and_book's and earn_and_book's statements: the journal's
    INSERT with $3 now (its created_at) and $4-$9 its kind, reason, actor, store, reference and
    occurred_at, as both number them."""
    return (
        "WITH journal AS (INSERT INTO points_journal (kind, reason, actor, store_id, reference, debt_change, occurred_at, created_at)"
        f" VALUES ($4, $5, $6, $7, $8, {debt_change}, $9, $3) RETURNING *)"
    )


# $1 account, $2 points, $3 now (the journal's created_at), $4-$9 the journal's kind, reason, actor,
# store, reference, occurred_at, $10 the system shard's code
_SPEND_AND_BOOK = (
    _opening(debt_change="0") + ", " + fifo.SPEND_TAKES + ","
    " consumed AS (INSERT INTO lot_consumption (journal_id, lot_id, amount)"
    " SELECT journal.id, taken.id, taken.amount FROM taken CROSS JOIN journal RETURNING amount),"
    + _booking(account="$1", member_amount="-$2::bigint", code="$10", system_amount="$2::bigint", now="$3")
    + " SELECT journal.*, (SELECT COALESCE(SUM(amount), 0) FROM consumed) AS spent FROM journal"
)


async def earn_and_book(
    conn, *, kind: JournalKind, reason: str, actor: str, store_id: int | None, reference: str | None,
    occurred_at: datetime, now: datetime, member_id: int, account_id: int, amount: int, counter: SystemAccount,
    settled: int, status: LotStatus, available_at: datetime, expires_at: datetime,
) -> PointsJournal:
    """Open an earning journal for `amount` points, of which `settled` pay the member's debt and
    the rest become a new lot of `status`; move the account's columns and book it against the
    member's shard of `counter` (which gives the points).

    One statement on PostgreSQL; SQLite opens, creates the lot, shifts and books one by one. The
    caller holds the account's lock, read the debt under it, checked that the points fit
    (accounts.check_room: the update refuses a balance past MAX_BALANCE too), and undoes the
    whole credit on any error.
    """
    kept = amount - settled
    in_balance = kept if status == LotStatus.AVAILABLE else 0
    if not dialect.current().writable_ctes:
        journal = await open_journal(
            conn, kind=kind, reason=reason, actor=actor, store_id=store_id, reference=reference,
            occurred_at=occurred_at, now=now, debt_change=-settled,
        )
        if kept:
            await lots.create(
                conn, account_id=account_id, journal_id=journal.id, amount=kept, status=status,
                earned_at=occurred_at, available_at=available_at, expires_at=expires_at,
            )
        await accounts.shift(conn, account_id, balance=in_balance, pending=kept - in_balance, debt=-settled)
        await book(
            conn, journal, member_id=member_id, member_account_id=account_id, member_amount=amount,
            system={counter: -amount}, now=now,
        )
        return journal
    rows = await db.fetch(
        _EARN_AND_BOOK, account_id, amount, now, str(kind), reason, actor, store_id, reference, occurred_at, -settled,
        kept, str(status), available_at, expires_at, in_balance, kept - in_balance,
        accounts.shard_code(counter, accounts.shard_of(member_id)), connection=conn,
    )
    if not rows[0]["moved"]:
        raise LedgerInconsistency(f"account {account_id} cannot settle {settled} of debt or hold {kept} more points")
    return PointsJournal._init_from_db(**rows[0])


# $1 account, $2 points, $3 now, $4-$9 the journal's kind, reason, actor, store, reference,
# occurred_at (the lot's earned_at too), $10 the debt's change (minus the points settled), $11 the
# lot's points (none: no lot), $12 its status, $13 available_at, $14 expires_at, $15 and $16 the
# balance's and the pending balance's change, $17 the system shard's code
_EARN_AND_BOOK = (
    _opening(debt_change="$10") + ","
    " lot AS (INSERT INTO points_lot (account_id, journal_id, original, remaining, status, earned_at, available_at, expires_at)"
    " SELECT $1::bigint, journal.id, $11::bigint, $11::bigint, $12::varchar, $9, $13::timestamptz, $14::timestamptz"
    " FROM journal WHERE $11::bigint > 0),"
    " moved AS (UPDATE points_account SET balance = balance + $15::bigint, pending_balance = pending_balance + $16::bigint,"
    " debt = debt + $10 WHERE id = $1 AND debt + $10 >= 0"
    f" AND balance + $15::bigint + pending_balance + $16::bigint <= {MAX_BALANCE} RETURNING id),"
    + _booking(account="$1", member_amount="$2::bigint", code="$17", system_amount="-$2::bigint", now="$3")
    + " SELECT journal.*, (SELECT COUNT(*) FROM moved) AS moved FROM journal"
)


async def book(
    conn,
    journal: PointsJournal,
    *,
    member_id: int | None,
    member_account_id: int,
    member_amount: int,
    system: dict[SystemAccount, int] | dict[SystemAccount | str, int],
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
    if dialect.current().writable_ctes and member_amount and len(moved) == 1:
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


# The common booking, one member line and one system line, as one statement on PostgreSQL
# (_booking, for a journal given by its id).
# $1 shard code, $2 system amount, $3 now, $4 journal, $5 member account, $6 member amount
_BOOK_ONE_SYSTEM_LINE = (
    "WITH journal AS (SELECT $4::bigint AS id),"
    + _booking(account="$5::bigint", member_amount="$6::bigint", code="$1", system_amount="$2::bigint", now="$3")
    + " SELECT 1 AS booked"
)
