"""Run periodic jobs when due, one runner per job kind at a time, and log each run.

Each job kind has a row in `job_schedule` with the time it is due next. A job that is not
`exclusive` (its work claims its own rows with SKIP LOCKED) runs on every worker when due,
without the lock below. On PostgreSQL the
runner locks that row (FOR UPDATE SKIP LOCKED) on a connection of its own for the whole run:
a second runner, on this host or another, skips the kind while the row is locked, and reads
the new due time once the first commits. The lock goes with the transaction, so a runner that
dies mid-run frees the kind and leaves it due. SQLite has one writer and one host: a
process-local claim is the lock there.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from tortoise import connections

from infra import dialect
from infra.clock import Clock, utc
from infra.observability import capped
from infra.settings import Settings
from infra.worker.jobs import Counts, Job, JobContext
from infra.worker.models import JobSchedule

log = logging.getLogger("orchard.worker")

RETRY_AFTER = timedelta(minutes=1)  # a failed run is due again after this, not at once in a loop
PROGRESS_LOG_SECONDS = 10.0  # a long sweep logs its progress at most this often
MAX_WAIT_SECONDS = 60.0  # the long-running worker looks at a job's row at least this often

_running: set[str] = set()  # job kinds this process runs now


class RunOutcome(StrEnum):
    RAN = "RAN"
    FAILED = "FAILED"
    NOT_DUE = "NOT_DUE"
    BUSY = "BUSY"  # another runner holds the job kind


@dataclass(frozen=True)
class RunResult:
    kind: str
    outcome: RunOutcome
    counts: Counts = field(default_factory=dict)
    seconds: float = 0.0
    due_at: datetime | None = None  # when the job is due next, when known
    error: str | None = None


async def run_due(jobs: list[Job], *, settings: Settings, clock: Clock) -> list[RunResult]:
    """Every due job once, one after the other (`orchard worker --once`)."""
    return [await run_if_due(job, settings=settings, clock=clock) for job in jobs]


async def run_if_due(job: Job, *, settings: Settings, clock: Clock, claims: set[str] = _running) -> RunResult:
    """Run the job when it is due and no other runner holds it. `claims` are the job kinds this
    process runs now (a test gives each simulated host its own)."""
    if job.kind in claims:
        return RunResult(job.kind, RunOutcome.BUSY)
    claims.add(job.kind)
    try:
        now = utc(clock.now())
        await _ensure_scheduled(job, now)
        if dialect.current().row_locks and job.exclusive:
            return await _run_holding_row_lock(job, settings, clock, now)
        row = await JobSchedule.get(kind=job.kind)
        if row.due_at > now:
            return RunResult(job.kind, RunOutcome.NOT_DUE, due_at=row.due_at)
        result, started = await _execute(job, settings, clock)
        await JobSchedule.filter(kind=job.kind).update(**_record(result, started, clock))
        return result
    finally:
        claims.discard(job.kind)


async def run_forever(jobs: list[Job], *, settings: Settings, clock: Clock, stop: asyncio.Event) -> None:
    """Each job in its own loop until `stop` is set; a run under way finishes first."""
    await asyncio.gather(*(_loop(job, settings, clock, stop) for job in jobs))


async def _loop(job: Job, settings: Settings, clock: Clock, stop: asyncio.Event) -> None:
    while not stop.is_set():
        wait = MAX_WAIT_SECONDS
        try:
            result = await run_if_due(job, settings=settings, clock=clock)
            if result.due_at is not None:
                wait = min(max((result.due_at - clock.now()).total_seconds(), 1.0), MAX_WAIT_SECONDS)
        except Exception:
            log.exception("job not started", extra={"job": job.kind})
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=wait)


async def _ensure_scheduled(job: Job, now: datetime) -> None:
    if not await JobSchedule.exists(kind=job.kind):
        # Two hosts may both get here: the second insert is ignored.
        await JobSchedule.bulk_create([JobSchedule(kind=job.kind, due_at=utc(job.first_due(now)))], ignore_conflicts=True)


async def _run_holding_row_lock(job: Job, settings: Settings, clock: Clock, now: datetime) -> RunResult:
    # A raw pooled connection, not tortoise's in_transaction: that would make the job's own
    # queries run inside this transaction too.
    async with connections.get("default").acquire_connection() as connection, connection.transaction():
        await connection.execute("SET LOCAL idle_in_transaction_session_timeout = 0")  # idle while the job runs
        row = await connection.fetchrow(_CLAIM, job.kind)
        if row is None:
            return RunResult(job.kind, RunOutcome.BUSY)
        if row["due_at"] > now:
            return RunResult(job.kind, RunOutcome.NOT_DUE, due_at=row["due_at"])
        result, started = await _execute(job, settings, clock)
        recorded = _record(result, started, clock)
        await connection.execute(_RECORD, job.kind, *(recorded[column] for column in _RECORDED))
        return result


_CLAIM = "SELECT due_at FROM job_schedule WHERE kind = $1" + dialect.POSTGRES.lock("UPDATE SKIP LOCKED")
_RECORDED = ("due_at", "last_started_at", "last_finished_at", "last_seconds", "last_outcome")
_RECORD = "UPDATE job_schedule SET " + ", ".join(f"{c} = ${i}" for i, c in enumerate(_RECORDED, start=2)) + " WHERE kind = $1"


async def _execute(job: Job, settings: Settings, clock: Clock) -> tuple[RunResult, datetime]:
    started = utc(clock.now())
    began = time.perf_counter()
    context = JobContext(settings=settings, clock=clock, progress=_progress_log(job.kind, began))
    log.info("job started", extra={"job": job.kind})
    try:
        counts = await job.run(context)
    except Exception as exc:
        seconds = time.perf_counter() - began
        log.exception("job failed", extra={"job": job.kind, "seconds": round(seconds, 3)})
        error = capped(f"{type(exc).__name__}: {exc}")
        return RunResult(job.kind, RunOutcome.FAILED, {}, seconds, due_at=started + RETRY_AFTER, error=error), started
    seconds = time.perf_counter() - began
    log.info("job done", extra={"job": job.kind, "seconds": round(seconds, 3), "counts": counts})
    return RunResult(job.kind, RunOutcome.RAN, counts, seconds, due_at=utc(job.next_due(started))), started


def _record(result: RunResult, started: datetime, clock: Clock) -> dict:
    return {
        "due_at": result.due_at, "last_started_at": started, "last_finished_at": utc(clock.now()),
        "last_seconds": result.seconds,
        "last_outcome": json.dumps(result.counts if result.error is None else {"error": result.error}),
    }


def _progress_log(kind: str, began: float):
    last = began

    def progress(done: int) -> None:
        nonlocal last
        now = time.perf_counter()
        if now - last >= PROGRESS_LOG_SECONDS:
            last = now
            log.info("job progress", extra={"job": kind, "done": done, "seconds": round(now - began, 1)})

    return progress
