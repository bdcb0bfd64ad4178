"""The ledger invariants, checked against the stored rows. `orchard ledger check` runs them.

Journals
  J1. Every journal has entries, at least two, summing to zero, at most one on a member account.
  J2. A journal with a member entry `e`:
      e = (points of the lots it created) - (points it consumed from lots) - debt_change.
  J3. A journal without a member entry creates no lot, consumes nothing and changes no debt.
System accounts
  S1. balance = the sum of its entries, pending_balance = debt = 0. Checked per row: each
      system account is spread over shard rows (`REDEEMED`, `REDEEMED#01`, ...; see
      `accounts.SYSTEM_SHARDS`), and S1 holds for every shard row on its own.
Member accounts
  M1. balance + pending_balance - debt = the sum of its entries.
      (A clawback larger than the balance is booked in full: the entries go below the
      balance by exactly the debt the member owes. Earnings settle debt before the balance.)
  M2. balance = the remaining points of its AVAILABLE lots (past expiry or not),
      pending_balance = the remaining points of its PENDING lots.
  M3. debt = the sum of debt_change over the journals with an entry on the account.
  M4. balance, pending_balance and debt are >= 0, and a member in debt holds no points.
  M5. balance + pending_balance and debt are at most MAX_BALANCE (domain/bounds.py), so the API
      can answer them (GraphQL's Int is 32 bits).
Lots and consumptions
  L1. original = remaining + the points consumed from the lot, an EXPIRED lot has 0 remaining.
  L2. A lot belongs to a member account, and the journal that created it has an entry there.
  C1. The journal of a consumption has an entry on the account of the consumed lot.

With a member id, only that member's account, lots and journals are checked (J1-J2, M, L, C).
On PostgreSQL all queries read one snapshot, so concurrent writes cannot cause false reports.
"""

from __future__ import annotations

from tortoise.transactions import in_transaction

from domain.bounds import MAX_BALANCE
from infra import db, dialect


async def check_ledger(member_id: int | None = None) -> list[str]:
    """Every violated invariant, one readable line each; [] when the ledger is consistent."""
    async with in_transaction() as conn:
        if snapshot := dialect.current().consistent_read_only:
            await db.execute(snapshot, connection=conn)
        scope = _Scope(member_id)
        found: list[str] = []
        for check in (_journals, _journal_lots, _accounts, _lots, _consumptions):
            found += await check(conn, scope)
        if member_id is None:
            found += await _journals_without_member(conn)
        return found


class _Scope:
    """Restricts a query to one member's account, or to nothing."""

    def __init__(self, member_id: int | None) -> None:
        self.member_id = member_id

    def where(self, condition: str, joiner: str = "WHERE") -> str:
        return f" {joiner} {condition}" if self.member_id is not None else ""

    @property
    def params(self) -> tuple:
        return (self.member_id,) if self.member_id is not None else ()


async def _fetch(conn, query: str, scope: _Scope) -> list[dict]:
    return await db.fetch(query, *scope.params, connection=conn)


async def _journals(conn, scope: _Scope) -> list[str]:
    rows = await _fetch(
        conn,
        "SELECT e.journal_id AS id, SUM(e.amount) AS total, COUNT(*) AS lines,"
        " SUM(CASE WHEN a.kind = 'MEMBER' THEN 1 ELSE 0 END) AS member_lines"
        " FROM points_entry e JOIN points_account a ON a.id = e.account_id"
        + scope.where(
            "e.journal_id IN (SELECT m.journal_id FROM points_entry m"
            " JOIN points_account ma ON ma.id = m.account_id WHERE ma.member_id = $1)"
        )
        + " GROUP BY e.journal_id"
        " HAVING SUM(e.amount) <> 0 OR COUNT(*) < 2 OR SUM(CASE WHEN a.kind = 'MEMBER' THEN 1 ELSE 0 END) > 1"
        " ORDER BY e.journal_id",
        scope,
    )
    found = []
    for row in rows:
        if int(row["total"]) != 0:
            found.append(f"journal {row['id']}: its entries sum to {int(row['total'])}, not 0 (J1)")
        if int(row["lines"]) < 2:
            found.append(f"journal {row['id']}: has {int(row['lines'])} entry, a journal needs two or more (J1)")
        if int(row["member_lines"]) > 1:
            found.append(f"journal {row['id']}: has entries on {int(row['member_lines'])} member accounts (J1)")
    return found


