"""Database wiring: tortoise configuration, start-up, migrations and small raw-SQL helpers."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from asyncpg import PostgresError
from asyncpg.transaction import TransactionState
from tortoise import Model, Tortoise, connections
from tortoise.backends.base.client import TransactionContextPooled
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.backends.sqlite.client import SqliteTransactionContext
from tortoise.connection import get_connections
from tortoise.transactions import in_transaction

from infra import dialect
from infra.settings import Settings, sqlite_path

log = logging.getLogger("orchard.db")

M = TypeVar("M", bound=Model)

APP_LABEL = "orchard"
MODEL_MODULES = [
    "domain.stores.models",
    "domain.idempotency.models",
    "domain.programme.models",
    "domain.tiers.models",
    "domain.members.models",
    "domain.notifications.models",
    "domain.ledger.models",
    "domain.earning.models",
    "domain.mall.models",
    "domain.coupons.models",
    "domain.lotteries.models",
    "domain.webhooks.models",
    "domain.donations.models",
    "domain.partners.models",
    "domain.imports.models",
    "domain.metrics.models",
    "domain.audit.models",
    "infra.worker.models",
]
MIGRATIONS_MODULE = "migrations"


def tortoise_config(settings: Settings) -> dict[str, Any]:
    connection = expand_db_url(settings.database_url)
    if connection["engine"].endswith("asyncpg"):
        creds = connection["credentials"]
        creds.setdefault("minsize", 1)
        creds.setdefault("maxsize", settings.db_pool_size)
        creds["server_settings"] = {
            "statement_timeout": str(settings.statement_timeout_ms),
            "lock_timeout": str(settings.lock_timeout_ms),
            "application_name": "orchard",
        }
        creds["reset"] = _keep_session
    else:
        sqlite_path(settings.database_url).parent.mkdir(parents=True, exist_ok=True)
        # Writers wait for the file lock instead of failing at once.
        connection["credentials"]["busy_timeout"] = 5000
    return {
        "connections": {"default": connection},
        "apps": {
            APP_LABEL: {
                "models": MODEL_MODULES,
                "migrations": MIGRATIONS_MODULE,
                "default_connection": "default",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def _keep_session(_connection) -> None:
    """Release a pooled connection without asyncpg's reset statement (RESET ALL, UNLISTEN *, ...).

    That statement is one more round trip after every query outside a transaction. Orchard keeps
    no session state to reset: settings are fixed per connection (server_settings above) or SET
    LOCAL, and nothing listens or takes advisory locks. asyncpg still rolls back a transaction
    left open before it calls this.
    """


async def init_db(settings: Settings) -> None:
    dialect.forget()
    # The global fallback lets request tasks see the context opened in the lifespan task.
    await Tortoise.init(config=tortoise_config(settings), _enable_global_fallback=True)


async def close_db() -> None:
    dialect.forget()
    await Tortoise.close_connections()


async def apply_migrations(settings: Settings, *, progress=None) -> None:
    """Apply every pending migration (tortoise's own migration executor)."""
    from tortoise.migrations.api import migrate

    await migrate(config=tortoise_config(settings), progress=progress)


# One hook, called as each top-level transaction is about to commit, inside it (the audit trail
# writes its record there, so the record and the change it describes commit together).
# `pending()` says whether it will write for the current task (commit_with asks, see there).
_before_commit: list[Callable[[Any], Awaitable[None]]] = []
def _nothing_pending() -> bool:
    return False


_before_commit_pending: Callable[[], bool] = _nothing_pending


def set_before_commit(hook: Callable[[Any], Awaitable[None]], pending: Callable[[], bool] = lambda: True) -> None:
    global _before_commit_pending
    _before_commit[:] = [hook]
    _before_commit_pending = pending


async def _run_before_commit(client) -> None:
    for hook in _before_commit:
        await hook(client)


def _hooked(context_class) -> None:
    """Wrap a top-level transaction context's exit: the hook runs before a commit; when it
    fails, the transaction rolls back and its error propagates."""
    original = context_class.__aexit__
    if getattr(original, "_orchard_hooked", False):
        return

    async def __aexit__(self, exc_type, exc_val, exc_tb):
        client = getattr(self, "client", None) or self.connection  # the pooled and the SQLite contexts
        if exc_type is None and _before_commit and not client._finalized:
            try:
                await _run_before_commit(client)
            except BaseException as exc:
                await original(self, type(exc), exc, exc.__traceback__)
                raise
        return await original(self, exc_type, exc_val, exc_tb)

    __aexit__._orchard_hooked = True
    context_class.__aexit__ = __aexit__


_hooked(TransactionContextPooled)
_hooked(SqliteTransactionContext)


def _entered_or_undone(context_class) -> None:
    """tortoise 1.1's pooled context takes a connection and points the task's context at its
    transaction before it sends BEGIN; when BEGIN fails (the database went away, the request was
    cancelled) `async with` never calls the exit, so the connection was never given back and
    every later statement in the task went to that dead transaction. Undo both, then raise."""
    original = context_class.__aenter__
    if getattr(original, "_orchard_undone", False):
        return

    async def __aenter__(self):
        try:
            return await original(self)
        except BaseException:
            token = getattr(self, "token", None)
            if token is not None:  # it got as far as the connection and the context
                get_connections().reset(token)
                pool = self.client._parent._pool
                if pool is not None:
                    await pool.release(self.client._connection)
            raise

    __aenter__._orchard_undone = True
    context_class.__aenter__ = __aenter__


_entered_or_undone(TransactionContextPooled)


def transaction(connection=None, *, savepoint: bool = True):
    """Our own transaction, or a savepoint inside the caller's `connection`.

    With `savepoint=False` the work joins the caller's transaction as it is: for a caller that
    rolls its whole transaction back on any error, where a savepoint would only cost two round
    trips (SAVEPOINT and RELEASE).
    """
    if connection is None:
        return in_transaction()
    if not savepoint:
        return _joined(connection)
    return connection._in_transaction()


@asynccontextmanager
async def _joined(connection):
    yield connection


class LastStatementFailed(Exception):
    """`commit_with`'s statement failed: PostgreSQL skipped the COMMIT, the transaction is aborted."""


async def commit_with(conn, statement: str, *, failed_sqlstate: str) -> None:
    """Run the transaction's last `statement` and its COMMIT as one message (PostgreSQL only).

    A row lock the statement takes (a hot stock row) is then held for PostgreSQL's own work
    only, not for a round trip and a turn of this worker's event loop before the COMMIT goes
    out. Several statements in one message need the simple query protocol, which carries no
    parameters: `statement` must be built from integers only. When it fails with
    `failed_sqlstate`, PostgreSQL skips the COMMIT and LastStatementFailed is raised; the
    caller's `in_transaction` then rolls the aborted transaction back. Any other failure
    propagates as it is.
    """
    opened = conn.transaction  # tortoise's TransactionWrapper keeps asyncpg's Transaction here
    if opened is None or _is_savepoint(opened):
        raise RuntimeError("commit_with ends a top-level transaction, not a savepoint")
    if _before_commit_pending():
        # The hook (the audit trail's append) takes a lock of its own: it must come after the
        # statement's row lock, as in every other transaction, or the two wait on each other (a
        # staff redemption holding the audit lock while it waits for a stock row that an audited
        # restock holds while it waits for the audit lock). So the statement goes first, alone.
        await _execute_or_fail(conn, statement, statement, failed_sqlstate)
        await _run_before_commit(conn)
        message = "COMMIT"
    else:
        message = f"{statement}; COMMIT"
    await _execute_or_fail(conn, message, statement, failed_sqlstate)
    _committed_outside(conn, opened)


async def _execute_or_fail(conn, message: str, statement: str, failed_sqlstate: str) -> None:
    conn.log.debug("%s: %s", message, [])
    async with conn.acquire_connection() as connection:  # the transaction's asyncpg connection
        try:
            await connection.execute(message)
        except PostgresError as exc:
            if exc.sqlstate == failed_sqlstate:
                raise LastStatementFailed(statement) from exc
            raise


# Neither asyncpg nor tortoise has an API for "this transaction was committed by a statement
# of mine", and asyncpg's Transaction.commit() always sends its own COMMIT. The two functions
# below are the only places that touch their private state (asyncpg 0.30, tortoise 1.1); a
# test (tests/test_mall_stock_commit.py) fails if an upgrade moves it. The public way round,
# sending "...; COMMIT; BEGIN" and letting tortoise commit the empty transaction, would cost
# every redemption on PostgreSQL one more round trip.


def _is_savepoint(opened) -> bool:
    return opened._nested


def _committed_outside(conn, opened) -> None:
    """Tell asyncpg and tortoise the transaction they opened is over, as their own commit would."""
    if opened._connection._top_xact is opened:
        opened._connection._top_xact = None
    opened._state = TransactionState.COMMITTED
    conn._finalized = True  # tortoise's in_transaction then neither commits nor rolls back


def is_postgres() -> bool:
    """For tests that inspect the database's own catalogue; services ask `dialect.current()`."""
    return dialect.current() is dialect.POSTGRES


def sql(query: str) -> str:
    """Write queries with `$1` placeholders; on SQLite they become the numbered `?1`."""
    return dialect.current().sql(query)


def placeholders(count: int, start: int = 1) -> str:
    """`$1, $2, ...` for an IN list of `count` values."""
    return ", ".join(f"${i}" for i in range(start, start + count))


async def fetch(query: str, *params: Any, connection=None) -> list[dict]:
    conn = connection or connections.get("default")
    return await conn.execute_query_dict(sql(query), list(params))


async def execute(query: str, *params: Any, connection=None) -> int:
    """The statement's count of changed rows. A statement with RETURNING goes through `fetch`
    (tortoise's execute_query_dict): on asyncpg, execute_query drops returned rows, and counts
    none for a statement that starts with WITH."""
    conn = connection or connections.get("default")
    count, _ = await conn.execute_query(sql(query), list(params))
    return count


async def insert_rows(table: str, columns: tuple[str, ...], rows: list[tuple], *, connection=None) -> None:
    """One multi-row INSERT for `rows` (each a tuple in `columns` order); nothing for no rows."""
    if not rows:
        return
    await execute(insert_rows_sql(table, columns, len(rows)), *(value for row in rows for value in row), connection=connection)


def insert_rows_sql(table: str, columns: tuple[str, ...], count: int, start: int = 1) -> str:
    """The multi-row INSERT of `insert_rows` for `count` rows, its placeholders numbered from `start`."""
    width = len(columns)
    values = ", ".join(f"({placeholders(width, start=start + i * width)})" for i in range(count))
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES {values}"


async def by_id(model: type[M], pk: Any, *, connection=None) -> M | None:
    """One row by primary key as a model instance, without building a queryset (hot-path reads)."""
    return await by_unique(model, model._meta.db_pk_column, pk, connection=connection)


async def by_unique(model: type[M], column: str, value: Any, *, connection=None) -> M | None:
    """The row whose unique `column` holds `value`, as a model instance, without building a queryset."""
    rows = await fetch(f'SELECT * FROM "{model._meta.db_table}" WHERE "{column}" = $1', value, connection=connection)
    return model._init_from_db(**rows[0]) if rows else None


async def discard_connections() -> None:
    """After the database dropped connections (a restart, pg_terminate_backend): replace every pooled
    one. Idle ones are closed now, those in use when they come back; none is reused half-open."""
    client = connections.get("default")
    expire = getattr(client, "_expire_connections", None)
    if expire is not None:
        await expire()


async def ping() -> bool:
    try:
        await fetch("SELECT 1 AS ok")
        return True
    except Exception:
        log.warning("database ping failed", exc_info=True)
        return False


def __getattr__(name: str) -> Any:
    """`tortoise -c infra.db.TORTOISE_ORM makemigrations` reads the config from here."""
    if name == "TORTOISE_ORM":
        import os

        return tortoise_config(Settings(database_url=os.environ.get("ORCHARD_DATABASE_URL", Settings.database_url)))
    raise AttributeError(name)
