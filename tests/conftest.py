"""Test wiring: one fresh database per test run (SQLite, or PostgreSQL when
ORCHARD_TEST_DATABASE_URL is set), emptied before each test; an in-process ASGI client."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
import pytest
from tortoise import Tortoise, connections

from app import create_app
from infra import cache, db
from infra.clock import FixedClock
from infra.settings import Settings
from tests import differential as differential_runs
from tests.api import Api

PG_URL = os.environ.get("ORCHARD_TEST_DATABASE_URL")
REDIS_URL = os.environ.get("ORCHARD_TEST_REDIS_URL")


def _server_dsn(url: str, database: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{database}".replace("postgres://", "postgresql://", 1)


@pytest.fixture(scope="session")
async def database_url(tmp_path_factory):
    if not PG_URL:
        yield f"sqlite://{tmp_path_factory.mktemp('db') / 'orchard-test.db'}"
        return
    name = f"orchard_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(_server_dsn(PG_URL, "postgres"))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    yield PG_URL.rpartition("/")[0] + "/" + name
    admin = await asyncpg.connect(_server_dsn(PG_URL, "postgres"))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture(scope="session")
async def settings(database_url) -> Settings:
    return Settings(
        database_url=database_url, redis_url=REDIS_URL, secret_key="test-secret-key-that-is-long-enough-for-hs256",
        password_profile="cheapest", db_pool_size=60,
        access_token_minutes=60 * 24 * 365 * 3,  # tests move the clock by months
        rate_per_second=10_000, rate_burst=10_000,  # the concurrency tests are one caller
        webhooks_allow_loopback=True,  # webhook receivers in tests listen on 127.0.0.1
    )


@pytest.fixture(scope="session", autouse=True)
async def migrated_database(settings):
    await db.apply_migrations(settings)
    await db.close_db()
    await db.init_db(settings)
    cache.configure(settings.redis_url, namespace=f"orchard-test-{uuid.uuid4().hex[:8]}")
    yield
    await cache.clear()
    await cache.close()
    await db.close_db()


def table_names() -> list[str]:
    return [m._meta.db_table for m in Tortoise.apps.get_models_iterable()]  # type: ignore[union-attr]


@pytest.fixture(autouse=True)
async def empty_tables(migrated_database):
    """Each test starts from empty tables, whatever ran before."""
    conn = connections.get("default")
    tables = table_names()
    if db.is_postgres():
        await conn.execute_script(
            "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"
        )
    else:
        await conn.execute_script(
            "PRAGMA foreign_keys = OFF;" + "".join(f'DELETE FROM "{t}";' for t in tables) + "PRAGMA foreign_keys = ON;"
        )
    await cache.clear()
    yield


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime.now(UTC).replace(microsecond=0))


def make_api(settings: Settings, clock, *, both_executors: bool = True) -> Api:
    """The app in process; with `both_executors` every operation is also answered by the stock
    executor and the answers compared (tests/differential.py)."""
    app = create_app(settings, clock, manage_db=False)
    transport = httpx.ASGITransport(app=app)
    differential = differential_runs.install(app) if both_executors and settings.fast_fields else None
    return Api(httpx.AsyncClient(transport=transport, base_url="http://orchard.test"), settings=settings, clock=clock,
               differential=differential)


def _both_executors(request) -> bool:
    return request.node.get_closest_marker("single_executor") is None


@pytest.fixture
async def api(settings, clock, request):
    client = make_api(settings, clock, both_executors=_both_executors(request))
    yield client
    await client.http.aclose()
    client.check_executors_agreed()


@pytest.fixture
def api_factory(clock, request):
    """Build an API with other settings (production mode, tight limits)."""
    made: list[Api] = []

    def build(settings: Settings) -> Api:
        built = make_api(settings, clock, both_executors=_both_executors(request))
        made.append(built)
        return built

    yield build
    for built in made:
        built.check_executors_agreed()


def requires_postgres(reason: str = "needs real parallel connections to PostgreSQL"):
    return pytest.mark.skipif(not PG_URL, reason=reason)


REPO_ROOT = Path(__file__).resolve().parents[1]


def orchard_cli(database_url: str, *args: str) -> subprocess.CompletedProcess:
    """`orchard ARGS` in a subprocess on `database_url` (development settings, no Redis), its output captured."""
    env = {**os.environ, "ORCHARD_DATABASE_URL": database_url, "ORCHARD_SECRET_KEY": "c" * 48, "ORCHARD_ENV": "development"}
    env.pop("ORCHARD_REDIS_URL", None)
    return subprocess.run(
        [sys.executable, "-c", f"import sys, cli; sys.exit(cli.main({list(args)!r}))"],
        cwd=REPO_ROOT, env={**env, "PYTHONPATH": str(REPO_ROOT)}, capture_output=True, text=True, timeout=120, check=False,
    )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def outbox():
    """Capture SMS deliveries: a test reads the login codes a member would receive."""
    from domain.notifications import service as notifications

    capture = notifications.CaptureAdapter()
    notifications.use_adapter(notifications.Channel.SMS, capture)
    yield capture
    notifications.use_adapter(notifications.Channel.SMS, None)


def pytest_terminal_summary(terminalreporter):
    if differential_runs.compared:
        counts = ", ".join(f"{n} {kind}" for kind, n in sorted(differential_runs.compared.items()))
        terminalreporter.write_line(f"fast path vs stock executor: compared {counts}")
