"""How many webhook events per second `orchard worker`'s delivery sends to a local receiver.

  .venv/bin/python loadtests/bench_webhooks.py                       # SQLite file, 2,000 events
  .venv/bin/python loadtests/bench_webhooks.py --postgres postgres://postgres@127.0.0.1:5432/postgres --events 5000

It migrates a fresh database, creates one chain endpoint on 127.0.0.1 (a receiver in its own
process: uvicorn with httptools, answering 200 to every POST, so the receiver does not share
the worker's CPU), writes N redemption.created events into the outbox, then times
`domain.webhooks.delivery.run` (fan-out, claim, sign, send, record) until every event is
delivered, and prints events per second. The issue's floor is 200 events/s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RECEIVER = """
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"0")]})
    await send({"type": "http.response.body", "body": b""})
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def _bench(args) -> None:
    import asyncpg

    from domain.webhooks import delivery, outbox
    from domain.webhooks.models import WebhookDelivery, WebhookEndpoint
    from infra import db
    from infra.clock import SYSTEM_CLOCK
    from infra.settings import Settings

    name = None
    if args.postgres:
        name = f"orchard_bench_webhooks_{uuid.uuid4().hex[:8]}"
        admin = await asyncpg.connect(args.postgres.replace("postgres://", "postgresql://", 1))
        await admin.execute(f'CREATE DATABASE "{name}"')
        await admin.close()
        url = args.postgres.rpartition("/")[0] + "/" + name
    else:
        url = f"sqlite://{tempfile.mkdtemp()}/bench-webhooks.db"
    settings = Settings(database_url=url, secret_key="bench-secret-key-long-enough-for-everything", webhooks_allow_loopback=True,
                        webhook_concurrency=args.concurrency, db_pool_size=args.concurrency + 4)
    port = _free_port()
    receiver_file = Path(tempfile.mkdtemp()) / "receiver.py"
    receiver_file.write_text(RECEIVER)
    receiver = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "receiver:app", "--host", "127.0.0.1", "--port", str(port), "--http", "httptools",
         "--log-level", "warning", "--no-access-log"], cwd=receiver_file.parent,
    )
    try:
        await db.apply_migrations(settings)
        await db.close_db()
        await db.init_db(settings)
        for _ in range(100):  # the receiver's start, before the clock runs
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                await asyncio.sleep(0.1)
        now = SYSTEM_CLOCK.now()
        from domain.webhooks import secrets

        secret = secrets.new_secret()
        await WebhookEndpoint.create(
            url=f"http://127.0.0.1:{port}/hooks", events=["redemption.created"], secret_hint=secrets.hint(secret),
            secret_encrypted=secrets.seal(secret, settings.personal_data_key), created_by="bench", created_at=now, updated_at=now,
        )
        for start in range(0, args.events, 500):
            async with db.transaction() as conn:
                for n in range(start, min(start + 500, args.events)):
                    await outbox.emit(conn, "redemption.created", {"redemption": {"n": n, "code": f"BENCH{n:06d}"}},
                                      clock=SYSTEM_CLOCK)
        began = time.perf_counter()
        cpu = time.process_time()
        report = await delivery.run(settings, SYSTEM_CLOCK, max_seconds=600)
        seconds = time.perf_counter() - began
        cpu_seconds = time.process_time() - cpu
        delivered = await WebhookDelivery.filter(succeeded=True).count()
        print(f"{'postgres' if args.postgres else 'sqlite'}: {report.delivered} events delivered ({report.failed} failed,"
              f" {delivered} recorded) in {seconds:.2f} s = {report.delivered / seconds:,.0f} events/s;"
              f" worker CPU {cpu_seconds / max(report.delivered, 1) * 1e6:,.0f} us per event; concurrency {args.concurrency}")
        await db.close_db()
    finally:
        receiver.terminate()
        receiver.wait()
        if name:
            admin = await asyncpg.connect(args.postgres.replace("postgres://", "postgresql://", 1))
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--postgres", default="", help="a PostgreSQL server URL (its /postgres database); default: SQLite")
    args = parser.parse_args()
    os.environ.setdefault("ORCHARD_ENV", "development")
    asyncio.run(_bench(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
