"""Points accounts: finding or opening them, locking them, changing their stored columns.

Columns change only by relative, conditional UPDATEs, never by writing back a value read in
Python, so concurrent writers cannot overwrite each other or push a guarded column below zero.

System accounts are sharded: each `SystemAccount` is spread over `SYSTEM_SHARDS` ordinary
SYSTEM rows, so that concurrent writers for different members do not all queue on one row.
A journal books on the shard of the member it is about (`member_id % SYSTEM_SHARDS`, shard 0
without a member). Shard 0's code is the plain code (`REDEEMED`), which is also the row of
databases from before sharding; shards 1..N-1 are `REDEEMED#01` ... `REDEEMED#15`. Each shard
row's balance is the sum of its own entries (S1); the account's balance is the sum over its
shards (`system_balance`). SYSTEM_SHARDS may grow but must never shrink: `system_balance`
reads only the codes of shards below it.

Besides the `SystemAccount` codes, a context may keep accounts of its own under a plain string
code, sharded the same way: a charity project's account is `CHARITY-<id>` (domain/donations).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.bounds import MAX_BALANCE
from domain.ledger.errors import LedgerError, LedgerErrorCode, LedgerInconsistency
from domain.ledger.models import PointsAccount, SystemAccount
from domain.members.models import Member
from infra import db, dialect


async def member_account_id(conn, member_id: int) -> int | None:
    rows = await db.fetch("SELECT id FROM points_account WHERE member_id = $1", member_id, connection=conn)
    return rows[0]["id"] if rows else None


async def open_member_account(conn, member_id: int, *, now: datetime) -> int:
    """The member's account id, the account opened on first use."""
    found = await member_account_id(conn, member_id)
    if found is not None:
        return found
    if not await Member.filter(id=member_id).using_db(conn).exists():
        raise LedgerError(LedgerErrorCode.MEMBER_NOT_FOUND, "There is no such member.", field="memberId")
    await db.execute(
        "INSERT INTO points_account (kind, member_id, balance, pending_balance, debt, created_at)"
        " VALUES ('MEMBER', $1, 0, 0, 0, $2) ON CONFLICT (member_id) DO NOTHING",
        member_id, now, connection=conn,
    )
    rows = await db.fetch("SELECT id FROM points_account WHERE member_id = $1", member_id, connection=conn)
    return rows[0]["id"]


SYSTEM_SHARDS = 16
SHARD_SEPARATOR = "#"


def shard_of(member_id: int | None) -> int:
    """The shard a journal about this member books on; shard 0 for a journal without a member."""
    return member_id % SYSTEM_SHARDS if member_id is not None else 0


def shard_code(code: SystemAccount | str, shard: int) -> str:
    """The stored code of one shard row: the plain code for shard 0, `CODE#nn` for the others."""
    if not 0 <= shard < SYSTEM_SHARDS:
        raise ValueError(f"there is no shard {shard} of {code}")
    return str(code) if shard == 0 else f"{code}{SHARD_SEPARATOR}{shard:02d}"


def shard_codes(code: SystemAccount | str) -> list[str]:
    """The stored codes of every shard row of a system account, shard 0 first."""
    return [shard_code(code, shard) for shard in range(SYSTEM_SHARDS)]


def base_code(stored_code: str) -> SystemAccount | str:
    """The system account a stored shard code belongs to: `REDEEMED#03` -> REDEEMED; a context's
    own account keeps its plain code (`CHARITY-7#03` -> `CHARITY-7`)."""
    head = stored_code.partition(SHARD_SEPARATOR)[0]
    try:
        return SystemAccount(head)
    except ValueError:
        return head


async def system_account_id(conn, code: SystemAccount, *, now: datetime, member_id: int | None = None) -> int:
    """The id of the shard row of `code` for the member (shard 0 without one).

    Shard rows are opened on first use, so an emptied database needs no seed data; this is the
    upsert of `add_to_system_balance` moving nothing.
    """
    return await add_to_system_balance(conn, code, 0, now=now, member_id=member_id)


async def system_balance(code: SystemAccount | str, *, connection=None) -> int:
    """A system account's balance: the sum over its shard rows (0 when none is opened yet)."""
    codes = shard_codes(code)
    rows = await db.fetch(
        "SELECT COALESCE(SUM(balance), 0) AS total FROM points_account"
        f" WHERE kind = 'SYSTEM' AND code IN ({db.placeholders(len(codes))})",
        *codes, connection=connection,
    )
    return int(rows[0]["total"])


async def lock(conn, account_id: int) -> PointsAccount:
    """Lock a member account row for the rest of the transaction (PostgreSQL; SQLite runs one writer).

    Every change to a member's lots and columns first takes this lock, so it serializes them.
    """
    return await PointsAccount.filter(id=account_id).select_for_update(no_key=True).using_db(conn).get()


