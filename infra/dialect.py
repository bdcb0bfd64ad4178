"""The SQL that differs between SQLite and PostgreSQL, named once so services do not ask which
database they run on: they ask for a clause, or whether the database can do a thing.

Queries are written for PostgreSQL with `$1` placeholders; `sql` rewrites them for SQLite.
Upserts (`ON CONFLICT ... DO NOTHING / DO UPDATE ... excluded.`) and `RETURNING` are written
the same on both (SQLite 3.35+), and read through `db.fetch` (tortoise's `execute_query_dict`)
on both, so they need nothing here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from tortoise import connections

_PLACEHOLDER = re.compile(r"\$(\d+)")


@dataclass(frozen=True)
class Dialect:
    name: str
    # Data-modifying statements inside WITH: several writes as one statement (one round trip).
    writable_ctes: bool
    # The transaction's last statement and its COMMIT in one message (db.commit_with).
    commit_in_one_message: bool
    # Bulk loads: COPY, skippable foreign-key triggers (superuser), sequences to move, ANALYZE.
    bulk_copy: bool
    # Row locks: SQLite has one writer at a time, so a lock clause is empty there.
    row_locks: bool
    # Session-level advisory locks shared by every host (pg_try_advisory_xact_lock).
    advisory_locks: bool

    def sql(self, query: str) -> str:
        """`$1` placeholders as this database numbers them (`?1` on SQLite)."""
        return query if self.name == "postgres" else _sqlite_sql(query)

    def lock(self, strength: str = "UPDATE") -> str:
        """The row-lock clause ending a SELECT: ` FOR NO KEY UPDATE` for strength "NO KEY UPDATE"."""
        return f" FOR {strength}" if self.row_locks else ""

    def skip_locked(self, of: str | None = None) -> str:
        """The clause ending a SELECT that claims rows several workers share: rows another
        transaction holds are skipped, not waited for (` FOR UPDATE OF d SKIP LOCKED`). Empty
        on SQLite, where one writer at a time (one worker) needs none."""
        if not self.row_locks:
            return ""
        return f" FOR UPDATE{f' OF {of}' if of else ''} SKIP LOCKED"

    def typed(self, expression: str, sql_type: str) -> str:
        """`expression` cast where PostgreSQL cannot infer a parameter's type (inside a CASE, say);
        SQLite is dynamically typed and takes it as it is."""
        return f"{expression}::{sql_type}" if self.name == "postgres" else expression

    @property
    def consistent_read_only(self) -> str | None:
        """The statement that makes a transaction read one snapshot, or None where every
        transaction already does (SQLite's transactions are serializable)."""
        return "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY" if self.name == "postgres" else None


POSTGRES = Dialect(
    name="postgres", writable_ctes=True, commit_in_one_message=True, bulk_copy=True, row_locks=True, advisory_locks=True,
)
SQLITE = Dialect(
    name="sqlite", writable_ctes=False, commit_in_one_message=False, bulk_copy=False, row_locks=False,
    advisory_locks=False,
)

_current: Dialect | None = None  # the open database's, asked on every statement


def current() -> Dialect:
    global _current
    if _current is None:
        _current = POSTGRES if connections.get("default").capabilities.dialect == "postgres" else SQLITE
    return _current


def forget() -> None:
    """After the connections close: the next database opened may be the other kind."""
    global _current
    _current = None


@lru_cache(maxsize=1024)
def _sqlite_sql(query: str) -> str:
    return _PLACEHOLDER.sub(r"?\1", query)
