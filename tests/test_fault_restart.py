"""Faults on a real, throwaway PostgreSQL cluster: the database crashes and restarts under a load
of purchases and redemptions, and a server worker is killed mid-request.

The shared PostgreSQL the other tests use is never restarted: this module starts its own cluster
(initdb in a temporary directory, a free port) and stops it at the end. Afterwards every
acknowledged write is present exactly once, `orchard ledger check` and `orchard mall check` are
clean, and requests made while the database was down got a clear "try again" error at once.
"""

from __future__ import annotations

import asyncio
import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import asyncpg
import httpx
import pytest

from domain.ledger import service as ledger
from domain.ledger.check import check_ledger
from domain.mall.check import check_stock
from domain.mall.models import Redemption
from domain.members.models import Member
from infra import cache, db
from serving import listening_sockets
from tests.conftest import REPO_ROOT, free_port, make_api, requires_postgres
from tests.points_support import RECORD, open_shop
from tests.test_idempotent_twins import until_waiting_on_a_lock
from tests.test_mall import REDEEM, Mall, new_key, units_left

_BINARIES = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
pytestmark = [
    requires_postgres("restarts a PostgreSQL cluster of its own"),
    pytest.mark.skipif(not _BINARIES, reason="needs PostgreSQL's server binaries (initdb, pg_ctl)"),
]

DOWN_ANSWER_SECONDS = 2.0  # a request while the database is down answers within this, not a hang
TEST_SECONDS = 120  # a hang fails the test with its stack, and the cluster fixture still stops


@dataclass
class Cluster:
    """A PostgreSQL cluster of this module's own, run as the `postgres` user when we are root."""

    root: Path
    port: int

    @property
    def bin(self) -> Path:
        return Path(_BINARIES[-1]).parent

    def run(self, *args: str) -> list[str]:
        command = [str(self.bin / args[0]), *args[1:]]
        return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command

    def pg_ctl(self, action: str, *extra: str) -> list[str]:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=120"
        return self.run("pg_ctl", "-D", str(self.root / "data"), "-l", str(self.root / "log"), "-o", options,
                        "-w", "-t", "60", action, *extra)

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"


