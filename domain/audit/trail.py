"""Writing and checking the audit trail.

The API sets an `Entry` for each audited operation (`begin`); the first top-level transaction
that commits while it is pending writes the record into that same transaction (infra/db.py's
before-commit hook), with the result "ok". An operation that commits nothing (it failed and
rolled back, or it only read) gets its record afterwards in a transaction of its own (`finish`),
with the error code. Appends are serialised (an advisory lock on PostgreSQL; SQLite has one
writer) so concurrent writers never fork the chain.
"""

from __future__ import annotations

import hashlib
import json
import re
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain.access import Viewer
from infra import db, dialect
from infra.clock import SYSTEM_CLOCK, Clock, utc

GENESIS = "0" * 64
_LOCK_KEY = 7_301_225  # pg_advisory_xact_lock key of the chain's append
SECRET_KEY = re.compile(r"password|secret|token|phone|otp|code|pin|birthday|name|email|address", re.IGNORECASE)
_ID_KEY = re.compile(r"(^id$|Id$|Ids$|^ids$)")
COLUMNS = (
    "at", "actor_kind", "actor_id", "actor_role", "store_id", "operation", "targets", "input_digest", "result",
    "reason", "points", "request_id", "client_address", "prev_hash", "hash",
)


@dataclass
class Entry:
    """An audited operation in flight."""

    viewer: Viewer
    operation: str
    input_digest: str
    targets: list[str]
    request_id: str | None
    client_address: str | None
    clock: Clock = SYSTEM_CLOCK
    joins_commit: bool = True  # sign-ins are written after the fact, with their outcome
    written: bool = False
    reason: str | None = None
    points: int | None = None
    extra_targets: list[str] = field(default_factory=list)


_current: ContextVar[Entry | None] = ContextVar("orchard_audit_entry", default=None)


def begin(entry: Entry):
    return _current.set(entry)


def end(token) -> None:
    _current.reset(token)


def current() -> Entry | None:
    return _current.get()


def note(*, reason: str | None = None, points: int | None = None, targets: list[str] | None = None) -> None:
    """A service adds what the record should say (a points adjustment's reason and size)."""
    entry = _current.get()
    if entry is None:
        return
    if reason is not None:
        entry.reason = reason
    if points is not None:
        entry.points = points
    if targets:
        entry.extra_targets.extend(targets)


def digest(value: Any) -> str:
    """SHA-256 of the input with secrets and personal data (phones, names, codes) blanked."""
    return hashlib.sha256(json.dumps(_redacted(value), sort_keys=True, separators=(",", ":"), default=str).encode()).hexdigest()


def _redacted(value: Any, key: str = "") -> Any:
    if key and SECRET_KEY.search(key) and not _ID_KEY.search(key):
        return "*"
    if isinstance(value, dict):
        return {k: _redacted(v, k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_redacted(v, key) for v in value]
    if hasattr(value, "__dict__") and not isinstance(value, (str, int, float, bool)):
        return _redacted({k: v for k, v in vars(value).items() if not k.startswith("_")}, key)
    return value


def global_ids(value: Any, key: str = "") -> list[str]:
    """The global IDs an input names (its `id`, `xId` and `xIds` fields)."""
    found: list[str] = []
    if isinstance(value, dict):
        for k, v in value.items():
            found.extend(global_ids(v, k))
    elif isinstance(value, (list, tuple)):
        for v in value:
            found.extend(global_ids(v, key))
    elif isinstance(value, str) and key and _ID_KEY.search(key):
        found.append(value)
    elif hasattr(value, "__dict__") and not isinstance(value, (int, float, bool)):
        return global_ids({k: v for k, v in vars(value).items() if not k.startswith("_")}, key)
    return found


def _body(row: dict[str, Any]) -> str:
    at = datetime.fromisoformat(row["at"]) if isinstance(row["at"], str) else row["at"]
    values = {k: row[k] for k in COLUMNS if k not in ("hash", "at")}
    values["at"] = int(utc(at).timestamp() * 1_000_000) if isinstance(at, datetime) else at
    return json.dumps(values, sort_keys=True, separators=(",", ":"), default=str)


def record_hash(row: dict[str, Any]) -> str:
    return hashlib.sha256(_body(row).encode()).hexdigest()


async def append(entry: Entry, result: str, *, connection) -> None:
    """Append `entry`'s record inside `connection`'s transaction."""
    if dialect.current().advisory_locks:
        await db.fetch("SELECT pg_advisory_xact_lock($1) AS locked", _LOCK_KEY, connection=connection)
    head = await db.fetch("SELECT hash FROM audit_record ORDER BY id DESC LIMIT 1", connection=connection)
    now = utc(entry.clock.now())
    viewer = entry.viewer
    row: dict[str, Any] = {
        "at": now, "actor_kind": viewer.kind.value, "actor_id": viewer.subject_id,
        "actor_role": viewer.role.value if viewer.role else None, "store_id": viewer.store_id,
        "operation": entry.operation, "targets": json.dumps(sorted(set(entry.targets + entry.extra_targets))),
        "input_digest": entry.input_digest, "result": result[:64], "reason": entry.reason, "points": entry.points,
        "request_id": entry.request_id, "client_address": entry.client_address,
        "prev_hash": head[0]["hash"] if head else GENESIS,
    }
    row["hash"] = record_hash(row)
    await db.execute(
        f"INSERT INTO audit_record ({', '.join(COLUMNS)}) VALUES ({db.placeholders(len(COLUMNS))})",
        *(row[c] for c in COLUMNS), connection=connection,
    )


def _unwritten() -> Entry | None:
    """The current task's entry when the commit about to happen must write it."""
    entry = _current.get()
    return entry if entry is not None and not entry.written and entry.joins_commit else None


def will_write() -> bool:
    return _unwritten() is not None


async def before_commit(connection) -> None:
    """infra/db.py calls this as a top-level transaction is about to commit."""
    entry = _unwritten()
    if entry is None:
        return
    entry.written = True
    await append(entry, "ok", connection=connection)


async def finish(entry: Entry, result: str) -> None:
    """After the operation: its record, unless a commit of its own wrote it with this result."""
    if entry.written and result == "ok":
        return
    entry.written = True
    async with db.transaction() as conn:
        await append(entry, result, connection=conn)


db.set_before_commit(before_commit, pending=will_write)


async def verify(*, batch: int = 1000) -> tuple[int, int | None]:
    """Walk the chain: (records checked, id of the first broken record or None)."""
    previous = GENESIS
    last_id = 0
    checked = 0
    while True:
        rows = await db.fetch(
            f"SELECT id, {', '.join(COLUMNS)} FROM audit_record WHERE id > $1 ORDER BY id LIMIT $2", last_id, batch
        )
        for row in rows:
            if row["prev_hash"] != previous or record_hash(row) != row["hash"]:
                return checked, row["id"]
            previous = row["hash"]
            checked += 1
        if len(rows) < batch:
            return checked, None
        last_id = rows[-1]["id"]
