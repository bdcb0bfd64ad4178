"""Make generated migrations carry CHECK constraints.

tortoise's `makemigrations` puts a new model's CHECK constraints into the CreateModel options,
where the schema editor ignores them. This moves each one into its own AddConstraint
operation right after the CreateModel, which both SQLite (table rebuild) and PostgreSQL
(ALTER TABLE ... ADD CONSTRAINT) apply.
"""

from __future__ import annotations

import ast
from pathlib import Path


def _is_call(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Call) and (
        (isinstance(node.func, ast.Attribute) and node.func.attr == name)
        or (isinstance(node.func, ast.Name) and node.func.id == name)
    )


def _kwarg(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _offset(lines: list[str], lineno: int, col: int) -> int:
    return sum(len(line) for line in lines[: lineno - 1]) + col


def split_check_constraints(source: str) -> tuple[str, int]:
    """Edit the text in place (formatting kept): drop CHECKs from options, add AddConstraint ops."""
    lines = source.splitlines(keepends=True)
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement)
    moved = 0
    for op in ast.walk(ast.parse(source)):
        if not _is_call(op, "CreateModel"):
            continue
        options = _kwarg(op, "options")  # type: ignore[arg-type]
        model_name = _kwarg(op, "name")  # type: ignore[arg-type]
        if not isinstance(options, ast.Dict) or not isinstance(model_name, ast.Constant):
            continue
        entries = {k.value: (k, v) for k, v in zip(options.keys, options.values, strict=True) if isinstance(k, ast.Constant)}
        constraints = entries.get("constraints")
        if constraints is None or not isinstance(constraints[1], ast.List):
            continue
        value = constraints[1]
        checks = [c for c in value.elts if _is_call(c, "CheckConstraint")]
        if not checks:
            continue
        kept = [ast.get_source_segment(source, c) for c in value.elts if c not in checks]
        edits.append((_offset(lines, value.lineno, value.col_offset),
                      _offset(lines, value.end_lineno, value.end_col_offset), "[" + ", ".join(kept) + "]"))  # type: ignore[arg-type]
        added = [f"ops.AddConstraint(model_name={model_name.value!r}, constraint={ast.get_source_segment(source, c)})" for c in checks]
        # SQLite adds a CHECK by rebuilding the table, which loses its other indexes: the
        # unique_together constraints are therefore added after the CHECKs, as their own operations.
        together = entries.get("unique_together")
        if together is not None and isinstance(together[1], (ast.Tuple, ast.List)) and together[1].elts:
            key, tuple_node = together
            start = _offset(lines, key.lineno, key.col_offset)
            end = _offset(lines, tuple_node.end_lineno, tuple_node.end_col_offset)  # type: ignore[arg-type]
            following = source[end:end + 2]
            edits.append((start, end + (2 if following == ", " else 0), ""))
            for fields_node in tuple_node.elts:
                added.append(
                    f"ops.AddConstraint(model_name={model_name.value!r}, "
                    f"constraint=UniqueConstraint(fields={ast.get_source_segment(source, fields_node)}))"
                )
        after = _offset(lines, op.end_lineno, op.end_col_offset)  # type: ignore[attr-defined]
        edits.append((after, after, "".join(",\n        " + a for a in added)))
        moved += len(checks)
    for start, end, text in sorted(edits, reverse=True):
        source = source[:start] + text + source[end:]
    if moved and "UniqueConstraint(" in source and "import UniqueConstraint" not in source:
        source = source.replace(
            "from tortoise.migrations.constraints import CheckConstraint",
            "from tortoise.migrations.constraints import CheckConstraint, UniqueConstraint",
        )
    return source, moved


def fix_migration_files(folder: Path) -> list[str]:
    changed = []
    for path in sorted(folder.glob("[0-9]*.py")):
        text, moved = split_check_constraints(path.read_text())
        if moved:
            path.write_text(text)
            changed.append(f"{path.name}: {moved} CHECK constraint(s) moved to AddConstraint")
    return changed
