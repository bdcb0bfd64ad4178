"""The one FIFO planner: its rule, and the SQL form PostgreSQL's spend statement runs, compared on the same lots."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from domain.ledger import fifo, lots
from domain.ledger import service as ledger
from domain.ledger.models import JournalKind, LotStatus, PointsAccount
from infra import db
from infra.clock import FixedClock
from tests.test_ledger import make_member

START = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)


@dataclass
class _Lot:
    id: int
    remaining: int
    expires_at: datetime
    status: LotStatus = LotStatus.AVAILABLE


def test_the_plan_spends_the_earliest_expiry_first_then_the_lowest_id_and_may_fall_short():
    soon, later = START + timedelta(days=10), START + timedelta(days=90)
    held = [_Lot(1, 30, later), _Lot(2, 20, soon), _Lot(3, 5, soon), _Lot(4, 50, START - timedelta(days=1)),
            _Lot(5, 40, soon, LotStatus.PENDING)]
    order = fifo.spendable(held, START)
    assert [lot.id for lot in order] == [2, 3, 1]  # expired and pending lots are not spendable
    assert [(lot.id, n) for lot, n in fifo.plan(order, 22)] == [(2, 20), (3, 2)]
    assert [(lot.id, n) for lot, n in fifo.plan(order, 100)] == [(2, 20), (3, 5), (1, 30)]
    assert fifo.plan(order, 0) == []
    assert fifo.plan([("a", 3), ("b", 4)], 5, remaining=lambda item: item[1]) == [(("a", 3), 3), (("b", 4), 2)]


async def test_the_sql_plan_takes_what_the_python_plan_takes():
    clock = FixedClock(START)
    member = await make_member(clock.now())
    rng = random.Random(18)
    for n in range(12):
        await ledger.credit(
            member.id, rng.randint(1, 60), JournalKind.PURCHASE, reason="purchase", actor="test:fifo", clock=clock,
            # Some lots share an expiry (the id decides), some expire before `now` below, one is pending.
            expires_at=START + timedelta(days=rng.choice([5, 20, 20, 40, 200])), pending_days=3 if n == 4 else 0,
        )
    clock.advance(timedelta(days=21))
    now = clock.now()
    account = await PointsAccount.get(member_id=member.id)
    held = await lots.read_open(None, account.id)
    assert any(lot.expires_at <= now for lot in held) and any(lot.status == LotStatus.PENDING for lot in held)
    for amount in [1, 7, 25, 60, 120, 250, 10_000, *(rng.randint(1, 400) for _ in range(20))]:
        rows = await db.fetch(f"WITH {fifo.SPEND_PLAN} SELECT id, amount FROM takes ORDER BY id", account.id, amount, now)
        planned = fifo.plan(fifo.spendable(held, now), amount)
        assert [(row["id"], int(row["amount"])) for row in rows] == sorted((lot.id, n) for lot, n in planned), amount