@pytest.fixture(scope="module")
def cluster():
    root = Path(tempfile.mkdtemp(prefix="orchard-fault-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    made = Cluster(root, free_port())
    subprocess.run(made.run("initdb", "-D", str(root / "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                            "--no-sync"), check=True, capture_output=True)
    subprocess.run(made.pg_ctl("start"), check=True, capture_output=True)
    yield made
    subprocess.run(made.pg_ctl("stop", "-m", "immediate"), capture_output=True)
    shutil.rmtree(root, ignore_errors=True)


async def _pg_ctl(cluster: Cluster, *args: str) -> None:
    process = await asyncio.create_subprocess_exec(*cluster.pg_ctl(*args), stdout=subprocess.DEVNULL,
                                                   stderr=subprocess.DEVNULL)
    assert await process.wait() == 0, f"pg_ctl {' '.join(args)} failed"


@asynccontextmanager
async def on_cluster(cluster: Cluster, settings, name: str) -> AsyncIterator:
    """Point the process's database at a fresh database on the throwaway cluster, migrated."""
    admin = await asyncpg.connect(cluster.url("postgres").replace("postgres://", "postgresql://"))
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    faulty = replace(settings, database_url=cluster.url(name), db_pool_size=20)
    await db.close_db()
    try:
        await db.apply_migrations(faulty)
        await db.close_db()
        await db.init_db(faulty)
        await cache.clear()
        yield faulty
    finally:
        await db.close_db()
        await db.init_db(settings)
        await cache.clear()


def _acknowledged(response: httpx.Response, field: str) -> bool:
    if response.status_code == 503:
        body = response.json()
        assert body["errors"][0]["extensions"]["retryable"] is True, body
        return False
    assert response.status_code == 200, response.text
    payload = response.json()["data"][field]
    assert payload["errors"] == [], payload
    return True


async def test_a_database_crash_under_load_loses_no_acknowledged_write(cluster, settings, clock):
    async with asyncio.timeout(TEST_SECONDS), on_cluster(cluster, settings, "orchard_crash") as faulty:
        api = make_api(faulty, clock, both_executors=False)
        mall = await Mall.open(api)
        item = await mall.item(pointsPrice=10, stock=1_000)
        shop = await open_shop(api, clock)
        shoppers = [await mall.member(balance=5_000) for _ in range(4)]
        codes = {s.id: (await Member.get(id=s.id)).code for s in shoppers}

        acknowledged = 0
        enough_before_crash = asyncio.Event()
        saw_outage = asyncio.Event()
        outage_answers: list[float] = []

        async def until_acknowledged(query: str, variables: dict, token: str, field: str) -> dict:
            nonlocal acknowledged
            while True:
                started = time.monotonic()
                response = await api.post(query, variables, token=token)
                if _acknowledged(response, field):
                    acknowledged += 1
                    if acknowledged >= 40:
                        enough_before_crash.set()
                    return response.json()["data"][field]
                outage_answers.append(time.monotonic() - started)
                saw_outage.set()
                await asyncio.sleep(0.05)  # a client's back-off before the retry, not synchronisation

        async def customer(shopper) -> tuple[list[str], int]:
            keys, earned = [], 0
            for n in range(30):
                if n % 3 == 2:
                    sale = shop.purchase_input(codes[shopper.id], [("DOMESTIC_FRUIT", 1, "20.00")])
                    body = await until_acknowledged(RECORD, {"i": sale}, shop.clerk, "recordPurchase")
                    earned += body["purchase"]["pointsEarned"]
                else:
                    key = new_key()
                    await until_acknowledged(REDEEM, {"i": {"itemId": item["id"], "idempotencyKey": key}},
                                             shopper.token, "redeemMallItem")
                    keys.append(key)
            return keys, earned

        async def crash_and_recover() -> list[int]:
            await enough_before_crash.wait()
            await _pg_ctl(cluster, "stop", "-m", "immediate")  # a crash: no checkpoint, WAL replay on start
            down = (await api.http.get("/readyz")).status_code
            await saw_outage.wait()
            await _pg_ctl(cluster, "start")
            for _ in range(200):  # the first pooled connections after the crash are dead ones
                if (up := (await api.http.get("/readyz")).status_code) == 200:
                    break
            return [down, up]

        async with asyncio.TaskGroup() as group:  # a failure cancels the rest, so it is the one reported
            recovery = group.create_task(crash_and_recover())
            customers = [group.create_task(customer(s)) for s in shoppers]
        readiness, served = recovery.result(), [c.result() for c in customers]

        assert readiness == [503, 200]
        assert outage_answers and max(outage_answers) < DOWN_ANSWER_SECONDS, outage_answers
        redeemed = sum(len(keys) for keys, _ in served)
        assert await Redemption.all().count() == redeemed == 4 * 20
        assert await units_left(item) == 1_000 - redeemed
        for shopper, (keys, earned) in zip(shoppers, served, strict=True):
            assert await ledger.balance(shopper.id) == 5_000 - 10 * len(keys) + earned
        assert await check_ledger() == [] and await check_stock() == []
        await api.http.aclose()


def _serve(settings, port: int) -> subprocess.Popen:
    env = {
        **os.environ, "ORCHARD_DATABASE_URL": settings.database_url, "ORCHARD_SECRET_KEY": settings.secret_key,
        "ORCHARD_RATE_PER_SECOND": "10000", "ORCHARD_RATE_BURST": "10000", "ORCHARD_LOG_LEVEL": "WARNING",
    }
    env.pop("ORCHARD_REDIS_URL", None)
    return subprocess.Popen(
        [sys.executable, "-c", "import sys, cli; sys.exit(cli.main(sys.argv[1:]))",
         "serve", "--no-demo", "--workers", "2", "--port", str(port)],
        cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )


def _workers(pid: int) -> list[int]:
    """The server's worker processes (not multiprocessing's resource tracker, also its child)."""
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(child) for child in found if _is_worker(int(child))]


def _is_worker(pid: int) -> bool:
    try:
        return b"resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:  # it ended meanwhile
        return False


async def _until_serving(client: httpx.AsyncClient, server: subprocess.Popen, port: int,
                         killed: frozenset[int] = frozenset()) -> list[int]:
    """The supervisor's two worker processes, once they answer /healthz (new ones after `killed`)."""
    for _ in range(600):
        assert server.poll() is None, "the server stopped"
        workers = [w for w in _workers(server.pid) if w not in killed]
        if len(workers) == 2 and listening_sockets(port) == 2:  # both started (a worker dying in startup stops all)
            try:
                if (await client.get("/healthz")).status_code == 200:
                    return workers
            except httpx.TransportError:
                pass
        await asyncio.sleep(0.05)
    raise AssertionError("the server never answered /healthz")


async def test_a_worker_killed_mid_request_leaves_no_half_write_and_the_retries_apply_once(cluster, settings, clock):
    async with asyncio.timeout(TEST_SECONDS), on_cluster(cluster, settings, "orchard_kill") as faulty:
        api = make_api(faulty, clock, both_executors=False)
        mall = await Mall.open(api)
        item = await mall.item(pointsPrice=100, stock=10)
        shopper = await mall.member(balance=1_000)
        await api.http.aclose()
        port = free_port()
        server = _serve(faulty, port)
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
                workers = await _until_serving(client, server, port)
                redemptions = [{"itemId": item["id"], "idempotencyKey": new_key()} for _ in range(4)]

                def send_all():
                    return [client.post("/graphql", json={"query": REDEEM, "variables": {"i": r}},
                                        headers={"Authorization": f"Bearer {shopper.token}"}) for r in redemptions]

                admin = await asyncpg.connect(faulty.database_url.replace("postgres://", "postgresql://"))
                try:
                    held = admin.transaction()
                    await held.start()
                    await admin.execute("SELECT 1 FROM points_account WHERE member_id = $1 FOR UPDATE", shopper.id)
                    sent = [asyncio.ensure_future(request) for request in send_all()]
                    await until_waiting_on_a_lock(admin, len(sent))
                    for worker in workers:  # mid-request: each request is inside its transaction
                        os.kill(worker, signal.SIGKILL)
                    answers = await asyncio.gather(*sent, return_exceptions=True)
                    await held.rollback()
                finally:
                    await admin.close()
                assert all(isinstance(answer, httpx.TransportError) for answer in answers), answers

                await _until_serving(client, server, port, killed=frozenset(workers))  # the supervisor started new ones
                assert await Redemption.all().count() == 0  # the killed transactions left nothing behind

                retried = [r.json()["data"]["redeemMallItem"] for r in await asyncio.gather(*send_all())]
                assert all(r["errors"] == [] and not r["replayed"] for r in retried), retried
                again = [r.json()["data"]["redeemMallItem"] for r in await asyncio.gather(*send_all())]
                assert all(r["replayed"] for r in again), again
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        assert await Redemption.all().count() == 4
        assert await units_left(item) == 6
        assert await ledger.balance(shopper.id) == 600
        assert await check_ledger() == [] and await check_stock() == []