async def _journal_lots(conn, scope: _Scope) -> list[str]:
    rows = await _fetch(
        conn,
        "SELECT * FROM (SELECT e.journal_id AS id, e.amount AS member_amount, j.debt_change AS debt_change,"
        " COALESCE((SELECT SUM(l.original) FROM points_lot l WHERE l.journal_id = e.journal_id), 0) AS created,"
        " COALESCE((SELECT SUM(c.amount) FROM lot_consumption c WHERE c.journal_id = e.journal_id), 0) AS consumed"
        " FROM points_entry e JOIN points_account a ON a.id = e.account_id"
        " JOIN points_journal j ON j.id = e.journal_id WHERE a.kind = 'MEMBER'"
        + scope.where("a.member_id = $1", "AND")
        + ") t WHERE t.member_amount <> t.created - t.consumed - t.debt_change ORDER BY t.id",
        scope,
    )
    return [
        f"journal {row['id']}: member entry {int(row['member_amount'])} but lots created {int(row['created'])}"
        f" - consumed {int(row['consumed'])} - debt change {int(row['debt_change'])}"
        f" = {int(row['created']) - int(row['consumed']) - int(row['debt_change'])} (J2)"
        for row in rows
    ]


async def _journals_without_member(conn) -> list[str]:
    rows = await db.fetch(
        "SELECT j.id, j.debt_change,"
        " (SELECT COUNT(*) FROM points_entry e WHERE e.journal_id = j.id) AS lines"
        " FROM points_journal j WHERE NOT EXISTS (SELECT 1 FROM points_entry e"
        " JOIN points_account a ON a.id = e.account_id WHERE e.journal_id = j.id AND a.kind = 'MEMBER')"
        " AND (j.debt_change <> 0 OR NOT EXISTS (SELECT 1 FROM points_entry e WHERE e.journal_id = j.id)"
        " OR EXISTS (SELECT 1 FROM points_lot l WHERE l.journal_id = j.id)"
        " OR EXISTS (SELECT 1 FROM lot_consumption c WHERE c.journal_id = j.id)) ORDER BY j.id",
        connection=conn,
    )
    return [
        f"journal {row['id']}: has no entries (J1)" if int(row["lines"]) == 0
        else f"journal {row['id']}: moves lots or debt without a member entry (J3)"
        for row in rows
    ]


async def _accounts(conn, scope: _Scope) -> list[str]:
    rows = await _fetch(
        conn,
        "SELECT * FROM (SELECT a.id, a.kind, a.code, a.member_id, a.balance, a.pending_balance, a.debt,"
        " COALESCE((SELECT SUM(e.amount) FROM points_entry e WHERE e.account_id = a.id), 0) AS entries,"
        " COALESCE((SELECT SUM(l.remaining) FROM points_lot l WHERE l.account_id = a.id AND l.status = 'AVAILABLE'), 0)"
        " AS available_lots,"
        " COALESCE((SELECT SUM(l.remaining) FROM points_lot l WHERE l.account_id = a.id AND l.status = 'PENDING'), 0)"
        " AS pending_lots,"
        " COALESCE((SELECT SUM(j.debt_change) FROM points_journal j WHERE j.id IN"
        " (SELECT e.journal_id FROM points_entry e WHERE e.account_id = a.id)), 0) AS debt_changes"
        " FROM points_account a" + scope.where("a.member_id = $1") + ") t"
        " WHERE (t.kind = 'SYSTEM' AND (t.balance <> t.entries OR t.pending_balance <> 0 OR t.debt <> 0))"
        " OR (t.kind = 'MEMBER' AND (t.balance + t.pending_balance - t.debt <> t.entries"
        " OR t.balance <> t.available_lots OR t.pending_balance <> t.pending_lots OR t.debt <> t.debt_changes"
        " OR t.balance < 0 OR t.pending_balance < 0 OR t.debt < 0"
        " OR (t.debt > 0 AND t.balance + t.pending_balance > 0)"
        f" OR t.balance + t.pending_balance > {MAX_BALANCE} OR t.debt > {MAX_BALANCE}))"
        " ORDER BY t.id",
        scope,
    )
    found = []
    for row in rows:
        values = {key: int(row[key]) for key in (
            "balance", "pending_balance", "debt", "entries", "available_lots", "pending_lots", "debt_changes"
        )}
        if row["kind"] == "SYSTEM":
            found += _system_account_problems(f"system account {row['code']} ({row['id']})", **values)
        else:
            found += _member_account_problems(f"member {row['member_id']} (account {row['id']})", **values)
    return found


