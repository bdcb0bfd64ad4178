"""Delivering the outbox: `orchard worker`'s webhook-delivery job.

Each run loops until nothing is due (or its time is up):

1. Fan-out: events not yet fanned out (oldest first, FOR UPDATE SKIP LOCKED on PostgreSQL)
   get one dispatch per enabled endpoint subscribed to their type that is for them (chain
   endpoints: every event; a partner's: that partner's events) and existed when the event was
   written. Deciding here, not in `emit`, keeps the write paths at one INSERT.
2. Claim: due dispatches of enabled endpoints are claimed by one UPDATE that counts the attempt
   and leases the row (`locked_until`), its rows chosen FOR UPDATE SKIP LOCKED: several workers
   share the outbox and no attempt is made twice. A worker that dies mid-send leaves the lease
   to run out; the dispatch is then due again (at-least-once).
3. Send, at most `webhook_concurrency` at once, signed per Standard Webhooks (`webhook-id` is
   the event's stable `evt_...` id, `webhook-timestamp`, `webhook-signature: v1,<base64
   HMAC-SHA256 of id.timestamp.body>`). A 2xx answer is a success; anything else, a timeout or a
   refused address is a failure. Redirects are not followed.
4. Record, in one transaction: a WebhookDelivery row per attempt (status code, latency, error,
   attempt number); the dispatch SUCCEEDED, or due again after `retry_delay` (exponential,
   with jitter), or FAILED once the next try would fall after three days; the endpoint's run of
   failures, which disables it (FAILING) after DISABLE_AFTER_FAILURES failed attempts in a row
   spanning at least DISABLE_AFTER_FAILING_FOR. Its owner enables it again
   (`enableWebhookEndpoint`); its pending dispatches then go on.

A batch waits for its slowest send, at most `webhook_timeout_seconds`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from standardwebhooks.webhooks import Webhook
from tortoise.transactions import in_transaction

from domain.webhooks import secrets, transport, urls
from domain.webhooks.endpoints import RETRY_FOR
from domain.webhooks.errors import WebhookError
from domain.webhooks.models import WebhookEndpoint
from infra import db, dialect
from infra.clock import Clock, utc
from infra.settings import Settings

log = logging.getLogger("orchard.webhooks")

BACKOFF_FIRST = timedelta(seconds=5)  # the delay after the first failed attempt, before jitter
BACKOFF_FACTOR = 4
BACKOFF_CAP = timedelta(hours=12)
DISABLE_AFTER_FAILURES = 10  # failed attempts in a row (any events) ...
DISABLE_AFTER_FAILING_FOR = timedelta(hours=1)  # ... over at least this long: a short outage never disables
FAN_OUT_BATCH = 500
CLAIM_BATCH = 128  # dispatches claimed, sent (webhook_concurrency at a time) and recorded together
RESPONSE_BYTES_READ = 64 * 1024  # of an answer's body: only the status counts
MAX_ERROR = 500


def retry_delay(failed_attempts: int, rng: Callable[[], float] = random.random) -> timedelta:
    """How long after its n-th failed attempt a dispatch is tried again: 5 s x 4^(n-1), at most
    12 hours, with "equal jitter" (half of it fixed, half random), so a receiver that comes back
    is not hit by every retry at the same moment. Without jitter: 5 s, 20 s, 80 s, 5.3 min,
    21 min, 85 min, 5.7 h, then every 12 h until three days have passed (about 14 attempts)."""
    delay = min(BACKOFF_FIRST * BACKOFF_FACTOR ** (failed_attempts - 1), BACKOFF_CAP)
    return delay / 2 + delay / 2 * rng()


def _moment(value: Any) -> datetime:
    """A timestamp column read by raw SQL: SQLite hands back text."""
    return utc(datetime.fromisoformat(value) if isinstance(value, str) else value)


# ---- 1. fan-out -------------------------------------------------------------------------------

_DISPATCH_COLUMNS = ("event_id", "endpoint_id", "status", "attempts", "next_attempt_at", "give_up_at", "replay", "created_at")


def _subscribed(endpoint: WebhookEndpoint, event_type: str, partner_id: int | None, created_at: datetime) -> bool:
    owner = endpoint.partner_id  # type: ignore[attr-defined]
    return (
        event_type in endpoint.events and (owner is None or owner == partner_id) and utc(endpoint.created_at) <= created_at
    )


async def fan_out(clock: Clock, *, batch_size: int = FAN_OUT_BATCH) -> int:
    """One batch of new events turned into dispatches; returns how many events."""
    now = utc(clock.now())
    async with in_transaction() as conn:
        rows = await db.fetch(
            "SELECT id, event_type, partner_id, created_at FROM webhook_event WHERE fanned_out_at IS NULL"
            " ORDER BY id LIMIT $1" + dialect.current().skip_locked(), batch_size, connection=conn,
        )
        if not rows:
            return 0
        endpoints = await WebhookEndpoint.filter(enabled=True).using_db(conn)
        made = [
            (row["id"], endpoint.id, "PENDING", 0, now, now + RETRY_FOR, False, now)
            for row in rows
            for endpoint in endpoints
            if _subscribed(endpoint, row["event_type"], row["partner_id"], _moment(row["created_at"]))
        ]
        for start in range(0, len(made), 500):
            await db.insert_rows("webhook_dispatch", _DISPATCH_COLUMNS, made[start:start + 500], connection=conn)
        ids = [row["id"] for row in rows]
        await db.execute(
            f"UPDATE webhook_event SET fanned_out_at = $1 WHERE id IN ({db.placeholders(len(ids), start=2)})", now, *ids,
            connection=conn,
        )
    return len(rows)


# ---- 2. claim ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claimed:
    dispatch_id: int
    event_pk: int
    endpoint_id: int
    attempt: int
    replay: bool
    give_up_at: datetime


def _claim_sql() -> str:
    return (
        "UPDATE webhook_dispatch SET attempts = attempts + 1, locked_until = $1 WHERE id IN ("
        " SELECT d.id FROM webhook_dispatch d JOIN webhook_endpoint e ON e.id = d.endpoint_id"
        " WHERE d.status = 'PENDING' AND d.next_attempt_at <= $2 AND (d.locked_until IS NULL OR d.locked_until <= $2)"
        " AND e.enabled ORDER BY d.next_attempt_at, d.id LIMIT $3" + dialect.current().skip_locked("d") + ")"
        " RETURNING id, event_id, endpoint_id, attempts, replay, give_up_at"
    )


async def claim(clock: Clock, *, limit: int, lease: timedelta) -> list[Claimed]:
    now = utc(clock.now())
    rows = await db.fetch(_claim_sql(), now + lease, now, limit)
    return [
        Claimed(row["id"], row["event_id"], row["endpoint_id"], row["attempts"], bool(row["replay"]), _moment(row["give_up_at"]))
        for row in rows
    ]


# ---- 3. send ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    claimed: Claimed
    event_key: str
    event_type: str
    attempted_at: datetime
    status_code: int | None
    latency_ms: int
    error: str | None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def signed_headers(webhook: Webhook, event_key: str, at: datetime, body: str) -> dict[str, str]:
    return {
        "webhook-id": event_key,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": webhook.sign(event_key, at, body),
    }


async def _send(
    client: httpx.AsyncClient, gate: asyncio.Semaphore, claimed: Claimed, endpoint: WebhookEndpoint, webhook: Webhook,
    event: dict, settings: Settings, clock: Clock,
) -> Attempt:
    async with gate:
        at = utc(clock.now())
        began = time.perf_counter()
        status = error = None
        try:
            urls.check_url(endpoint.url, settings)  # https in production, even for an endpoint made before
            headers = signed_headers(webhook, event["event_id"], at, event["body"])
            async with client.stream("POST", endpoint.url, content=event["body"].encode(), headers=headers) as response:
                status = response.status_code
                read = 0
                with contextlib.suppress(httpx.StreamError):  # a body given whole (a test transport) is read already
                    async for chunk in response.aiter_raw():
                        read += len(chunk)
                        if read >= RESPONSE_BYTES_READ:
                            break
            if not 200 <= status < 300:
                error = f"HTTP {status}"
        except WebhookError as exc:
            error = exc.message
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        latency = int((time.perf_counter() - began) * 1000)
    return Attempt(claimed, event["event_id"], event["event_type"], at, status, latency, error[:MAX_ERROR] if error else None)


# ---- 4. record --------------------------------------------------------------------------------

_DELIVERY_COLUMNS = (
    "dispatch_id", "endpoint_id", "event_id", "event_key", "event_type", "attempt", "status_code", "succeeded", "latency_ms",
    "error", "replay", "attempted_at", "next_attempt_at",
)


async def record(attempts: list[Attempt], clock: Clock, rng: Callable[[], float] = random.random) -> int:
    """Write the attempts and their consequences; returns how many endpoints were disabled."""
    now = utc(clock.now())
    rows, succeeded, retried, gave_up = [], [], [], []
    for a in attempts:
        next_at = None
        if not a.succeeded:
            next_at = a.attempted_at + retry_delay(a.claimed.attempt, rng)
            if next_at > a.claimed.give_up_at:
                next_at = None
                gave_up.append(a)
            else:
                retried.append((a, next_at))
        else:
            succeeded.append(a)
        rows.append((
            a.claimed.dispatch_id, a.claimed.endpoint_id, a.claimed.event_pk, a.event_key, a.event_type, a.claimed.attempt,
            a.status_code, a.succeeded, a.latency_ms, a.error, a.claimed.replay, a.attempted_at, next_at,
        ))
    async with in_transaction() as conn:
        for start in range(0, len(rows), 500):
            await db.insert_rows("webhook_delivery", _DELIVERY_COLUMNS, rows[start:start + 500], connection=conn)
        # Each dispatch only while this worker's claim holds (its attempt is still the last one counted).
        for status, done in (("SUCCEEDED", succeeded), ("FAILED", gave_up)):
            by_attempt: dict[int, list[int]] = {}
            for a in done:
                by_attempt.setdefault(a.claimed.attempt, []).append(a.claimed.dispatch_id)
            for attempt, ids in by_attempt.items():  # one statement for a batch of first attempts
                await db.execute(
                    "UPDATE webhook_dispatch SET status = $1, finished_at = $2, locked_until = NULL WHERE attempts = $3"
                    f" AND id IN ({db.placeholders(len(ids), start=4)})", status, now, attempt, *ids, connection=conn,
                )
        for a, next_at in retried:
            await db.execute(
                "UPDATE webhook_dispatch SET next_attempt_at = $1, locked_until = NULL WHERE id = $2 AND attempts = $3",
                next_at, a.claimed.dispatch_id, a.claimed.attempt, connection=conn,
            )
        disabled = await _count_failures(conn, attempts, now)
    return disabled


async def _count_failures(conn, attempts: list[Attempt], now: datetime) -> int:
    by_endpoint: dict[int, list[Attempt]] = {}
    for a in attempts:
        by_endpoint.setdefault(a.claimed.endpoint_id, []).append(a)
    failing = []
    for endpoint_id, made in sorted(by_endpoint.items()):  # in id order: two workers' records never deadlock
        made.sort(key=lambda a: a.attempted_at)
        last_success = max((i for i, a in enumerate(made) if a.succeeded), default=None)
        if last_success is None:
            await db.execute(
                "UPDATE webhook_endpoint SET consecutive_failures = consecutive_failures + $1,"
                " failing_since = COALESCE(failing_since, $2) WHERE id = $3",
                len(made), made[0].attempted_at, endpoint_id, connection=conn,
            )
            failing.append(endpoint_id)
        else:
            after = made[last_success + 1:]
            await db.execute(
                "UPDATE webhook_endpoint SET consecutive_failures = $1, failing_since = $2 WHERE id = $3",
                len(after), after[0].attempted_at if after else None, endpoint_id, connection=conn,
            )
    if not failing:
        return 0
    return await db.execute(
        "UPDATE webhook_endpoint SET enabled = FALSE, disabled_reason = 'FAILING', disabled_at = $1, updated_at = $1"
        f" WHERE enabled AND consecutive_failures >= $2 AND failing_since <= $3 AND id IN ({db.placeholders(len(failing), 4)})",
        now, DISABLE_AFTER_FAILURES, now - DISABLE_AFTER_FAILING_FOR, *failing, connection=conn,
    )


# ---- the run ----------------------------------------------------------------------------------


@dataclass
class Report:
    fanned_out: int = 0
    delivered: int = 0
    failed: int = 0
    disabled: int = 0

    def counts(self) -> dict[str, int]:
        return {"fannedOut": self.fanned_out, "delivered": self.delivered, "failed": self.failed, "disabled": self.disabled}


class _Signers:
    """Each endpoint's decrypted secret as a signer, made once per run."""

    def __init__(self, data_key: str) -> None:
        self._data_key = data_key
        self._made: dict[tuple[int, str], Webhook] = {}

    def of(self, endpoint: WebhookEndpoint) -> Webhook:
        key = (endpoint.id, endpoint.secret_encrypted)
        if key not in self._made:
            self._made[key] = Webhook(secrets.unseal(endpoint.secret_encrypted, self._data_key))
        return self._made[key]


