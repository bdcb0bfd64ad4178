"""The redemption floor, side by side, in one run on one database at one concurrency.

  (a) the redemption transaction as bare SQL through asyncpg (decrement stock + insert a
      redemption): what PostgreSQL itself can commit, the floor;
  (a') the same for the whole redemption a member pays for, hand-written in asyncpg: stock,
      redemption row, and the points through the ledger (account, lot, journal, entries,
      system shard), on the hot item: what our SQL design costs without our Python;
  (b) `redeemMallItem` through the running API, for one hot item and spread over many items;
  (c) a bare `{ __typename }` through the same server, and the member balance query.

It prints throughput and p50/p95/p99 for each, the CPU time per request of the server,
PostgreSQL and the driver (loadtests/cpu.py), and the ratios b/a and balance/typename, and
writes them to loadtests/reports/bench-<time>.json. Usage (PostgreSQL must be running):

  .venv/bin/python loadtests/bench_redeem.py --concurrency 32 --seconds 10 --workers 2
  .venv/bin/python loadtests/bench_redeem.py --rounds 3 --seconds 5   # the ratios as a median of three rounds

It creates (and drops) its own database, seeds it with `orchard seed`, starts
`orchard serve` on a free port, and stops it at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from domain.access import CallerKind, Viewer  # noqa: E402
from domain.ledger.accounts import shard_code, shard_of  # noqa: E402
from domain.ledger.models import SystemAccount  # noqa: E402
from domain.stores.tokens import issue_access_token  # noqa: E402
from infra.clock import SYSTEM_CLOCK  # noqa: E402
from loadtests.cpu import CpuMeter  # noqa: E402
from loadtests.driver import Result, graphql_request, run_closed_loop  # noqa: E402
from schema.relay import to_global_id  # noqa: E402
from serving import listening_sockets  # noqa: E402

ORCHARD = str(Path(sys.executable).with_name("orchard"))
HOT_STOCK = 10_000_000


def _dsn(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


async def _create_database(admin_url: str, name: str, template: str | None = None) -> str:
    """A new, empty database `name` (dropped first if it exists), or a copy of `template`; its URL."""
    admin = await asyncpg.connect(_dsn(admin_url))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    finally:
        await admin.close()
    return urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))  # keeps a ?host=<socket directory>


async def _drop_database(admin_url: str, name: str) -> None:
    admin = await asyncpg.connect(_dsn(admin_url))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def _bench_items(env: dict[str, str], spread: int) -> dict:
    """A hot item on one stock row, a hot item over 16 buckets, and `spread` everyday items."""
    from domain.access import StaffRole
    from domain.mall.catalogue import ItemDraft, create_item
    from infra import db
    from infra.settings import load_settings

    settings = load_settings(env)
    await db.init_db(settings)
    admin = Viewer(kind=CallerKind.STAFF, subject_id=0, role=StaffRole.CHAIN_ADMIN)
    start = SYSTEM_CLOCK.now() - timedelta(days=30)  # not new: no cache surprises from the "new" flag
    try:
        def draft(name: str, buckets: int) -> ItemDraft:
            return ItemDraft(name=name, band="LOW", kind="FRESH_CUT", points_price=10, stock=HOT_STOCK,
                             stock_buckets=buckets, available_from=start)

        hot = await create_item(admin, draft("Bench hot item", 1), clock=SYSTEM_CLOCK)
        hot16 = await create_item(admin, draft("Bench hot item, 16 buckets", 16), clock=SYSTEM_CLOCK)
        others = [await create_item(admin, draft(f"Bench item {i}", 1), clock=SYSTEM_CLOCK) for i in range(spread)]
        # Members who can pay for every redemption of the run: a seeded member may hold no points.
        member_ids = [r["id"] for r in await db.fetch(
            "SELECT member_id AS id FROM points_account WHERE kind = 'MEMBER' AND balance >= 1000 ORDER BY member_id"
        )]
        store_id = (await db.fetch("SELECT id FROM store ORDER BY id LIMIT 1"))[0]["id"]
        return {"hot": hot.id, "hot16": hot16.id, "spread": [i.id for i in others], "members": member_ids, "store": store_id}
    finally:
        await db.close_db()


async def _take_stock(con, item_id: int, buckets: int) -> bool:
    taken = await con.execute(
        "UPDATE mall_stock_bucket SET remaining = remaining - 1 WHERE item_id = $1 AND bucket_no = $2 AND remaining >= 1",
        item_id, random.randrange(buckets),
    )
    return taken == "UPDATE 1"


async def _insert_redemption(con, item_id: int, member: int, store_id: int, now: datetime) -> int:
    return await con.fetchval(
        "INSERT INTO mall_redemption (code, item_id, member_id, store_id, quantity, unit_points, points_spent,"
        " cash_fen, status, caller_scope, idempotency_key, fingerprint, actor, created_at, expires_at)"
        " VALUES ($1, $2, $3, $4, 1, 1, 1, 0, 'PENDING', $5, $6, 'floor', 'bench', $7, $8) RETURNING id",
        secrets.token_hex(6), item_id, member, store_id, f"member:{member}", uuid.uuid4().hex, now, now + timedelta(days=7),
    )


async def _stock_and_row(con, item_id: int, buckets: int, member: int, store_id: int, now: datetime) -> bool:
    """Floor (a): decrement stock, insert the redemption row."""
    if not await _take_stock(con, item_id, buckets):
        return False
    await _insert_redemption(con, item_id, member, store_id, now)
    return True


async def _with_ledger(con, item_id: int, buckets: int, member: int, store_id: int, now: datetime) -> bool:
    """Floor (a'): the whole redemption a member pays for, hand-written: the redemption row, the
    member's account debited under its overdraft guard, the oldest-expiring lot consumed, a
    REDEMPTION journal with its consumption and two entries, the member's REDEEMED shard moved,
    and the stock taken last. Every point moves through the ledger, as the API's does.
    """
    redemption_id = await _insert_redemption(con, item_id, member, store_id, now)
    account_id = await con.fetchval(
        "UPDATE points_account SET balance = balance - 1 WHERE member_id = $1 AND balance >= 1 RETURNING id", member
    )
    if account_id is None:
        return False
    lot_id = await con.fetchval(
        "SELECT id FROM points_lot WHERE account_id = $1 AND status = 'AVAILABLE' AND remaining > 0 AND expires_at > $2"
        " ORDER BY expires_at, id LIMIT 1", account_id, now,
    )
    journal_id = await con.fetchval(
        "INSERT INTO points_journal (kind, reason, actor, store_id, reference, debt_change, occurred_at, created_at)"
        " VALUES ('REDEMPTION', 'Redeemed 1 x bench item', $1, $2, $3, 0, $4, $4) RETURNING id",
        f"member:{member}", store_id, f"redemption:{redemption_id}", now,
    )
    await con.execute("UPDATE points_lot SET remaining = remaining - 1 WHERE id = $1 AND remaining >= 1", lot_id)
    await con.execute("INSERT INTO lot_consumption (journal_id, lot_id, amount) VALUES ($1, $2, 1)", journal_id, lot_id)
    system_id = await con.fetchval(
        "INSERT INTO points_account (kind, code, balance, pending_balance, debt, created_at) VALUES ('SYSTEM', $1, 1, 0, 0, $2)"
        " ON CONFLICT (code) DO UPDATE SET balance = points_account.balance + 1 RETURNING id",
        shard_code(SystemAccount.REDEEMED, shard_of(member)), now,
    )
    await con.execute(
        "INSERT INTO points_entry (journal_id, account_id, amount, created_at) VALUES ($1, $2, -1, $4), ($1, $3, 1, $4)",
        journal_id, account_id, system_id, now,
    )
    return await _take_stock(con, item_id, buckets)


class _Rollback(Exception):
    pass


async def _sql_floor(url: str, item_id: int, buckets: int, members: list[int], store_id: int, *,
                     concurrency: int, seconds: float, name: str, transaction=_stock_and_row) -> Result:
    """One `transaction` after another on each of `concurrency` connections, as fast as PostgreSQL commits them."""
    pool = await asyncpg.create_pool(_dsn(url), min_size=concurrency, max_size=concurrency)
    result = Result(name=name, seconds=seconds)
    deadline = time.perf_counter() + seconds
    now = datetime.now(UTC)

    async def worker(n: int) -> None:
        async with pool.acquire() as con:
            i = 0
            while time.perf_counter() < deadline:
                i += 1
                member = members[(n * 7919 + i) % len(members)]
                started = time.perf_counter()
                try:
                    async with con.transaction():
                        if not await transaction(con, item_id, buckets, member, store_id, now):
                            raise _Rollback
                except _Rollback:
                    result.failures += 1
                    continue
                result.latencies.append(time.perf_counter() - started)

    cpu = CpuMeter()
    cpu.start()
    started = time.perf_counter()
    await asyncio.gather(*(worker(n) for n in range(concurrency)))
    result.seconds = time.perf_counter() - started
    cpu.stop()  # before the pool closes: an exiting backend takes its CPU time with it
    result.cpu_us = cpu.per_request(result.count)
    await pool.close()
    return result


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(env: dict[str, str], port: int, workers: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [ORCHARD, "serve", "--no-demo", "--workers", str(workers), "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    deadline = time.time() + 60
    import urllib.request

    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as answer:
                if answer.status == 200 and listening_sockets(port) >= workers:  # every worker ready
                    return server
        except OSError:
            time.sleep(0.2)  # polling the server's readiness, not synchronising test steps
    os.killpg(server.pid, signal.SIGTERM)
    raise SystemExit("the server did not become ready")


async def _api_runs(port: int, server_group: int, env: dict[str, str], setup: dict, *, concurrency: int,
                    seconds: float) -> list[Result]:
    secret = env["ORCHARD_SECRET_KEY"]
    tokens = [
        issue_access_token(Viewer(kind=CallerKind.MEMBER, subject_id=m), secret=secret, clock=SYSTEM_CLOCK,
                           lifetime=timedelta(hours=1))[0]
        for m in setup["members"]
    ]
    store = to_global_id("Store", setup["store"])
    typename = graphql_request("127.0.0.1", port, "{ __typename }")
    balance_query = "query Balance { me { pointsBalance } }"
    redeem = ("mutation RedeemMallItem($i: RedeemMallItemInput!) { redeemMallItem(input: $i) "
              "{ redemption { id code status pointsSpent } member { pointsBalance } errors { code } } }")

    def balance(i: int) -> bytes:
        return graphql_request("127.0.0.1", port, balance_query, token=tokens[i % len(tokens)], operation_name="Balance")

    def redeem_of(items: list[int]):
        gids = [to_global_id("MallItem", i) for i in items]

        def make(i: int) -> bytes:
            variables = {"i": {"itemId": gids[i % len(gids)], "quantity": 1, "storeId": store,
                               "idempotencyKey": uuid.uuid4().hex}}
            return graphql_request("127.0.0.1", port, redeem, variables, token=tokens[i % len(tokens)],
                                   operation_name="RedeemMallItem")
        return make

    async def run(name: str, make_request) -> Result:
        return await run_closed_loop(name, "127.0.0.1", port, make_request, concurrency=concurrency, seconds=seconds,
                                     keep_samples=3, cpu=CpuMeter(server_group))

    return [
        await run("(c) { __typename }", lambda i: typename),
        await run("member balance query", balance),
        await run("(b) redeemMallItem, hot item", redeem_of([setup["hot"]])),
        await run("(b) redeemMallItem, 16 buckets", redeem_of([setup["hot16"]])),
        await run("(b) redeemMallItem, spread", redeem_of(setup["spread"])),
    ]


async def _one_round(url: str, port: int, server_group: int, env: dict[str, str], setup: dict, args) -> tuple[list[Result], dict]:
    """The floors and the API back to back (a minute or two apart, whatever the machine does over a
    longer run), and the ratios of this round."""
    floor = await _sql_floor(url, setup["hot"], 1, setup["members"], setup["store"], concurrency=args.concurrency,
                             seconds=args.seconds, name="(a) SQL floor, hot item")
    floor16 = await _sql_floor(url, setup["hot16"], 16, setup["members"], setup["store"],
                               concurrency=args.concurrency, seconds=args.seconds, name="(a) SQL floor, 16 buckets")
    ledger_floor = await _sql_floor(url, setup["hot"], 1, setup["members"], setup["store"], concurrency=args.concurrency,
                                    seconds=args.seconds, name="(a') with the ledger, hot item", transaction=_with_ledger)
    api = await _api_runs(port, server_group, env, setup, concurrency=args.concurrency, seconds=args.seconds)
    typename, balance, hot, hot16, spread = api
    ratios = {
        "hot redeem / SQL floor (target >= 0.6)": hot.throughput / floor.throughput,
        "hot redeem / SQL floor with the ledger": hot.throughput / ledger_floor.throughput,
        "16-bucket redeem / 16-bucket SQL floor": hot16.throughput / floor16.throughput,
        "spread redeem / SQL floor": spread.throughput / floor.throughput,
        "balance / __typename (target >= 0.7)": balance.throughput / typename.throughput,
    }
    return [floor, floor16, ledger_floor, *api], ratios


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", default=os.environ.get("ORCHARD_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--database", default="orchard_bench")
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--spread-items", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--redis", default=os.environ.get("ORCHARD_BENCH_REDIS", "redis://127.0.0.1:6379/15"))
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--rounds", type=int, default=1,
                        help="measure the floors and the API this many times, back to back; ratios are the rounds' median")
    args = parser.parse_args()

    url = await _create_database(args.postgres, args.database)
    env = dict(os.environ, ORCHARD_DATABASE_URL=url, ORCHARD_ENV="production", ORCHARD_REDIS_URL=args.redis,
               ORCHARD_SECRET_KEY=secrets.token_urlsafe(48), ORCHARD_RATE_PER_SECOND="1000000",
               ORCHARD_RATE_BURST="1000000", ORCHARD_DB_POOL_SIZE=str(max(4, args.concurrency // args.workers + 2)))
    server = None
    try:
        print(f"seeding {args.members} members ...", flush=True)
        seed_env = {k: v for k, v in env.items() if k != "ORCHARD_ENV"}  # the seeder refuses production
        subprocess.run([ORCHARD, "seed", "--members", str(args.members), "--stores", "4", "--history-days", "90",
                        "--keys-file", str(ROOT / "loadtests" / "reports" / "bench-keys.json")],
                       env=seed_env, check=True, stdout=subprocess.DEVNULL)
        setup = await _bench_items(env, args.spread_items)
        port = _free_port()
        server = _start_server(env, port, args.workers)  # idle while the floors run
        rounds = []
        for number in range(1, args.rounds + 1):
            if args.rounds > 1:
                print(f"round {number} of {args.rounds} ...", flush=True)
            rounds.append(await _one_round(url, port, server.pid, env, setup, args))
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        if not args.keep:
            await _drop_database(args.postgres, args.database)

    results, _ = rounds[-1]
    print(f"\nconcurrency {args.concurrency}, {args.seconds:.0f} s each, {args.workers} server workers, {os.cpu_count()} cores"
          + (f"; the last of {args.rounds} rounds" if args.rounds > 1 else ""))
    for r in results:
        print(r.row())
        for sample in r.samples[:1]:
            print(f"    first failure: {sample[:200]!r}")
    ratios = {name: statistics.median(r[name] for _, r in rounds) for name in rounds[0][1]}
    for name, value in ratios.items():
        per_round = f"  (rounds: {', '.join(f'{r[name]:.2f}' for _, r in rounds)})" if args.rounds > 1 else ""
        print(f"{name:<45} {value:.2f}{per_round}")
    out = ROOT / "loadtests" / "reports" / f"bench-{datetime.now():%Y%m%d-%H%M%S}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({
        "args": vars(args),
        "results": [{"name": r.name, "throughput": r.throughput, "p50_ms": r.percentile(50), "p95_ms": r.percentile(95),
                     "p99_ms": r.percentile(99), "count": r.count, "failures": r.failures, "cpu_us_per_request": r.cpu_us}
                    for r in results],
        "ratios": ratios,
        "ratios_by_round": [r for _, r in rounds],
    }, indent=1))
    print(f"written {out}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
