"""`orchard worker`: the periodic jobs, their schedule, one runner per job kind, the idempotency purge."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest

from domain.idempotency import service as idempotency
from domain.idempotency.models import IdempotencyRecord
from domain.jobs import JOBS
from domain.stores.models import StaffLoginAttempt
from domain.stores.services import SIGN_IN_ATTEMPTS_KEPT, purge_sign_in_attempts
from domain.tiers.schedule import next_review
from infra.clock import FixedClock
from infra.settings import ConfigurationError, load_settings
from infra.worker import Job, RunOutcome, every, run_due, run_if_due
from infra.worker.models import JobSchedule
from infra.worker.runner import RETRY_AFTER
from tests.conftest import PG_URL, _server_dsn, orchard_cli

START = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)


async def _keyed(clock: FixedClock, key: str) -> idempotency.Outcome:
    async def action(_conn):
        return {"key": key}

    return await idempotency.run_once(scope="member:1", key=key, operation="test", request={}, action=action, clock=clock)


# ---- the idempotency purge ------------------------------------------------------------------


async def test_the_purge_removes_expired_keys_and_keeps_live_ones():
    idempotency.keep_keys_for(hours=48)
    clock = FixedClock(START)
    for key in ("old-1", "old-2", "old-3"):
        await _keyed(clock, key)
    clock.advance(timedelta(hours=30))
    await _keyed(clock, "live")
    clock.advance(timedelta(hours=19))  # the old keys are 49 hours old, the live one 19

    progress: list[int] = []
    assert await idempotency.purge_expired(clock, batch_size=2, progress=progress.append) == 3
    assert progress == [2, 3]
    assert [r.key for r in await IdempotencyRecord.all()] == ["live"]
    assert (await _keyed(clock, "live")).replayed  # the kept key still replays its first result
    assert not (await _keyed(clock, "old-1")).replayed  # a purged key starts afresh
    assert await idempotency.purge_expired(clock) == 0


async def test_keys_live_as_long_as_the_ttl_setting_says():
    clock = FixedClock(START)
    try:
        idempotency.keep_keys_for(hours=30)
        await _keyed(clock, "k")
        record = await IdempotencyRecord.get(key="k")
        assert record.expires_at - record.created_at == timedelta(hours=30)
    finally:
        idempotency.keep_keys_for(hours=48)
    with pytest.raises(ValueError):
        idempotency.keep_keys_for(hours=23)


def test_the_ttl_setting_is_read_from_the_environment_and_kept_at_a_day_at_least():
    env = {"ORCHARD_SECRET_KEY": "s" * 40}
    assert load_settings(env).idempotency_ttl_hours == 48
    assert load_settings({**env, "ORCHARD_IDEMPOTENCY_TTL_HOURS": "72"}).idempotency_ttl_hours == 72
    with pytest.raises(ConfigurationError):
        load_settings({**env, "ORCHARD_IDEMPOTENCY_TTL_HOURS": "12"})


async def test_sign_in_attempts_past_their_keeping_are_purged():
    clock = FixedClock(START)
    await StaffLoginAttempt.create(client_address="10.0.0.1", created_at=START - SIGN_IN_ATTEMPTS_KEPT - timedelta(minutes=1))
    await StaffLoginAttempt.create(client_address="10.0.0.2", created_at=START - timedelta(hours=1))
    assert await purge_sign_in_attempts(clock) == 1
    assert [a.client_address for a in await StaffLoginAttempt.all()] == ["10.0.0.2"]


# ---- the schedule ---------------------------------------------------------------------------


def _counting_job(kind: str = "test-counting", interval: timedelta = timedelta(hours=1)) -> tuple[Job, list[int]]:
    runs: list[int] = []

    async def work(ctx):
        runs.append(1)
        ctx.progress(len(runs))
        return {"runs": len(runs)}

    return Job(kind, work, next_due=every(interval)), runs


async def test_a_job_runs_when_due_and_then_waits_for_its_next_time(settings):
    clock = FixedClock(START)
    job, runs = _counting_job()
    first = await run_if_due(job, settings=settings, clock=clock)
    assert first.outcome is RunOutcome.RAN and first.counts == {"runs": 1} and first.due_at == START + timedelta(hours=1)
    clock.advance(timedelta(minutes=59))
    assert (await run_if_due(job, settings=settings, clock=clock)).outcome is RunOutcome.NOT_DUE
    clock.advance(timedelta(minutes=1))
    assert (await run_if_due(job, settings=settings, clock=clock)).outcome is RunOutcome.RAN
    assert len(runs) == 2
    row = await JobSchedule.get(kind=job.kind)
    assert row.due_at == START + timedelta(hours=2) and json.loads(row.last_outcome) == {"runs": 2}


async def test_a_failed_job_is_logged_retried_later_and_does_not_stop_the_others(settings, caplog):
    clock = FixedClock(START)

    async def broken(_ctx):
        raise RuntimeError("the SMS gateway is away")

    failing = Job("test-failing", broken, next_due=every(timedelta(hours=1)))
    fine, runs = _counting_job()
    with caplog.at_level(logging.INFO, logger="orchard.worker"):
        results = await run_due([failing, fine], settings=settings, clock=clock)
    assert [r.outcome for r in results] == [RunOutcome.FAILED, RunOutcome.RAN] and runs == [1]
    assert results[0].due_at == START + RETRY_AFTER
    assert "the SMS gateway is away" in (await JobSchedule.get(kind="test-failing")).last_outcome
    done = [r for r in caplog.records if r.getMessage() == "job done"]
    assert [(r.job, r.counts) for r in done] == [("test-counting", {"runs": 1})]
    assert isinstance(done[0].seconds, float)
    assert any(r.getMessage() == "job failed" and r.exc_info for r in caplog.records)


async def test_every_registered_job_runs_on_an_empty_database_and_the_tier_review_keeps_its_schedule(settings):
    clock = FixedClock(START)
    results = {r.kind: r for r in await run_due(JOBS, settings=settings, clock=clock)}
    assert {kind for kind, r in results.items() if r.outcome is RunOutcome.RAN} == set(results) - {"tier-review"}
    # A first start does not review tiers out of schedule: that would drop members a tier early.
    assert results["tier-review"].outcome is RunOutcome.NOT_DUE
    assert results["tier-review"].due_at == datetime(2026, 4, 1, tzinfo=UTC)
    clock.set(datetime(2026, 4, 1, 0, 0, 1, tzinfo=UTC))
    review = next(r for r in await run_due(JOBS, settings=settings, clock=clock) if r.kind == "tier-review")
    assert review.outcome is RunOutcome.RAN and review.counts == {"reviewed": 0, "upgraded": 0, "downgraded": 0}
    assert review.due_at == datetime(2026, 5, 1, tzinfo=UTC)


def test_tier_reviews_fall_on_the_first_of_each_month():
    assert next_review(datetime(2026, 12, 31, 23, 0, tzinfo=UTC)) == datetime(2027, 1, 1, tzinfo=UTC)
    assert next_review(datetime(2026, 5, 1, tzinfo=UTC)) == datetime(2026, 6, 1, tzinfo=UTC)


# ---- one runner per job kind ----------------------------------------------------------------


async def test_two_runners_of_one_job_kind_at_once_only_one_does_the_work(settings):
    """Two runners start together; the one that gets in holds the job until released, and the
    other must come back BUSY meanwhile. On PostgreSQL each runner stands for a host of its own
    (its own process-local claims), so only the database's row lock can keep them apart."""
    clock = FixedClock(START)
    entered, release = asyncio.Event(), asyncio.Event()
    runs: list[int] = []

    async def work(_ctx):
        runs.append(1)
        entered.set()
        await release.wait()
        return {"runs": len(runs)}

    job = Job("test-one-at-a-time", work, next_due=every(timedelta(hours=1)))
    hosts = [set(), set()] if PG_URL else [None, None]  # SQLite: one host, one process-local lock

    def runner(claims):
        kwargs = {} if claims is None else {"claims": claims}
        return asyncio.create_task(run_if_due(job, settings=settings, clock=clock, **kwargs))

    tasks = [runner(claims) for claims in hosts]
    try:
        await asyncio.wait_for(entered.wait(), timeout=30)
        done, _ = await asyncio.wait(tasks, timeout=30, return_when=asyncio.FIRST_COMPLETED)
        assert [t.result().outcome for t in done] == [RunOutcome.BUSY], "the second runner did not skip the held job"
    finally:
        release.set()
    outcomes = sorted(r.outcome.value for r in await asyncio.gather(*tasks))
    assert outcomes == ["BUSY", "RAN"] and runs == [1]
    # Once the first committed, a runner finds the job done and not due until its next time.
    assert (await run_if_due(job, settings=settings, clock=clock, claims=set())).outcome is RunOutcome.NOT_DUE


# ---- the command ----------------------------------------------------------------------------


async def _fresh_database_urls(tmp_path: Path):
    yield f"sqlite://{tmp_path / 'fresh.db'}"
    if PG_URL:
        name = f"orchard_worker_{uuid.uuid4().hex[:10]}"
        admin = await asyncpg.connect(_server_dsn(PG_URL, "postgres"))
        try:
            await admin.execute(f'CREATE DATABASE "{name}"')
            yield PG_URL.rpartition("/")[0] + "/" + name
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()


async def test_worker_once_runs_every_due_job_on_a_fresh_database_and_exits_0(tmp_path):
    async for url in _fresh_database_urls(tmp_path):
        first = await asyncio.to_thread(orchard_cli, url, "worker", "--once")
        assert first.returncode == 0, first.stderr[-3000:]
        assert "points-expiry: ran" in first.stdout and "idempotency-purge: ran" in first.stdout
        assert '"msg": "job done"' in first.stderr
        again = await asyncio.to_thread(orchard_cli, url, "worker", "--once")
        assert again.returncode == 0 and "points-expiry: not due" in again.stdout, again.stderr[-3000:]
