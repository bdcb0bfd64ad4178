"""Migrations, not generate_schemas, build the database: every declared CHECK constraint exists."""

from __future__ import annotations

import pytest
from tortoise import Tortoise
from tortoise.exceptions import IntegrityError
from tortoise.migrations.constraints import CheckConstraint

from domain.stores.models import StaffUser
from infra import db
from infra.migration_checks import split_check_constraints


def declared_checks() -> list[tuple[str, str]]:
    found = []
    for model in Tortoise.apps.get_models_iterable():  # type: ignore[union-attr]
        for constraint in getattr(model._meta, "constraints", ()) or ():
            if isinstance(constraint, CheckConstraint):
                found.append((model._meta.db_table, constraint.name))
    return found


async def existing_checks(table: str) -> str:
    if db.is_postgres():
        rows = await db.fetch(
            "SELECT string_agg(conname, ' ') AS names FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'c'",
            table,
        )
        return rows[0]["names"] or ""
    rows = await db.fetch("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = $1", table)
    return rows[0]["sql"]


async def test_every_declared_check_constraint_is_in_the_database():
    checks = declared_checks()
    assert checks, "models declare CHECK constraints"
    for table, name in checks:
        assert name in await existing_checks(table), f"{table}.{name} missing: was the migration fixed up?"


async def test_check_constraint_rejects_bad_rows():
    with pytest.raises(IntegrityError):
        await StaffUser.create(email="x@y.z", name="x", password_hash="x", role="CLERK", store=None)


async def test_models_and_migrations_agree(settings):
    """What `tortoise makemigrations` would write is nothing: the models have no unmigrated change."""
    from tortoise.migrations.autodetector import MigrationAutodetector

    apps_config = db.tortoise_config(settings)["apps"]
    writers = await MigrationAutodetector(Tortoise.apps, apps_config).changes()
    assert [w.name for w in writers] == []


def test_split_moves_checks_out_of_create_model():
    source = '''operations = [
    ops.CreateModel(
        name='A',
        fields=[],
        options={'table': 'a', 'constraints': [CheckConstraint(check='x >= 0', name='a_x')], 'pk_attr': 'id'},
    ),
]
'''
    fixed, moved = split_check_constraints(source)
    assert moved == 1
    assert "'constraints': []" in fixed
    assert "ops.AddConstraint(model_name='A', constraint=CheckConstraint(check='x >= 0', name='a_x'))" in fixed
    compile(fixed, "m.py", "exec")


async def unique_column_sets(table: str) -> set[frozenset[str]]:
    if db.is_postgres():
        rows = await db.fetch(
            "SELECT i.indexrelid::regclass::text AS name, array_agg(a.attname::text) AS cols FROM pg_index i"
            " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
            " WHERE i.indrelid = $1::regclass AND i.indisunique GROUP BY i.indexrelid",
            table,
        )
        return {frozenset(r["cols"]) for r in rows}
    found = set()
    for index in await db.fetch(f'SELECT name FROM pragma_index_list("{table}") WHERE "unique" = 1'):
        cols = await db.fetch(f'SELECT name FROM pragma_index_info("{index["name"]}")')
        found.add(frozenset(c["name"] for c in cols))
    return found


async def test_every_declared_unique_constraint_is_in_the_database():
    """SQLite rebuilds a table to add a CHECK: the uniqueness must survive that."""
    for model in Tortoise.apps.get_models_iterable():  # type: ignore[union-attr]
        meta = model._meta
        wanted = [frozenset([meta.fields_db_projection[name]]) for name, field in meta.fields_map.items()
                  if getattr(field, "unique", False) and not field.pk and name in meta.fields_db_projection]
        for together in meta.unique_together or ():
            wanted.append(frozenset(meta.fields_db_projection.get(f) or meta.fields_db_projection[f + "_id"] for f in together))
        existing = await unique_column_sets(meta.db_table)
        for columns in wanted:
            assert columns in existing, f"{meta.db_table}: no unique index on {sorted(columns)}"
