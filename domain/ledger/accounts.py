"""Points accounts: finding or opening them, locking them, changing their stored columns.

Columns change only by relative, conditional UPDATEs, never by writing back a value read in
Python, so concurrent writers cannot overwrite each other or push a guarded column below zero.
"""

from __future__ import annotations

from datetime import datetime

from domain import db
from domain.ledger.errors import LedgerError, LedgerErrorCode, LedgerInconsistency
from domain.ledger.models import PointsAccount, SystemAccount
from domain.members.models import Member


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


async def system_account_id(conn, code: SystemAccount, *, now: datetime) -> int:
    """System accounts are opened on first use, so an emptied database needs no seed data."""
    rows = await db.fetch("SELECT id FROM points_account WHERE code = $1", str(code), connection=conn)
    if not rows:
        await db.execute(
            "INSERT INTO points_account (kind, code, balance, pending_balance, debt, created_at)"
            " VALUES ('SYSTEM', $1, 0, 0, 0, $2) ON CONFLICT (code) DO NOTHING",
            str(code), now, connection=conn,
        )
        rows = await db.fetch("SELECT id FROM points_account WHERE code = $1", str(code), connection=conn)
    return rows[0]["id"]


async def lock(conn, account_id: int) -> PointsAccount:
    """Lock a member account row for the rest of the transaction (PostgreSQL; SQLite runs one writer).

    Every change to a member's lots and columns first takes this lock, so it serializes them.
    """
    return await PointsAccount.filter(id=account_id).select_for_update(no_key=True).using_db(conn).get()


async def withdraw(conn, account_id: int, amount: int) -> bool:
    """Take points from the spendable balance if, and only if, it holds that many."""
    changed = await db.execute(
        "UPDATE points_account SET balance = balance - $1 WHERE id = $2 AND balance >= $1",
        amount, account_id, connection=conn,
    )
    return changed == 1


async def shift(conn, account_id: int, *, balance: int = 0, pending: int = 0, debt: int = 0) -> None:
    """Add signed amounts to a locked member account. None of its columns may go below zero."""
    if not (balance or pending or debt):
        return
    changed = await db.execute(
        "UPDATE points_account SET balance = balance + $1, pending_balance = pending_balance + $2, debt = debt + $3"
        " WHERE id = $4 AND balance + $1 >= 0 AND pending_balance + $2 >= 0 AND debt + $3 >= 0",
        balance, pending, debt, account_id, connection=conn,
    )
    if changed != 1:
        raise LedgerInconsistency(f"account {account_id} cannot take {balance=} {pending=} {debt=}")


async def add_to_system_balance(conn, account_id: int, amount: int) -> None:
    await db.execute(
        "UPDATE points_account SET balance = balance + $1 WHERE id = $2", amount, account_id, connection=conn
    )
