"""Bulk writes: many rows of a table in one go, inside a transaction, on either database.

PostgreSQL takes them by COPY (asyncpg's `copy_records_to_table` on the transaction's own
connection), SQLite by one `executemany`. Used by the seed (devtools/seed.py) and the legacy
import (domain/imports): both build plain row tuples in Python, ids included.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextlib import asynccontextmanager
from typing import Any

from tortoise.transactions import in_transaction

from infra import db, dialect

# A bulk transaction is not a request: no statement timeout; a commit need not wait for the
# WAL flush (a crash loses at most the last batches, which their caller then writes again).
_BULK_SETTINGS = "SET LOCAL statement_timeout = 0; SET LOCAL synchronous_commit = off"
_NO_FK_TRIGGERS = "; SET LOCAL session_replication_role = replica"


# A table a bulk load is filling has planner statistics from when it was small: a lookup by a
# unique key would then be planned as a scan of the whole (now large) table, batch after batch.
_INDEX_LOOKUPS = "; SET LOCAL enable_seqscan = off"


@asynccontextmanager
async def transaction(*, fk_checks: bool = True, index_lookups: bool = False):
    """One transaction for a batch of bulk writes; `fk_checks=False` (PostgreSQL superusers only)
    skips the foreign-key triggers, as pg_restore --disable-triggers does; `index_lookups` plans
    the batch's reads by index whatever the statistics say (a batch that looks rows up by key)."""
    async with in_transaction() as conn:
        if dialect.current().bulk_copy:
            async with conn.acquire_connection() as raw:
                await raw.execute(_BULK_SETTINGS + ("" if fk_checks else _NO_FK_TRIGGERS)
                                  + (_INDEX_LOOKUPS if index_lookups else ""))
        yield conn


async def copy_rows(conn, table: str, columns: Sequence[str], rows: list[tuple]) -> None:
    """Write `rows` (tuples in `columns` order) into `table` inside the transaction `conn`."""
    if not rows:
        return
    if dialect.current().bulk_copy:
        async with conn.acquire_connection() as raw:
            await raw.copy_records_to_table(table, records=rows, columns=list(columns))
        return
    marks = ", ".join("?" for _ in columns)
    await conn.execute_many(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


async def reserve_many(conn, counts: dict[str, int]) -> dict[str, list[int]]:
    """`reserve_ids` for several tables at once: on PostgreSQL one statement, arrays back."""
    if not dialect.current().bulk_copy:
        return {table: await reserve_ids(conn, table, count) for table, count in counts.items()}
    tables = [table for table, count in counts.items() if count > 0]
    found: dict[str, list[int]] = {table: [] for table in counts}
    if not tables:
        return found
    columns = ", ".join(
        f"(SELECT array_agg(nextval(pg_get_serial_sequence('{table}', 'id'))) FROM generate_series(1, ${n}::int)) AS t{n}"
        for n, table in enumerate(tables, start=1)
    )
    row = (await db.fetch(f"SELECT {columns}", *(counts[t] for t in tables), connection=conn))[0]
    for n, table in enumerate(tables, start=1):
        found[table] = [int(i) for i in row[f"t{n}"]]
    return found


async def reserve_ids(conn, table: str, count: int) -> list[int]:
    """`count` fresh ids of `table`'s serial primary key, for rows written with their ids.

    PostgreSQL draws them from the table's sequence, so concurrent writers (the API) never get
    them; SQLite has one writer at a time, so inside the caller's write transaction the ids
    after the highest one are free (the caller must write something first, to hold the lock).
    """
    if count <= 0:
        return []
    if dialect.current().bulk_copy:
        rows = await db.fetch(
            f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) AS id FROM generate_series(1, $1)", count,
            connection=conn,
        )
        return [int(row["id"]) for row in rows]
    rows = await db.fetch(f"SELECT COALESCE(MAX(id), 0) AS top FROM {table}", connection=conn)
    top = int(rows[0]["top"])
    return list(range(top + 1, top + 1 + count))


async def may_skip_fk_checks() -> bool:
    """Whether `transaction(fk_checks=False)` can work here: PostgreSQL, as a superuser."""
    if not dialect.current().bulk_copy:
        return False
    rows = await db.fetch("SELECT current_setting('is_superuser') AS superuser")
    return rows[0]["superuser"] == "on"


def one_of(column: str, values: list, param: str = "$1") -> tuple[str, Any]:
    """A condition "`column` is one of `values`" with one parameter, however many values:
    `= ANY($1)` with an array on PostgreSQL, `IN (SELECT value FROM json_each($1))` on SQLite
    (which has no arrays, and a limit on the number of parameters)."""
    if dialect.current().bulk_copy:
        return f"{column} = ANY({param})", list(values)
    return f"{column} IN (SELECT value FROM json_each({param}))", json.dumps(list(values), default=str)


async def analyze(tables: Sequence[str]) -> None:
    """Fresh planner statistics (PostgreSQL): the first queries after a bulk load would otherwise
    plan for empty tables."""
    if not dialect.current().bulk_copy:
        return
    async with transaction() as conn, conn.acquire_connection() as raw:
        await raw.execute(f"ANALYZE {', '.join(tables)}")
