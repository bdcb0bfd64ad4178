"""The one rule for spending points: from the lot that expires first (then the oldest lot id),
each lot giving what it holds until the amount is covered.

`plan` is the planner every spend uses: the ledger's spends on SQLite and its reversals, and
the seed's generated histories. `SPEND_TAKES` is the same plan written as SQL, for the one
statement a spend is on PostgreSQL (journals.spend_and_book); a test runs both on the same
lots and compares them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from operator import attrgetter
from typing import Any, Protocol, TypeVar

from domain.ledger.models import LotStatus


class LotLike(Protocol):
    id: int
    remaining: int
    status: Any
    expires_at: datetime


T = TypeVar("T")
L = TypeVar("L", bound=LotLike)

_remaining = attrgetter("remaining")


def spending_order(lots: Iterable[L]) -> list[L]:
    return sorted(lots, key=lambda lot: (lot.expires_at, lot.id))


def spendable(lots: Iterable[L], now: datetime) -> list[L]:
    """Available, unexpired lots in spending order."""
    return spending_order(lot for lot in lots if lot.status == LotStatus.AVAILABLE and lot.expires_at > now)


def plan(items: Iterable[T], amount: int, remaining: Callable[[T], int] = _remaining) -> list[tuple[T, int]]:
    """Take up to `amount` from the items in the given order, each giving at most `remaining(item)`;
    the takes may fall short of `amount`."""
    takes: list[tuple[T, int]] = []
    for item in items:
        if amount <= 0:
            break
        taken = min(remaining(item), amount)
        if taken > 0:
            takes.append((item, taken))
            amount -= taken
    return takes


def total(takes: Iterable[tuple[LotLike, int]], status: LotStatus | None = None) -> int:
    return sum(taken for lot, taken in takes if status is None or lot.status == status)


# The plan as SQL: $1 account, $2 points to take, $3 now. `takes` holds each lot's id and the
# amount `plan(spendable(...))` would take from it (this part runs on SQLite too: the test
# compares it with `plan`); `taken` then takes them, for the statement it heads on PostgreSQL.
SPEND_PLAN = (
    "spendable AS ("
    " SELECT id, remaining, SUM(remaining) OVER (ORDER BY expires_at, id) - remaining AS before FROM points_lot"
    " WHERE account_id = $1 AND status = 'AVAILABLE' AND remaining > 0 AND expires_at > $3),"
    " takes AS (SELECT id, CASE WHEN remaining < $2 - before THEN remaining ELSE $2 - before END AS amount"
    " FROM spendable WHERE before < $2)"
)
SPEND_TAKES = (
    SPEND_PLAN + ","
    " taken AS (UPDATE points_lot SET remaining = points_lot.remaining - takes.amount FROM takes"
    " WHERE points_lot.id = takes.id RETURNING points_lot.id, takes.amount)"
)