async def deliver_batch(
    client: httpx.AsyncClient, settings: Settings, clock: Clock, *, limit: int, signers: _Signers | None = None,
    rng: Callable[[], float] = random.random,
) -> Report:
    """Claim up to `limit` due dispatches, send them, record the outcomes."""
    lease = timedelta(seconds=settings.webhook_timeout_seconds * 3 + 30)
    claimed = await claim(clock, limit=limit, lease=lease)
    if not claimed:
        return Report()
    signers = signers or _Signers(settings.personal_data_key)
    event_ids = sorted({c.event_pk for c in claimed})
    event_rows = await db.fetch(
        f"SELECT id, event_id, event_type, body FROM webhook_event WHERE id IN ({db.placeholders(len(event_ids))})", *event_ids
    )
    by_event = {row["id"]: row for row in event_rows}
    endpoints = {e.id: e for e in await WebhookEndpoint.filter(id__in={c.endpoint_id for c in claimed})}
    # An endpoint deleted since the claim took its dispatches with it: nothing to send or record.
    claimed = [c for c in claimed if c.endpoint_id in endpoints and c.event_pk in by_event]
    gate = asyncio.Semaphore(max(settings.webhook_concurrency, 1))
    attempts = await asyncio.gather(*(
        _send(client, gate, c, endpoints[c.endpoint_id], signers.of(endpoints[c.endpoint_id]), by_event[c.event_pk], settings, clock)
        for c in claimed
    ))
    disabled = await record(list(attempts), clock, rng)
    delivered = sum(a.succeeded for a in attempts)
    return Report(delivered=delivered, failed=len(attempts) - delivered, disabled=disabled)


