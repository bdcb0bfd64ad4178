from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from tortoise.transactions import in_transaction

from domain import text
from domain.errors import DomainError
from domain.idempotency import in_flight
from infra import db
from infra.clock import SYSTEM_CLOCK, Clock, utc

MAX_KEY_LENGTH = 255
MIN_TTL = timedelta(hours=24)  # the API promises every key lives at least a day
DEFAULT_TTL = timedelta(hours=48)
PURGE_BATCH = 5_000


class _Keeping:
    ttl = DEFAULT_TTL


def keep_keys_for(*, hours: int) -> None:
    """How long a key is kept, from Settings.idempotency_ttl_hours; set at start-up."""
    ttl = timedelta(hours=hours)
    if ttl < MIN_TTL:
        raise ValueError(f"idempotency keys live at least {MIN_TTL}, not {ttl}")
    _Keeping.ttl = ttl


class IdempotencyError(DomainError):
    pass


@dataclass(frozen=True)
class Outcome:
    result: dict[str, Any]
    replayed: bool


def fingerprint(operation: str, request: dict[str, Any]) -> str:
    canonical = json.dumps([operation, request], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def check_key(key: str, field: str = "idempotencyKey") -> None:
    """1 to 255 characters, not only blanks, no control or invisible formatting characters."""
    text.clean_key(key, field, MAX_KEY_LENGTH, code="INVALID_IDEMPOTENCY_KEY")


async def run_once(
    *,
    scope: str,
    key: str,
    operation: str,
    request: dict[str, Any],
    action: Callable[[Any], Awaitable[dict[str, Any]]],
    clock: Clock = SYSTEM_CLOCK,
    ttl: timedelta | None = None,
) -> Outcome:
    """Run `action(connection)` in one transaction together with the record of its key.

    The key row is inserted first: a concurrent retry with the same key waits on the
    unique index until the first transaction ends, then replays its result. A DomainError
    from the action rolls back everything, the key included, so a retry decides afresh.
    """
    check_key(key)
    ttl = ttl or _Keeping.ttl
    return await in_flight.one_at_a_time(
        scope, key, [operation, request], lambda: _run_once(scope, key, operation, request, action, clock, ttl),
        in_progress=in_progress,
    )


def in_progress(field: str = "idempotencyKey") -> IdempotencyError:
    return IdempotencyError(
        "IN_PROGRESS", "A request with this key is still being processed: send it again with the same key in a moment.",
        field=field,
    )


async def _run_once(scope: str, key: str, operation: str, request: dict[str, Any],
                    action: Callable[[Any], Awaitable[dict[str, Any]]], clock: Clock, ttl: timedelta) -> Outcome:
    print_ = fingerprint(operation, request)
    now = utc(clock.now())
    async with in_transaction() as conn:
        await db.execute(
            "DELETE FROM idempotency_record WHERE scope = $1 AND key = $2 AND expires_at < $3",
            scope, key, now, connection=conn,
        )
        claimed = await db.fetch(
            "INSERT INTO idempotency_record (scope, key, operation, fingerprint, result, created_at, expires_at)"
            " VALUES ($1, $2, $3, $4, '', $5, $6) ON CONFLICT (scope, key) DO NOTHING RETURNING id",
            scope, key, operation, print_, now, now + ttl, connection=conn,
        )
        if not claimed:
            rows = await db.fetch(
                "SELECT operation, fingerprint, result FROM idempotency_record WHERE scope = $1 AND key = $2",
                scope, key, connection=conn,
            )
            first = rows[0]
            if first["operation"] != operation or first["fingerprint"] != print_:
                raise IdempotencyError(
                    "IDEMPOTENCY_KEY_REUSED",
                    "This idempotency key was already used for a different request.",
                    field="idempotencyKey",
                )
            return Outcome(result=json.loads(first["result"]), replayed=True)
        result = await action(conn)
        await db.execute(
            "UPDATE idempotency_record SET result = $1 WHERE id = $2",
            json.dumps(result, default=str), claimed[0]["id"], connection=conn,
        )
    return Outcome(result=result, replayed=False)


async def purge_expired(
    clock: Clock = SYSTEM_CLOCK, *, batch_size: int = PURGE_BATCH, progress: Callable[[int], None] | None = None
) -> int:
    """Delete the records whose keys expired, a batch per statement so no delete holds many rows
    locked at once; returns how many. `progress(deleted_so_far)` after each batch."""
    now = utc(clock.now())
    deleted = 0
    while True:
        done = await db.execute(_PURGE_BATCH, now, batch_size)
        deleted += done
        if progress and done:
            progress(deleted)
        if done < batch_size:
            return deleted


_PURGE_BATCH = (
    "DELETE FROM idempotency_record WHERE id IN"
    " (SELECT id FROM idempotency_record WHERE expires_at < $1 ORDER BY id LIMIT $2)"
)
