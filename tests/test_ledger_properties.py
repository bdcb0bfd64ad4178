"""Property test of the ledger: random earn / spend / adjust / reverse / expire / release runs,
replayed against the database and against a small Python model of the lots.

Hypothesis draws a list of operations; the async test replays it (hypothesis's own state
machine is synchronous). After every step the database must agree with the model on the outcome of
the step, on each member's balance, pending points and debt, and on every lot's remaining
points and status; and `check_ledger()` must find nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from math import floor

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tortoise import connections

from domain.ledger import service as ledger
from domain.ledger.check import check_ledger
from domain.ledger.models import JournalKind, PointsAccount, PointsLot
from infra import db
from infra.clock import FixedClock
from tests.conftest import table_names
from tests.test_ledger import make_member

MEMBERS = 2
START = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
ACTOR = "test:property"

# Earning and spending come up most, so a run builds up lots worth spending, reversing and expiring.
KINDS = ["earn"] * 4 + ["spend"] * 3 + ["reverse"] * 2 + ["adjust", "advance", "advance", "expire", "release"]


@st.composite
def operation(draw) -> tuple:
    kind = draw(st.sampled_from(KINDS))
    member = st.integers(0, MEMBERS - 1)
    if kind == "earn":
        return kind, draw(member), draw(st.integers(1, 100)), draw(st.sampled_from([0, 0, 0, 3])), draw(st.integers(1, 20))
    if kind == "spend":
        return kind, draw(member), draw(st.integers(1, 120))
    if kind == "adjust":
        return kind, draw(member), draw(st.integers(-80, 80).filter(bool))
    if kind == "reverse":
        return kind, draw(st.integers(0, 1000)), draw(st.sampled_from([None, Fraction(1, 2), Fraction(1, 3)]))
    if kind == "advance":
        return kind, draw(st.integers(1, 25))
    return (kind,)


# ---- the model --------------------------------------------------------------------------------


@dataclass(eq=False)
class Lot:
    order: int  # creation order, the same as the database ids
    remaining: int
    expires_at: datetime
    available_at: datetime
    pending: bool
    expired_points: int = 0


@dataclass(eq=False)
class Journal:
    db_id: int
    member: int
    amount: int  # signed, as the member sees it
    lot: Lot | None = None  # a credit's lot
    used: list[tuple[Lot, int]] = field(default_factory=list)  # a debit's consumption
    reversed: int = 0
    unexpired: int = 0  # expired points of its lot that reversals gave back to ISSUED
    restored: dict[int, int] = field(default_factory=dict)  # lot order -> points given back

    @property
    def left(self) -> int:
        return abs(self.amount) - self.reversed


@dataclass
class Member:
    lots: list[Lot] = field(default_factory=list)
    debt: int = 0

    def totals(self) -> tuple[int, int, int]:
        return (
            sum(lot.remaining for lot in self.lots if not lot.pending),
            sum(lot.remaining for lot in self.lots if lot.pending),
            self.debt,
        )


def lot_state(lot: Lot) -> tuple[int, str]:
    status = "EXPIRED" if lot.expired_points else "PENDING" if lot.pending else "AVAILABLE"
    return lot.remaining, status


def fifo(lots) -> list[Lot]:
    return sorted(lots, key=lambda lot: (lot.expires_at, lot.order))


def take(lots: list[Lot], points: int) -> list[tuple[Lot, int]]:
    taken = []
    for lot in lots:
        n = min(lot.remaining, points)
        if n:
            lot.remaining -= n
            points -= n
            taken.append((lot, n))
    return taken


class Model:
    def __init__(self) -> None:
        self.members = [Member() for _ in range(MEMBERS)]
        self.journals: list[Journal] = []
        self.lot_count = 0

    def lots(self) -> list[tuple[int, str]]:
        every = sorted((lot for account in self.members for lot in account.lots), key=lambda lot: lot.order)
        return [lot_state(lot) for lot in every]

    def new_lot(self, member: int, points: int, expires_at: datetime, available_at: datetime, pending: bool) -> Lot:
        self.lot_count += 1
        lot = Lot(self.lot_count, points, expires_at, available_at, pending)
        self.members[member].lots.append(lot)
        return lot

    def earn(self, member: int, points: int, now: datetime, expires_at: datetime, pending_days: int) -> Journal:
        account = self.members[member]
        settled = min(account.debt, points)
        account.debt -= settled
        journal = Journal(0, member, points)
        if points > settled:
            journal.lot = self.new_lot(member, points - settled, expires_at, now + timedelta(days=pending_days), pending_days > 0)
        return journal

    def can_spend(self, member: int, points: int, now: datetime) -> bool:
        return sum(lot.remaining for lot in self.spendable(member, now)) >= points

    def spendable(self, member: int, now: datetime) -> list[Lot]:
        return fifo(lot for lot in self.members[member].lots if not lot.pending and lot.expires_at > now)

    def spend(self, member: int, points: int, now: datetime) -> Journal:
        return Journal(0, member, -points, used=take(self.spendable(member, now), points))

    def expire(self, now: datetime) -> None:
        for account in self.members:
            for lot in account.lots:
                if lot.remaining and lot.expires_at <= now:
                    lot.expired_points += lot.remaining
                    lot.remaining = 0

    def release(self, now: datetime) -> None:
        for account in self.members:
            for lot in account.lots:
                if lot.pending and lot.available_at <= now:
                    lot.pending = False

    def reverse_credit(self, journal: Journal, size: int) -> None:
        account = self.members[journal.member]
        own = journal.lot
        from_own = min(size, own.remaining) if own else 0
        if own:
            own.remaining -= from_own
        from_expired = min(size - from_own, (own.expired_points if own else 0) - journal.unexpired)
        journal.unexpired += from_expired
        owed = size - from_own - from_expired
        covered = sum(n for _, n in take(fifo(lot for lot in account.lots if lot is not own), owed))
        account.debt += owed - covered

    def reverse_debit(self, journal: Journal, size: int, now: datetime) -> None:
        account = self.members[journal.member]
        gives, left = [], size
        for lot, used in sorted(journal.used, key=lambda u: (u[0].expires_at, u[0].order), reverse=True):
            given = min(left, used - journal.restored.get(lot.order, 0))
            if given > 0:
                gives.append((lot, given))
                journal.restored[lot.order] = journal.restored.get(lot.order, 0) + given
                left -= given
        settled = min(account.debt, size)
        account.debt -= settled
        restored = [self.new_lot(journal.member, given, lot.expires_at, now, False) for lot, given in gives]
        take(fifo(restored), settled)


def reversal_size(journal: Journal, fraction: Fraction | None) -> int:
    if fraction is None:
        return journal.left
    return min(journal.left, floor(abs(journal.amount) * fraction + Fraction(1, 2)))


# ---- the replay -------------------------------------------------------------------------------


async def empty_tables() -> None:
    conn = connections.get("default")
    tables = table_names()
    if db.is_postgres():
        await conn.execute_script("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
    else:
        await conn.execute_script(
            "PRAGMA foreign_keys = OFF;" + "".join(f'DELETE FROM "{t}";' for t in tables) + "PRAGMA foreign_keys = ON;"
        )


async def attempt(call) -> object:
    """The journal the call returned, or the code of the LedgerError it raised."""
    try:
        return await call
    except ledger.LedgerError as error:
        return error.code


async def journal_of(spend) -> object:
    return (await spend).journal


async def stored_totals(member_ids: list[int]) -> list[tuple[int, int, int]]:
    rows = {
        row["member_id"]: (row["balance"], row["pending_balance"], row["debt"])
        for row in await PointsAccount.filter(member_id__in=member_ids).values("member_id", "balance", "pending_balance", "debt")
    }
    return [rows.get(member_id, (0, 0, 0)) for member_id in member_ids]


async def stored_lots() -> list[tuple[int, str]]:
    return [tuple(row) for row in await PointsLot.all().order_by("id").values_list("remaining", "status")]


async def step(op: tuple, model: Model, member_ids: list[int], clock: FixedClock) -> None:
    now = clock.now()
    name = op[0]
    if name == "earn":
        _, member, points, pending_days, valid_days = op
        expires_at = now + timedelta(days=valid_days)
        outcome = await attempt(ledger.credit(
            member_ids[member], points, JournalKind.PURCHASE, reason="purchase", actor=ACTOR,
            expires_at=expires_at, pending_days=pending_days, clock=clock,
        ))
        record(model, model.earn(member, points, now, expires_at, pending_days), outcome)
    elif name == "spend" or (name == "adjust" and op[2] < 0):
        member, points = op[1], abs(op[2])
        if name == "spend":
            call = journal_of(ledger.debit(member_ids[member], points, JournalKind.REDEMPTION, reason="gift", actor=ACTOR, clock=clock))
        else:
            call = ledger.adjust(member_ids[member], -points, reason="correction", actor=ACTOR, clock=clock)
        outcome = await attempt(call)
        if model.can_spend(member, points, now):
            record(model, model.spend(member, points, now), outcome)
        else:
            assert outcome == "INSUFFICIENT_POINTS"
    elif name == "adjust":
        _, member, points = op
        outcome = await attempt(ledger.adjust(member_ids[member], points, reason="goodwill", actor=ACTOR, clock=clock))
        record(model, model.earn(member, points, now, ledger.one_year_after(now), 0), outcome)
    elif name == "reverse":
        _, pick, fraction = op
        candidates = [j for j in model.journals if j.left > 0]
        if not candidates:
            return
        journal = candidates[pick % len(candidates)]
        outcome = await attempt(ledger.reverse(journal.db_id, fraction=fraction, reason="undo", actor=ACTOR, clock=clock))
        size = reversal_size(journal, fraction)
        if size == 0:
            assert outcome == "INVALID_AMOUNT"
            return
        assert not isinstance(outcome, str), outcome
        if journal.amount > 0:
            model.reverse_credit(journal, size)
        else:
            model.reverse_debit(journal, size, now)
        journal.reversed += size
    elif name == "advance":
        clock.advance(timedelta(days=op[1]))
    elif name == "expire":
        await ledger.expire_due(clock, batch_size=3)
        model.expire(now)
    elif name == "release":
        await ledger.release_pending(clock)
        model.release(now)


def record(model: Model, journal: Journal, outcome: object) -> None:
    assert not isinstance(outcome, str), outcome
    journal.db_id = outcome.id  # type: ignore[attr-defined]
    model.journals.append(journal)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(operation(), min_size=4, max_size=15))
async def test_random_operations_keep_the_ledger_consistent_and_match_the_model(operations):
    await empty_tables()
    clock = FixedClock(START)
    member_ids = [(await make_member(START)).id for _ in range(MEMBERS)]
    model = Model()
    for number, op in enumerate(operations):
        await step(op, model, member_ids, clock)
        assert await stored_totals(member_ids) == [m.totals() for m in model.members], (number, op)
        assert await stored_lots() == model.lots(), (number, op)
        assert await check_ledger() == [], (number, op)
