"""Database contention as a payload error (TRY_AGAIN), and an unreachable database told from a bug.

Contention: a lock or statement timeout, a deadlock, says TRY_AGAIN.

PostgreSQL connections carry lock_timeout and statement_timeout (infra.db), so a rush on
one row degrades into quick, clear refusals rather than a pile-up or a 500. Each write path
names the typed error its callers get (the mall's, the till's); the transaction has rolled
back, so a retry with the same idempotency key is safe.
"""

from __future__ import annotations

import socket
import sqlite3

from asyncpg import InterfaceError, InternalClientError
from redis import exceptions as redis_errors
from tortoise.exceptions import DBConnectionError

RETRYABLE_SQLSTATES = frozenset({
    "55P03",  # lock_not_available: lock_timeout
    "57014",  # query_canceled: statement_timeout
    "40P01",  # deadlock_detected
    "40001",  # serialization_failure
})


UNAVAILABLE_SQLSTATES = frozenset({
    "57P01",  # admin_shutdown: the server stops, or pg_terminate_backend
    "57P02",  # crash_shutdown
    "57P03",  # cannot_connect_now: starting up or shutting down
    "53300",  # too_many_connections
})
# asyncpg hands a connection that closed under a request back to its pool (`_release_on_close`):
# the request's next statement on it then says "released back to the pool".
_BROKEN_CONNECTION = ("connection is closed", "connection was closed", "another operation is in progress",
                      "released back to the pool")
_SQLITE_UNREACHABLE = ("unable to open database file", "disk i/o error")


def _chain(exc: BaseException):
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def is_unavailable(exc: BaseException) -> bool:
    """The database (or the cache) is unreachable, restarting, or dropped the connection mid-request.

    The request may be sent again with its idempotency key: whatever it had written was either
    committed (the retry replays it) or rolled back with the connection.
    """
    for current in _chain(exc):
        sqlstate = getattr(current, "sqlstate", None)
        if isinstance(sqlstate, str) and (sqlstate.startswith("08") or sqlstate in UNAVAILABLE_SQLSTATES):
            return True
        if isinstance(current, (ConnectionError, TimeoutError, socket.gaierror, DBConnectionError,
                                redis_errors.ConnectionError, redis_errors.TimeoutError)):
            return True
        if isinstance(current, (InterfaceError, InternalClientError)) and any(
            text in str(current) for text in _BROKEN_CONNECTION
        ):
            return True
        if isinstance(current, sqlite3.OperationalError) and str(current).lower().startswith(_SQLITE_UNREACHABLE):
            return True
    return False


def is_contention(exc: BaseException) -> bool:
    for current in _chain(exc):
        if getattr(current, "sqlstate", None) in RETRYABLE_SQLSTATES:
            return True
        if isinstance(current, sqlite3.OperationalError) and "locked" in str(current):
            return True
    return False