def make_client(settings: Settings) -> httpx.AsyncClient:
    return transport.client(
        allow_loopback=urls.allows_loopback(settings), concurrency=max(settings.webhook_concurrency, 1),
        timeout_seconds=settings.webhook_timeout_seconds,
    )


async def run(
    settings: Settings, clock: Clock, *, client: httpx.AsyncClient | None = None, max_seconds: float = 30.0,
    progress: Callable[[int], None] | None = None, rng: Callable[[], float] = random.random, claim_batch: int = CLAIM_BATCH,
) -> Report:
    """Fan out and deliver until nothing is due, or `max_seconds` have passed."""
    own_client = client is None
    client = client or make_client(settings)
    signers = _Signers(settings.personal_data_key)
    report = Report()
    began = time.perf_counter()
    try:
        while time.perf_counter() - began < max_seconds:
            fanned = await fan_out(clock)
            batch = await deliver_batch(client, settings, clock, limit=claim_batch, signers=signers, rng=rng)
            report.fanned_out += fanned
            report.delivered += batch.delivered
            report.failed += batch.failed
            report.disabled += batch.disabled
            if progress:
                progress(report.delivered + report.failed)
            if not fanned and not (batch.delivered + batch.failed):
                break
    finally:
        if own_client:
            await client.aclose()
    if report.disabled:
        log.warning("webhook endpoints disabled after a run of failures", extra={"disabled": report.disabled})
    return report
