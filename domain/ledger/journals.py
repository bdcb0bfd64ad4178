"""Journals and their entries: one business event, booked as lines that sum to zero."""

from __future__ import annotations

from datetime import datetime

from domain.ledger import accounts
from domain.ledger.errors import LedgerInconsistency
from domain.ledger.models import JournalKind, PointsEntry, PointsJournal, SystemAccount


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
    return await PointsJournal.create(
        using_db=conn,
        kind=str(kind),
        reason=reason,
        actor=actor,
        store_id=store_id,
        reference=reference,
        reverses_id=reverses_id,
        debt_change=debt_change,
        occurred_at=occurred_at,
        created_at=now,
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
    System balances change in the last statements because many members share each shard row:
    their locks are then held only until the commit that follows.
    """
    if member_amount + sum(system.values()) != 0:
        raise LedgerInconsistency(f"journal {journal.id} does not balance: {member_amount} against {system}")
    system_lines = sorted(
        [
            (await accounts.system_account_id(conn, code, now=now, member_id=member_id), amount)
            for code, amount in system.items()
            if amount
        ]
    )
    lines = ([(member_account_id, member_amount)] if member_amount else []) + system_lines
    await PointsEntry.bulk_create(
        [PointsEntry(journal_id=journal.id, account_id=account_id, amount=amount, created_at=now) for account_id, amount in lines],
        using_db=conn,
    )
    for account_id, amount in system_lines:
        await accounts.add_to_system_balance(conn, account_id, amount)
