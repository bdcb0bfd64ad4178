"""Database contention as a payload error: a lock or statement timeout, a deadlock, says TRY_AGAIN.

PostgreSQL connections carry lock_timeout and statement_timeout (domain.db), so a rush on
one row degrades into quick, clear refusals rather than a pile-up or a 500. Each write path
names the typed error its callers get (the mall's, the till's); the transaction has rolled
back, so a retry with the same idempotency key is safe.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from domain.errors import DomainError

RETRYABLE_SQLSTATES = frozenset({
    "55P03",  # lock_not_available: lock_timeout
    "57014",  # query_canceled: statement_timeout
    "40P01",  # deadlock_detected
    "40001",  # serialization_failure
})


def is_contention(exc: BaseException) -> bool:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if getattr(current, "sqlstate", None) in RETRYABLE_SQLSTATES:
            return True
        if isinstance(current, sqlite3.OperationalError) and "locked" in str(current):
            return True
        current = current.__cause__ or current.__context__
    return False


@asynccontextmanager
async def translated(try_again: Callable[[], DomainError]) -> AsyncIterator[None]:
    """Raise `try_again()` in place of a contention error; anything else passes unchanged."""
    try:
        yield
    except DomainError:
        raise
    except Exception as exc:
        if is_contention(exc):
            raise try_again() from exc
        raise