@dataclass(frozen=True)
class MemberAmounts:
    """A member account's id and amounts at one moment, as a write left them."""

    account_id: int
    balance: int
    pending: int
    debt: int


async def lock_member_account(conn, member_id: int, *, now: datetime) -> MemberAmounts:
    """The member's account, locked for the rest of the transaction and opened on first use.

    One statement when the account exists: it is found and locked by member, not found by one
    statement and locked by another.
    """
    query = _LOCK_MEMBER_ACCOUNT + dialect.current().lock("NO KEY UPDATE")
    rows = await db.fetch(query, member_id, connection=conn)
    if not rows:
        await open_member_account(conn, member_id, now=now)
        rows = await db.fetch(query, member_id, connection=conn)
    return _amounts(rows[0])


def _amounts(row: dict) -> MemberAmounts:
    return MemberAmounts(row["id"], int(row["balance"]), int(row["pending_balance"]), int(row["debt"]))


_LOCK_MEMBER_ACCOUNT = "SELECT id, balance, pending_balance, debt FROM points_account WHERE member_id = $1"


async def withdraw(conn, member_id: int, amount: int) -> MemberAmounts | None:
    """Take points from the member's spendable balance if, and only if, it holds that many.

    Returns the account as the withdrawal left it, None when the member has no account or too
    few points. One statement finds the account, guards the overdraft and takes the account lock.
    """
    rows = await db.fetch(
        "UPDATE points_account SET balance = balance - $1 WHERE member_id = $2 AND balance >= $1"
        " RETURNING id, balance, pending_balance, debt",
        amount, member_id, connection=conn,
    )
    if not rows:
        return None
    return _amounts(rows[0])


def check_room(before: MemberAmounts | PointsAccount, *, adding: int = 0, owing: int = 0) -> None:
    """BALANCE_LIMIT_EXCEEDED unless the locked account can take `adding` more points held
    (balance + pending) and `owing` more debt and stay within MAX_BALANCE (domain/bounds.py).
    The guarded updates refuse it anyway; this says so as a typed error before anything is written."""
    held = before.balance + (before.pending if isinstance(before, MemberAmounts) else before.pending_balance)
    if held + adding > MAX_BALANCE or before.debt + owing > MAX_BALANCE:
        raise past_the_limit()


def past_the_limit() -> LedgerError:
    return LedgerError(
        LedgerErrorCode.BALANCE_LIMIT_EXCEEDED,
        f"A member holds and owes at most {MAX_BALANCE:,} points; this would take them past it.",
    )


async def shift(conn, account_id: int, *, balance: int = 0, pending: int = 0, debt: int = 0) -> None:
    """Add signed amounts to a locked member account. None of its columns may go below zero, or
    past MAX_BALANCE (the caller checks that first: `check_room`)."""
    if not (balance or pending or debt):
        return
    changed = await db.execute(
        "UPDATE points_account SET balance = balance + $1, pending_balance = pending_balance + $2, debt = debt + $3"
        " WHERE id = $4 AND balance + $1 >= 0 AND pending_balance + $2 >= 0 AND debt + $3 >= 0"
        f" AND balance + $1 + pending_balance + $2 <= {MAX_BALANCE} AND debt + $3 <= {MAX_BALANCE}",
        balance, pending, debt, account_id, connection=conn,
    )
    if changed != 1:
        raise LedgerInconsistency(f"account {account_id} cannot take {balance=} {pending=} {debt=}")


async def add_to_system_balance(conn, code: SystemAccount | str, amount: int, *, now: datetime, member_id: int | None) -> int:
    """Move the balance of the member's shard row of `code`; returns the row's id.

    One statement (an upsert) finds the row, locks it and changes it, and opens it on first use.
    """
    rows = await db.fetch(UPSERT_SYSTEM_BALANCE, shard_code(code, shard_of(member_id)), amount, now, connection=conn)
    return rows[0]["id"]


def upsert_system_balance(code: str = "$1", amount: str = "$2", now: str = "$3") -> str:
    """The statement that adds `amount` to a system shard row by its `code`, opening the row at
    `now` on first use, and returns its id: the three are placeholders, so a longer statement
    can embed it with its own numbering."""
    return (
        "INSERT INTO points_account (kind, code, balance, pending_balance, debt, created_at)"
        f" VALUES ('SYSTEM', {code}, {amount}, 0, 0, {now})"
        " ON CONFLICT (code) DO UPDATE SET balance = points_account.balance + excluded.balance RETURNING id"
    )


UPSERT_SYSTEM_BALANCE = upsert_system_balance()
