"""The dialect module: the SQL that differs between SQLite and PostgreSQL, in one place."""

from __future__ import annotations

from infra import db, dialect


def test_placeholders_are_numbered_the_way_each_database_reads_them():
    query = "SELECT * FROM member WHERE id = $1 AND store_id = $2 OR id = $1"
    assert dialect.POSTGRES.sql(query) == query
    assert dialect.SQLITE.sql(query) == "SELECT * FROM member WHERE id = ?1 AND store_id = ?2 OR id = ?1"


def test_lock_clauses_and_casts_are_empty_where_sqlite_needs_none():
    assert dialect.POSTGRES.lock("NO KEY UPDATE") == " FOR NO KEY UPDATE"
    assert dialect.SQLITE.lock("NO KEY UPDATE") == ""
    assert dialect.POSTGRES.typed("$3", "timestamptz") == "$3::timestamptz"
    assert dialect.SQLITE.typed("$3", "timestamptz") == "$3"


async def test_the_open_database_answers_with_its_own_dialect():
    assert (await db.fetch("SELECT $1 AS same", "seven"))[0]["same"] == "seven"
    version = (await db.fetch("SELECT version() AS v" if dialect.current().row_locks else "SELECT sqlite_version() AS v"))[0]["v"]
    assert ("PostgreSQL" in version) == (dialect.current() is dialect.POSTGRES)
