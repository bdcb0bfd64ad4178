"""The points ledger: credit, debit, reverse, adjust, expire, release pending points, and reads.

Every write is one transaction: its own, or a savepoint inside the caller's `connection`, so
an expected DomainError undoes only the operation that raised it. Lock order, the same in
every write: the member account row first (all of a member's writes queue there; its lots
change only under that lock), then system account rows last (in code order). No write
locks two member accounts, so writers of different members never wait on each other in a cycle.

Each system account is spread over `accounts.SYSTEM_SHARDS` rows, and a journal books on the
shard of its member (`member_id % SYSTEM_SHARDS`), so concurrent writers for different members
mostly lock different system rows. Read a whole system account with `system_balance`.

Points a member receives (a credit, a positive adjustment, a cancelled debit) first settle
the member's debt. The debt part never reaches the balance.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from math import floor

from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from domain.bounds import MAX_BALANCE
from domain.ledger import accounts, fifo, journals, lots
from domain.ledger.errors import LedgerError, LedgerErrorCode, LedgerInconsistency
from domain.ledger.models import (
    AccountKind,
    JournalKind,
    LotConsumption,
    LotStatus,
    PointsAccount,
    PointsEntry,
    PointsJournal,
    PointsLot,
    SystemAccount,
)
from domain.pagination import Page, PageRequest, keyset_page_by_id
from infra import db
from infra.clock import Clock, utc

EARNING_KINDS = frozenset(
    {
        JournalKind.PURCHASE,
        JournalKind.CHECK_IN,
        JournalKind.REFERRAL,
        JournalKind.REVIEW,
        JournalKind.SURVEY,
        JournalKind.CAMPAIGN_BONUS,
        JournalKind.REGISTRATION,
        JournalKind.IMPORT,
        JournalKind.LOTTERY_PRIZE,
    }
)
SPENDING_ACCOUNTS = {
    JournalKind.REDEMPTION: SystemAccount.REDEEMED,
    JournalKind.LOTTERY_DRAW: SystemAccount.REDEEMED,
    JournalKind.CASH_OFFSET: SystemAccount.CASH_OFFSET,
    JournalKind.DONATION: SystemAccount.DONATED,
}
REVERSAL_KINDS = frozenset({JournalKind.REVERSAL, JournalKind.RETURN})
UNREVERSIBLE_KINDS = REVERSAL_KINDS | {JournalKind.EXPIRY}
EXPIRY_ACTOR = "system:expiry"


# ---- writes ---------------------------------------------------------------------------------


async def credit(
    member_id: int,
    amount: int,
    kind: JournalKind | str,
    *,
    reason: str,
    actor: str,
    store_id: int | None = None,
    reference: str | None = None,
    occurred_at: datetime | None = None,
    expires_at: datetime | None = None,
    pending_days: int = 0,
    clock: Clock,
    connection=None,
    savepoint: bool = True,
    source: SystemAccount = SystemAccount.ISSUED,
) -> PointsJournal:
    """Credit earned points as a new lot: `source` (ISSUED; MIGRATION for a legacy import's
    opening balance) is debited, the member credited.

    The lot expires at `expires_at` (default: one year after `occurred_at`) and, with
    `pending_days`, is pending (not spendable) until `release_pending` runs after that many days.
    `savepoint=False` is for a caller that rolls its whole transaction back on any error (db.transaction).
    """
    kind = _kind(kind, EARNING_KINDS)
    if isinstance(amount, int) and amount > MAX_BALANCE:
        raise accounts.past_the_limit()  # more than any member may hold, whatever they hold now
    _check_positive(amount)
    _check_audit(reason, actor)
    if pending_days < 0:
        raise LedgerError(LedgerErrorCode.INVALID_AMOUNT, "Pending days cannot be negative.", field="pendingDays")
    now = utc(clock.now())
    occurred = _occurred_at(occurred_at, now)
    async with db.transaction(connection, savepoint=savepoint) as conn:
        return await _earn(
            conn, member_id, amount, kind, source,
            audit=_Audit(reason, actor, store_id, reference, occurred),
            expires_at=_expiry(expires_at, occurred), pending_days=pending_days, now=now,
        )


@dataclass(frozen=True)
class Spent:
    """A spend's journal, and the member's account right after it (a payload shows it unread)."""

    journal: PointsJournal
    account: accounts.MemberAmounts


async def debit(
    member_id: int,
    amount: int,
    kind: JournalKind | str,
    *,
    reason: str,
    actor: str,
    store_id: int | None = None,
    reference: str | None = None,
    occurred_at: datetime | None = None,
    counter: str | None = None,
    clock: Clock,
    connection=None,
    savepoint: bool = True,
) -> Spent:
    """Spend points, oldest expiry first. INSUFFICIENT_POINTS when the unexpired available points fall short.

    The points go to the kind's system account, or to `counter`, a context's own account code
    (a DONATION goes to its charity project's account, `CHARITY-<id>`), sharded by member too.
    `savepoint=False` is for a caller that rolls its whole transaction back on any error (db.transaction).
    """
    kind = _kind(kind, frozenset(SPENDING_ACCOUNTS))
    _check_positive(amount)
    _check_audit(reason, actor)
    now = utc(clock.now())
    async with db.transaction(connection, savepoint=savepoint) as conn:
        return await _spend(
            conn, member_id, amount, kind, counter or SPENDING_ACCOUNTS[kind],
            audit=_Audit(reason, actor, store_id, reference, _occurred_at(occurred_at, now)), now=now,
        )


async def adjust(
    member_id: int,
    amount: int,
    *,
    reason: str,
    actor: str,
    store_id: int | None = None,
    reference: str | None = None,
    expires_at: datetime | None = None,
    clock: Clock,
    connection=None,
) -> PointsJournal:
    """A manual correction against the ADJUSTMENTS account, signed. A negative one may not overdraw."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount == 0 or abs(amount) > MAX_BALANCE:
        raise LedgerError(
            LedgerErrorCode.INVALID_AMOUNT, f"An adjustment is a non-zero whole number of points, at most {MAX_BALANCE:,}.",
            field="amount",
        )
    _check_audit(reason, actor)
    now = utc(clock.now())
    audit = _Audit(reason, actor, store_id, reference, now)
    async with db.transaction(connection) as conn:
        if amount > 0:
            return await _earn(
                conn, member_id, amount, JournalKind.ADJUSTMENT, SystemAccount.ADJUSTMENTS,
                audit=audit, expires_at=_expiry(expires_at, now), pending_days=0, now=now,
            )
        spent = await _spend(conn, member_id, -amount, JournalKind.ADJUSTMENT, SystemAccount.ADJUSTMENTS, audit=audit, now=now)
        return spent.journal


TRANSFER_KINDS = frozenset({JournalKind.DONATION_MATCH, JournalKind.REVERSAL})


async def transfer(
    amount: int,
    kind: JournalKind | str,
    *,
    source: SystemAccount | str,
    target: SystemAccount | str,
    shard_member_id: int | None,
    reason: str,
    actor: str,
    reference: str | None = None,
    reverses_id: int | None = None,
    clock: Clock,
    connection=None,
    savepoint: bool = True,
) -> PointsJournal:
    """Move points between two system accounts, no member line: one journal of two entries.

    The chain's matching of a donation (MATCHING_BUDGET to the project's account), and its
    reversal (`reverses_id`, kind REVERSAL). Both lines book on the shard of `shard_member_id`,
    the member the transfer is about; the rows are locked in code order, as `journals.book` does.
    """
    kind = _kind(kind, TRANSFER_KINDS)
    _check_positive(amount)
    _check_audit(reason, actor)
    if source == target:
        raise ValueError("a transfer moves points between two accounts")
    now = utc(clock.now())
    audit = _Audit(reason, actor, None, reference, now)
    async with db.transaction(connection, savepoint=savepoint) as conn:
        journal = await _open(conn, kind, audit, now, reverses_id=reverses_id)
        await journals.book(
            conn, journal, member_id=shard_member_id, member_account_id=0, member_amount=0,
            system={source: -amount, target: amount}, now=now,
        )
        return journal


async def reverse(
    journal_id: int,
    *,
    amount: int | None = None,
    fraction: Fraction | Decimal | int | None = None,
    kind: JournalKind | str = JournalKind.REVERSAL,
    reason: str,
    actor: str,
    store_id: int | None = None,
    reference: str | None = None,
    clock: Clock,
    connection=None,
) -> PointsJournal:
    """Undo all of a credit or debit that is not undone yet, or `amount` points, or a `fraction` of it.

    A fraction is of the original amount, rounded half up, and capped at what is left to undo.

    Reversing a credit takes back, in this order: what is left of its lot, then what of it
    expired (EXPIRED gives that back to ISSUED, the member lost it already), then the rest
    from the member's other lots, oldest expiry first. What the member no longer has becomes debt.

    Reversing a debit gives the points back as new lots that keep the expiry of the lots the
    debit used, latest expiry first. A lot whose expiry has passed goes at the next `expire_due`.
    """
    kind = _kind(kind, REVERSAL_KINDS)
    _check_audit(reason, actor)
    if amount is not None and fraction is not None:
        raise ValueError("give an amount or a fraction, not both")
    now = utc(clock.now())
    async with db.transaction(connection) as conn:
        original = await PointsJournal.filter(id=journal_id).using_db(conn).first()
        if original is None:
            raise LedgerError(LedgerErrorCode.JOURNAL_NOT_FOUND, "There is no such points transaction.", field="journalId")
        member_line, counter = await _reversible_lines(conn, original)
        account = await accounts.lock(conn, member_line.account.id)
        counter_code = accounts.base_code(counter.account.code)
        done = await _reversed_so_far(conn, original.id, counter_code)
        size = _reversal_size(abs(member_line.amount), done, amount, fraction)
        audit = _Audit(reason, actor, store_id, reference or f"reversal:{original.id}", now)
        if member_line.amount > 0:
            return await _reverse_credit(conn, original, account, counter_code, size, kind=kind, audit=audit, now=now)
        return await _reverse_debit(conn, original, account, counter_code, size, kind=kind, audit=audit, now=now)


async def expire_due(clock: Clock, batch_size: int = 500, progress: Callable[[int], None] | None = None) -> int:
    """Expire every lot whose expiry has passed: one EXPIRY journal per member and batch.

    Returns the number of lots expired; `progress(lots_so_far)` is called after each batch.
    """
    now = utc(clock.now())
    expired = 0
    while due := await _due_lots(
        PointsLot.filter(status__in=list(lots.OPEN_STATUSES), remaining__gt=0, expires_at__lte=now), batch_size
    ):
        for account_id, lot_ids in due.items():
            async with in_transaction() as conn:
                expired += await _expire_account(conn, account_id, lot_ids, now)
        if progress:
            progress(expired)
    return expired


async def release_pending(clock: Clock, batch_size: int = 500) -> int:
    """Make pending lots whose `available_at` has passed spendable. Returns the number of lots released."""
    now = utc(clock.now())
    released = 0
    while due := await _due_lots(PointsLot.filter(status=LotStatus.PENDING, available_at__lte=now), batch_size):
        for account_id, lot_ids in due.items():
            async with in_transaction() as conn:
                released += await _release_account(conn, account_id, lot_ids, now)
    return released


# ---- reads ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpiringPoints:
    points: int
    expires_at: datetime
    lot_id: int = field(default=0, compare=False)  # which lot: a page's cursor, not part of the value


async def balance(member_id: int, *, connection=None) -> int:
    """Spendable points, counting lots past expiry that `expire_due` has not expired yet."""
    return (await _account_columns(member_id, connection))["balance"]


async def pending(member_id: int, *, connection=None) -> int:
    return (await _account_columns(member_id, connection))["pending_balance"]


async def debt(member_id: int, *, connection=None) -> int:
    return (await _account_columns(member_id, connection))["debt"]


async def system_balance(code: SystemAccount | str, *, connection=None) -> int:
    """A system account's balance: the sum over its shard rows. Never read one row of it alone."""
    return await accounts.system_balance(code, connection=connection)


async def expiring(member_id: int, within_days: int, clock: Clock, *, connection=None) -> list[ExpiringPoints]:
    """The member's points that expire within the coming days (or already did, not yet processed), by expiry."""
    until = utc(clock.now()) + timedelta(days=within_days)
    rows = (
        await PointsLot.filter(
            account__member_id=member_id, status__in=list(lots.OPEN_STATUSES), remaining__gt=0, expires_at__lte=until
        )
        .order_by("expires_at", "id")
        .using_db(connection)
    )
    return [ExpiringPoints(points=lot.remaining, expires_at=lot.expires_at, lot_id=lot.id) for lot in rows]


async def history_page(
    member_id: int, request: PageRequest, *, kind: JournalKind | str | None = None, store_id: int | None = None
) -> Page[PointsEntry]:
    """The member's entries with their journals, newest first; only journals of `kind`, or made at
    `store_id`, when given.

    Hand-written, not a queryset: an app's history screen is one of the peak hour's most
    frequent reads, and tortoise spent more building its joined query than PostgreSQL running it.
    """
    where, params = _HISTORY_WHERE, (member_id,)
    if kind is not None:
        where, params = where + f" AND j.kind = ${len(params) + 1}", (*params, str(kind))
    if store_id is not None:
        where, params = where + f" AND j.store_id = ${len(params) + 1}", (*params, store_id)
    return await keyset_page_by_id(
        _HISTORY_SELECT + where, params, request, id_column="e.id", count=_HISTORY_COUNT + where,
        build=_history_entry, descending=True,
    )


_ENTRY_COLUMNS = ("id", "journal_id", "account_id", "amount", "created_at")
_JOURNAL_COLUMNS = ("id", "kind", "reason", "actor", "store_id", "reference", "reverses_id", "debt_change", "occurred_at", "created_at")
_HISTORY_SELECT = (
    "SELECT " + ", ".join(f"e.{c}" for c in _ENTRY_COLUMNS) + ", " + ", ".join(f"j.{c} AS j_{c}" for c in _JOURNAL_COLUMNS)
)
_HISTORY_COUNT = "SELECT COUNT(*) AS total"
_HISTORY_WHERE = (
    " FROM points_entry e JOIN points_journal j ON j.id = e.journal_id"
    " WHERE e.account_id = (SELECT id FROM points_account WHERE member_id = $1)"
)


def _history_entry(row: dict) -> PointsEntry:
    entry = PointsEntry._init_from_db(**{c: row[c] for c in _ENTRY_COLUMNS})
    entry.journal = PointsJournal._init_from_db(**{c: row[f"j_{c}"] for c in _JOURNAL_COLUMNS})
    return entry


# ---- the operations inside a transaction ----------------------------------------------------


@dataclass(frozen=True)
class _Audit:
    reason: str
    actor: str
    store_id: int | None
    reference: str | None
    occurred_at: datetime


async def _open(conn, kind: JournalKind, audit: _Audit, now: datetime, **extra) -> PointsJournal:
    return await journals.open_journal(
        conn, kind=kind, reason=audit.reason, actor=audit.actor, store_id=audit.store_id,
        reference=audit.reference, occurred_at=audit.occurred_at, now=now, **extra,
    )


async def _earn(
    conn, member_id: int, amount: int, kind: JournalKind, counter: SystemAccount | str, *,
    audit: _Audit, expires_at: datetime, pending_days: int, now: datetime,
) -> PointsJournal:
    account = await accounts.lock_member_account(conn, member_id, now=now)
    accounts.check_room(account, adding=amount - min(account.debt, amount))
    return await journals.earn_and_book(
        conn, kind=kind, reason=audit.reason, actor=audit.actor, store_id=audit.store_id, reference=audit.reference,
        occurred_at=audit.occurred_at, now=now, member_id=member_id, account_id=account.account_id, amount=amount,
        counter=counter, settled=min(account.debt, amount), status=LotStatus.PENDING if pending_days else LotStatus.AVAILABLE,
        available_at=now + timedelta(days=pending_days), expires_at=expires_at,
    )


async def _spend(
    conn, member_id: int, amount: int, kind: JournalKind, counter: SystemAccount | str, *, audit: _Audit, now: datetime
) -> Spent:
    # The conditional UPDATE is the overdraft guard; it also takes the account lock.
    account = await accounts.withdraw(conn, member_id, amount)
    if account is None:
        raise _insufficient(amount)
    account_id = account.account_id
    journal, spent = await journals.spend_and_book(
        conn, kind=kind, reason=audit.reason, actor=audit.actor, store_id=audit.store_id, reference=audit.reference,
        occurred_at=audit.occurred_at, now=now, member_id=member_id, account_id=account_id, amount=amount, counter=counter,
    )
    if spent < amount:
        # The balance still counts overdue lots that expire_due has not expired yet. Raising
        # undoes the withdrawal, the journal, the partial takes and any booking with the caller's transaction.
        raise _insufficient(amount)
    return Spent(journal, account)


async def _reverse_credit(
    conn, original: PointsJournal, account: PointsAccount, counter: SystemAccount, size: int, *,
    kind: JournalKind, audit: _Audit, now: datetime,
) -> PointsJournal:
    open_lots = await lots.read_open(conn, account.id)
    own = next((lot for lot in open_lots if lot.journal_id == original.id), None)
    own_takes = fifo.plan([own], size) if own else []
    from_expired = min(size - fifo.total(own_takes), await _expired_not_returned(conn, original.id))
    owed = size - fifo.total(own_takes) - from_expired
    other_takes = fifo.plan(fifo.spending_order(lot for lot in open_lots if lot is not own), owed)
    new_debt = owed - fifo.total(other_takes)
    accounts.check_room(account, owing=new_debt)
    takes = own_takes + other_takes

    journal = await _open(conn, kind, audit, now, reverses_id=original.id, debt_change=new_debt)
    await lots.take(conn, journal.id, takes)
    await accounts.shift(
        conn, account.id,
        balance=-fifo.total(takes, LotStatus.AVAILABLE), pending=-fifo.total(takes, LotStatus.PENDING), debt=new_debt,
    )
    system = {counter: size}
    if from_expired:
        system[SystemAccount.EXPIRED] = -from_expired
    await journals.book(
        conn, journal, member_id=account.member_id, member_account_id=account.id,
        member_amount=-(size - from_expired), system=system, now=now,
    )
    return journal


async def _reverse_debit(
    conn, original: PointsJournal, account: PointsAccount, counter: SystemAccount, size: int, *,
    kind: JournalKind, audit: _Audit, now: datetime,
) -> PointsJournal:
    used = await LotConsumption.filter(journal_id=original.id).select_related("lot").using_db(conn)
    restored = await _restored_so_far(conn, original.id)
    # Given back latest expiry first: the plan over the debit's consumptions, in reverse spending order.
    latest_first = sorted(used, key=lambda c: (c.lot.expires_at, c.lot.id), reverse=True)
    gives = [(c.lot, given) for c, given in fifo.plan(latest_first, size, lambda c: c.amount - restored.get(c.lot.id, 0))]
    if fifo.total(gives) != size:
        raise LedgerInconsistency(f"journal {original.id} consumed fewer points than it debited")

    settled = min(account.debt, size)
    accounts.check_room(account, adding=size - settled)
    journal = await _open(conn, kind, audit, now, reverses_id=original.id, debt_change=-settled)
    new_lots = [
        await lots.create(
            conn, account_id=account.id, journal_id=journal.id, amount=given, status=LotStatus.AVAILABLE,
            earned_at=source.earned_at, available_at=now, expires_at=source.expires_at, source_lot_id=source.id,
        )
        for source, given in gives
    ]
    if settled:
        await lots.take(conn, journal.id, fifo.plan(fifo.spending_order(new_lots), settled))
    await accounts.shift(conn, account.id, balance=size - settled, debt=-settled)
    await journals.book(
        conn, journal, member_id=account.member_id, member_account_id=account.id, member_amount=size,
        system={counter: -size}, now=now,
    )
    return journal


async def _expire_account(conn, account_id: int, lot_ids: list[int], now: datetime) -> int:
    account = await accounts.lock(conn, account_id)
    due = list(
        await PointsLot.filter(
            id__in=lot_ids, status__in=list(lots.OPEN_STATUSES), remaining__gt=0, expires_at__lte=now
        ).order_by("id").select_for_update().using_db(conn)
    )
    if not due:
        return 0
    takes = [(lot, lot.remaining) for lot in due]
    points = fifo.total(takes)
    audit = _Audit("Points expired", EXPIRY_ACTOR, None, None, now)
    journal = await _open(conn, JournalKind.EXPIRY, audit, now)
    await accounts.shift(
        conn, account_id, balance=-fifo.total(takes, LotStatus.AVAILABLE), pending=-fifo.total(takes, LotStatus.PENDING)
    )
    await lots.expire(conn, journal.id, due)
    await journals.book(
        conn, journal, member_id=account.member_id, member_account_id=account_id, member_amount=-points,
        system={SystemAccount.EXPIRED: points}, now=now,
    )
    return len(due)


async def _release_account(conn, account_id: int, lot_ids: list[int], now: datetime) -> int:
    await accounts.lock(conn, account_id)
    due = list(
        await PointsLot.filter(id__in=lot_ids, status=LotStatus.PENDING, available_at__lte=now)
        .order_by("id").select_for_update().using_db(conn)
    )
    points = sum(lot.remaining for lot in due)
    for lot in due:
        await lots.release(conn, lot)
    await accounts.shift(conn, account_id, balance=points, pending=-points)
    return len(due)


# ---- helpers --------------------------------------------------------------------------------


async def _due_lots(query: QuerySet[PointsLot], batch_size: int) -> dict[int, list[int]]:
    """Up to `batch_size` lots of the query, grouped by account."""
    rows = await query.order_by("account_id", "id").limit(batch_size).values_list("account_id", "id")
    grouped: dict[int, list[int]] = defaultdict(list)
    for account_id, lot_id in rows:
        grouped[account_id].append(lot_id)
    return grouped


@dataclass(frozen=True)
class _Line:
    account: PointsAccount
    amount: int


async def _reversible_lines(conn, original: PointsJournal) -> tuple[_Line, _Line]:
    """The member line and the one system line of a credit, debit or adjustment."""
    if original.kind in UNREVERSIBLE_KINDS:
        raise LedgerError(LedgerErrorCode.NOT_REVERSIBLE, f"A {original.kind.lower()} cannot be reversed.", field="journalId")
    entries = await PointsEntry.filter(journal_id=original.id).select_related("account").using_db(conn)
    members = [_Line(e.account, e.amount) for e in entries if e.account.kind == AccountKind.MEMBER]
    systems = [_Line(e.account, e.amount) for e in entries if e.account.kind == AccountKind.SYSTEM]
    if len(members) != 1 or len(systems) != 1:
        raise LedgerError(LedgerErrorCode.NOT_REVERSIBLE, "This points transaction cannot be reversed.", field="journalId")
    return members[0], systems[0]


async def _reversed_so_far(conn, journal_id: int, counter: SystemAccount | str) -> int:
    """Points already undone: what the reversals moved on the original's system account.

    Over all shards of that account: a journal booked before sharding sits on shard 0.
    """
    codes = accounts.shard_codes(counter)
    rows = await db.fetch(
        "SELECT COALESCE(SUM(e.amount), 0) AS moved FROM points_entry e"
        " JOIN points_journal j ON j.id = e.journal_id JOIN points_account a ON a.id = e.account_id"
        f" WHERE j.reverses_id = $1 AND a.code IN ({db.placeholders(len(codes), start=2)})",
        journal_id, *codes, connection=conn,
    )
    return abs(int(rows[0]["moved"]))


async def _expired_not_returned(conn, journal_id: int) -> int:
    """Points of a credit's lot that expired, less what earlier reversals already gave back to ISSUED."""
    expired = await db.fetch(
        "SELECT COALESCE(SUM(c.amount), 0) AS points FROM lot_consumption c"
        " JOIN points_lot l ON l.id = c.lot_id JOIN points_journal j ON j.id = c.journal_id"
        " WHERE l.journal_id = $1 AND j.kind = $2",
        journal_id, str(JournalKind.EXPIRY), connection=conn,
    )
    expired_codes = accounts.shard_codes(SystemAccount.EXPIRED)
    returned = await db.fetch(
        "SELECT COALESCE(SUM(e.amount), 0) AS points FROM points_entry e"
        " JOIN points_journal j ON j.id = e.journal_id JOIN points_account a ON a.id = e.account_id"
        f" WHERE j.reverses_id = $1 AND a.code IN ({db.placeholders(len(expired_codes), start=2)})",
        journal_id, *expired_codes, connection=conn,
    )
    return int(expired[0]["points"]) + int(returned[0]["points"])


async def _restored_so_far(conn, journal_id: int) -> dict[int, int]:
    """Per lot a debit used: the points earlier reversals of that debit gave back."""
    rows = await db.fetch(
        "SELECT l.source_lot_id AS lot_id, SUM(l.original) AS points FROM points_lot l"
        " JOIN points_journal j ON j.id = l.journal_id WHERE j.reverses_id = $1 GROUP BY l.source_lot_id",
        journal_id, connection=conn,
    )
    return {row["lot_id"]: int(row["points"]) for row in rows}


def _reversal_size(total: int, done: int, amount: int | None, fraction) -> int:
    left = total - done
    if left <= 0:
        raise LedgerError(LedgerErrorCode.NOTHING_TO_REVERSE, "This points transaction is already fully reversed.")
    if amount is not None:
        _check_positive(amount)
        if amount > left:
            raise LedgerError(
                LedgerErrorCode.REVERSAL_TOO_LARGE, f"Only {left} points of this transaction are left to reverse.", field="amount"
            )
        return amount
    if fraction is None:
        return left
    share = Fraction(fraction)
    if not 0 < share <= 1:
        raise LedgerError(LedgerErrorCode.INVALID_AMOUNT, "The fraction must be above 0 and at most 1.", field="fraction")
    size = min(left, floor(total * share + Fraction(1, 2)))
    if size == 0:
        raise LedgerError(LedgerErrorCode.INVALID_AMOUNT, "That fraction is less than one point.", field="fraction")
    return size


async def _account_columns(member_id: int, connection) -> dict[str, int]:
    row = await PointsAccount.filter(member_id=member_id).using_db(connection).values("balance", "pending_balance", "debt")
    return row[0] if row else {"balance": 0, "pending_balance": 0, "debt": 0}


def _insufficient(amount: int) -> LedgerError:
    return LedgerError(
        LedgerErrorCode.INSUFFICIENT_POINTS, f"The member does not have {amount} points to spend.", field="amount"
    )


def _kind(kind: JournalKind | str, allowed: frozenset[JournalKind]) -> JournalKind:
    if kind not in allowed:
        raise LedgerError(LedgerErrorCode.INVALID_KIND, f"{kind} is not allowed here.", field="kind")
    return JournalKind(kind)


def _check_positive(amount: int) -> None:
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= MAX_BALANCE:
        raise LedgerError(
            LedgerErrorCode.INVALID_AMOUNT, f"Points are a whole number from 1 to {MAX_BALANCE:,}.", field="amount"
        )


def _check_audit(reason: str, actor: str) -> None:
    if not actor or not actor.strip():
        raise ValueError("every ledger write names its actor")
    if not reason or not reason.strip():
        raise LedgerError(LedgerErrorCode.REASON_REQUIRED, "Give a reason for this points change.", field="reason")


def _occurred_at(occurred_at: datetime | None, now: datetime) -> datetime:
    if occurred_at is None:
        return now
    occurred = utc(occurred_at)
    if occurred > now:
        raise LedgerError(LedgerErrorCode.INVALID_OCCURRED_AT, "The event cannot be in the future.", field="occurredAt")
    return occurred


def _expiry(expires_at: datetime | None, earned_at: datetime) -> datetime:
    if expires_at is None:
        return one_year_after(earned_at)
    expiry = utc(expires_at)
    if expiry <= earned_at:
        raise LedgerError(LedgerErrorCode.INVALID_EXPIRY, "Points must expire after they are earned.", field="expiresAt")
    return expiry


def one_year_after(at: datetime) -> datetime:
    """The default validity of earned points. 29 February falls back to 28 February."""
    try:
        return at.replace(year=at.year + 1)
    except ValueError:
        return at.replace(year=at.year + 1, day=28)