def _system_account_problems(name: str, *, balance, pending_balance, debt, entries, **_) -> list[str]:
    found = []
    if balance != entries:
        found.append(f"{name}: balance {balance} but its entries sum to {entries} (S1)")
    if pending_balance or debt:
        found.append(f"{name}: pending {pending_balance} and debt {debt}, both must be 0 (S1)")
    return found


def _member_account_problems(
    name: str, *, balance, pending_balance, debt, entries, available_lots, pending_lots, debt_changes
) -> list[str]:
    found = []
    if balance + pending_balance - debt != entries:
        found.append(
            f"{name}: balance {balance} + pending {pending_balance} - debt {debt}"
            f" = {balance + pending_balance - debt} but its entries sum to {entries} (M1)"
        )
    if balance != available_lots:
        found.append(f"{name}: balance {balance} but its available lots hold {available_lots} (M2)")
    if pending_balance != pending_lots:
        found.append(f"{name}: pending {pending_balance} but its pending lots hold {pending_lots} (M2)")
    if debt != debt_changes:
        found.append(f"{name}: debt {debt} but its journals changed the debt by {debt_changes} (M3)")
    if min(balance, pending_balance, debt) < 0:
        found.append(f"{name}: negative balance {balance}, pending {pending_balance} or debt {debt} (M4)")
    if debt > 0 and balance + pending_balance > 0:
        found.append(f"{name}: owes {debt} points while holding {balance + pending_balance} (M4)")
    if balance + pending_balance > MAX_BALANCE or debt > MAX_BALANCE:
        found.append(
            f"{name}: holds {balance + pending_balance} and owes {debt} points, more than the {MAX_BALANCE:,} allowed (M5)"
        )
    return found


async def _lots(conn, scope: _Scope) -> list[str]:
    rows = await _fetch(
        conn,
        "SELECT * FROM (SELECT l.id, l.original, l.remaining, l.status, a.kind AS account_kind,"
        " COALESCE((SELECT SUM(c.amount) FROM lot_consumption c WHERE c.lot_id = l.id), 0) AS consumed,"
        " (SELECT COUNT(*) FROM points_entry e WHERE e.journal_id = l.journal_id AND e.account_id = l.account_id)"
        " AS journal_lines"
        " FROM points_lot l JOIN points_account a ON a.id = l.account_id" + scope.where("a.member_id = $1") + ") t"
        " WHERE t.original <> t.remaining + t.consumed OR (t.status = 'EXPIRED' AND t.remaining <> 0)"
        " OR t.account_kind <> 'MEMBER' OR t.journal_lines = 0 ORDER BY t.id",
        scope,
    )
    found = []
    for row in rows:
        original, remaining, consumed = int(row["original"]), int(row["remaining"]), int(row["consumed"])
        if original != remaining + consumed:
            found.append(f"lot {row['id']}: original {original} but remaining {remaining} + consumed {consumed} (L1)")
        if row["status"] == "EXPIRED" and remaining:
            found.append(f"lot {row['id']}: expired with {remaining} points remaining (L1)")
        if row["account_kind"] != "MEMBER":
            found.append(f"lot {row['id']}: belongs to a system account (L2)")
        if int(row["journal_lines"]) == 0:
            found.append(f"lot {row['id']}: the journal that created it has no entry on its account (L2)")
    return found


async def _consumptions(conn, scope: _Scope) -> list[str]:
    rows = await _fetch(
        conn,
        "SELECT c.id, c.journal_id, c.lot_id FROM lot_consumption c JOIN points_lot l ON l.id = c.lot_id"
        " JOIN points_account a ON a.id = l.account_id WHERE NOT EXISTS (SELECT 1 FROM points_entry e"
        " WHERE e.journal_id = c.journal_id AND e.account_id = l.account_id)"
        + scope.where("a.member_id = $1", "AND")
        + " ORDER BY c.id",
        scope,
    )
    return [
        f"consumption {row['id']}: journal {row['journal_id']} has no entry on the account of lot {row['lot_id']} (C1)"
        for row in rows
    ]
