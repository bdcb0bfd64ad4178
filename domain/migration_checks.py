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
        for key, value in zip(options.keys, options.values):
            if not (isinstance(key, ast.Constant) and key.value == "constraints" and isinstance(value, ast.List)):
                continue
            checks = [c for c in value.elts if _is_call(c, "CheckConstraint")]
            if not checks:
                continue
            kept = [ast.get_source_segment(source, c) for c in value.elts if c not in checks]
            start = _offset(lines, value.lineno, value.col_offset)
            end = _offset(lines, value.end_lineno, value.end_col_offset)  # type: ignore[arg-type]
            edits.append((start, end, "[" + ", ".join(kept) + "]"))
            after = _offset(lines, op.end_lineno, op.end_col_offset)  # type: ignore[attr-defined]
            added = "".join(
                f",\n        ops.AddConstraint(model_name={model_name.value!r}, constraint={ast.get_source_segment(source, c)})"
                for c in checks
            )
            edits.append((after, after, added))
            moved += len(checks)
    for start, end, text in sorted(edits, reverse=True):
        source = source[:start] + text + source[end:]
    return source, moved


def fix_migration_files(folder: Path) -> list[str]:
    changed = []
    for path in sorted(folder.glob("[0-9]*.py")):
        text, moved = split_check_constraints(path.read_text())
        if moved:
            path.write_text(text)
            changed.append(f"{path.name}: {moved} CHECK constraint(s) moved to AddConstraint")
    return changed
