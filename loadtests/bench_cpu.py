"""The server's CPU per request, in process, for the peak-hour operations; one tree or two alternated.

Throughput on a shared 2-core machine swings from hour to hour (the same code's hot
redemption has cost 1.5 ms and 4.3 ms of server CPU on different days), so a change is judged
by the CPU time the server spends per request, measured back to back against the code before
it. This calls the ASGI app directly (no HTTP, no sockets): what is left is Orchard's own work
plus asyncpg's and redis-py's, and each request's PostgreSQL CPU is read beside it.

  .venv/bin/python loadtests/bench_cpu.py                          # this tree
  git worktree add /tmp/base HEAD~1
  .venv/bin/python loadtests/bench_cpu.py --trees /tmp/base . --rounds 3   # before and after, alternated

It creates a database, seeds it once with `orchard seed` plus a hot item and a few everyday
items, and gives each run a copy of it (CREATE DATABASE ... TEMPLATE), so every tree starts
from the same rows. Each run is a subprocess with the tree first on PYTHONPATH, production
settings and Redis. Operations (--ops): redeem (a member redeems the hot item), draw (a member
draws from an open lottery at the hot item's price: a 20-yuan coupon, a tasting, points back or
nothing, the limited prizes with stock to last the run), mall (a
20-item catalogue page), balance, history, scan (a kiosk looks a member up by code),
purchase (a clerk records a purchase, some paid partly with points), checkin (a member's daily
check-in: one per member, so at most half as many requests as members with 1,000 points), typename.
redeem-hooked is redeem with a chain webhook endpoint subscribed to every redemption event (in a
tree without webhooks it is plain redeem): `--trees <before webhooks> . --ops redeem-hooked`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OPS = ("redeem", "redeem-hooked", "draw", "mall", "balance", "history", "scan", "purchase", "checkin", "typename")


# ---- the parent: one seeded template, a copy per run, runs alternated ------------------------------


async def _prepare(admin_url: str, template: str, members: int, redis_url: str, secret: str) -> dict:
    from loadtests.bench_redeem import ORCHARD, _bench_items, _create_database

    url = await _create_database(admin_url, template)
    keys_file = ROOT / "loadtests" / "reports" / "bench-cpu-keys.json"
    env = dict(os.environ, ORCHARD_DATABASE_URL=url, ORCHARD_SECRET_KEY=secret, ORCHARD_REDIS_URL=redis_url)
    print(f"seeding {members} members into {template} ...", flush=True)
    subprocess.run([ORCHARD, "seed", "--members", str(members), "--stores", "4", "--history-days", "90",
                    "--keys-file", str(keys_file)], env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    setup = await _bench_items(env, 10)
    setup["lottery"] = await _bench_lottery(env)
    setup["keys"] = json.loads(keys_file.read_text())
    return setup


async def _bench_lottery(env: dict[str, str]) -> int:
    """An open lottery priced like the hot item (10 points), its limited prizes stocked for the whole run."""
    from domain.access import CallerKind, StaffRole, Viewer
    from domain.coupons.models import CouponTemplate
    from domain.lotteries import catalogue
    from domain.lotteries.catalogue import LotteryDraft, PrizeDraft
    from infra import db
    from infra.clock import SYSTEM_CLOCK
    from infra.settings import load_settings

    settings = load_settings(env)
    await db.init_db(settings)
    admin = Viewer(kind=CallerKind.STAFF, subject_id=0, role=StaffRole.CHAIN_ADMIN)
    now = SYSTEM_CLOCK.now()
    try:
        twenty = await CouponTemplate.create(name="20 yuan off", kind="AMOUNT_OFF", value_fen=2000, valid_days=30, created_at=now)
        tasting = await CouponTemplate.create(name="Tasting", kind="TASTING", item_name="Pear", valid_days=7, created_at=now)
        prizes = (PrizeDraft("20 yuan off", "COUPON", 100, stock=1_000_000, coupon_template_id=twenty.id),
                  PrizeDraft("Tasting", "TASTING", 200, stock=1_000_000, coupon_template_id=tasting.id),
                  PrizeDraft("5 points back", "POINTS", 300, points=5), PrizeDraft("Thanks", "NO_PRIZE", 400))
        lottery = await catalogue.create(admin, LotteryDraft(
            name="Bench draw", points_per_draw=10, opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30),
            prizes=prizes, stock_buckets=16,
        ), clock=SYSTEM_CLOCK)
        await catalogue.open_lottery(admin, lottery.id, data_key=settings.personal_data_key, clock=SYSTEM_CLOCK)
        return lottery.id
    finally:
        await db.close_db()


def _run_tree(tree: Path, url: str, redis_url: str, secret: str, setup_file: Path, args) -> dict:
    env = dict(os.environ, PYTHONPATH=str(tree), ORCHARD_DATABASE_URL=url, ORCHARD_REDIS_URL=redis_url,
               ORCHARD_ENV="production", ORCHARD_SECRET_KEY=secret, ORCHARD_RATE_PER_SECOND="1000000",
               ORCHARD_RATE_BURST="1000000", ORCHARD_DB_POOL_SIZE=str(args.in_flight + 2))
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--worker", str(setup_file), "--ops", *args.ops,
         "--requests", str(args.requests), "--in-flight", str(args.in_flight)],
        env=env, cwd=tree, capture_output=True, text=True, check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"the run of {tree} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


async def compare(args) -> int:
    sys.path.insert(0, str(ROOT))
    from loadtests.bench_redeem import _create_database, _drop_database

    trees = [Path(t).resolve() for t in args.trees]
    secret = secrets.token_urlsafe(48)
    template = f"{args.database}_template"
    setup = await _prepare(args.postgres, template, args.members, args.redis, secret)
    setup_file = ROOT / "loadtests" / "reports" / "bench-cpu-setup.json"
    setup_file.write_text(json.dumps(setup))
    runs: dict[str, dict[str, list[dict]]] = {str(t): {op: [] for op in args.ops} for t in trees}
    try:
        for round_no in range(1, args.rounds + 1):
            for tree in trees if round_no % 2 else list(reversed(trees)):  # neither tree always goes first
                url = await _create_database(args.postgres, args.database, template)
                figures = _run_tree(tree, url, args.redis, secret, setup_file, args)
                for op, figure in figures.items():
                    runs[str(tree)][op].append(figure)
                print(f"round {round_no} {tree}: " + ", ".join(f"{op} {f['server_us']:,.0f} us" for op, f in figures.items()),
                      flush=True)
    finally:
        if args.keep:
            print(f"kept {args.database}; to profile one run: ORCHARD_DATABASE_URL=<it> ORCHARD_SECRET_KEY={secret}"
                  f" ... py-spy record -o profile.svg -- {sys.executable} {__file__} --worker {setup_file} --ops <op>")
        else:
            await _drop_database(args.postgres, args.database)
        await _drop_database(args.postgres, template)
    print(f"\nserver CPU per request in process (median of {args.rounds} runs; PostgreSQL's beside it),"
          f" {args.requests} requests, {args.in_flight} in flight")
    print(f"{'operation':<10}" + "".join(f"{Path(t).name or str(t):>30}" for t in runs))
    for op in args.ops:
        cells = []
        for tree_runs in runs.values():
            figures = tree_runs[op]
            server = statistics.median(f["server_us"] for f in figures)
            postgres = statistics.median(f["postgres_us"] for f in figures)
            spread = f"{min(f['server_us'] for f in figures):,.0f}-{max(f['server_us'] for f in figures):,.0f}"
            cells.append(f"{server:>8,.0f} ({spread}) pg {postgres:,.0f}")
        print(f"{op:<10}" + "".join(f"{c:>30}" for c in cells))
    if len(trees) == 2:
        first, second = runs.values()
        for op in args.ops:
            ratio = statistics.median(f["server_us"] for f in second[op]) / statistics.median(f["server_us"] for f in first[op])
            print(f"{op:<10} second / first: {ratio:.2f}")
    return 0


# ---- the worker: the app in process, one operation after another ----------------------------------


async def _asgi_post(app, body: bytes, token: str | None) -> dict:
    headers = [(b"content-type", b"application/json")]
    if token:
        headers.append((b"authorization", f"Bearer {token}".encode()))
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": "/graphql", "raw_path": b"/graphql", "query_string": b"", "root_path": "", "headers": headers,
             "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 8000)}
    sent = False
    chunks: list[bytes] = []

    async def receive():
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message):
        if message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return json.loads(b"".join(chunks))


def _requests(op: str, setup: dict, secret: str, staff_token: str):
    """A function of the request's number that makes its body and token."""
    import orjson
    from operations import BALANCE, CHECK_IN, HISTORY, LOOKUP, MALL_ITEMS, RECORD, REDEEM  # beside this file, whatever the tree

    try:
        from operations import DRAW_LOTTERY
    except ImportError:  # a tree from before lotteries
        DRAW_LOTTERY = ""

    from domain.access import CallerKind, Viewer
    from domain.stores.tokens import issue_access_token
    from infra.clock import SYSTEM_CLOCK
    from schema.relay import to_global_id

    keys = setup["keys"]
    tokens = [issue_access_token(Viewer(kind=CallerKind.MEMBER, subject_id=m), secret=secret, clock=SYSTEM_CLOCK,
                                 lifetime=timedelta(hours=1))[0] for m in setup["members"]]
    store = to_global_id("Store", setup["store"])
    hot = to_global_id("MallItem", setup["hot"])
    lottery = to_global_id("Lottery", setup.get("lottery", 0))
    kiosk = keys["stores"][0]["kioskKey"]
    kiosk_store = to_global_id("Store", keys["stores"][0]["id"])
    codes = [m["code"] for m in keys["members"]]

    def body(name: str, query: str, variables: dict | None = None) -> bytes:
        return orjson.dumps({"query": query, "operationName": name, "variables": variables or {}})

    def purchase(i: int) -> tuple[bytes, str]:
        rng = random.Random(i)
        lines = [{"sku": f"SKU-{rng.randint(1, 500)}", "category": rng.choice(["IMPORTED_FRUIT", "DOMESTIC_FRUIT", "GIFT_BOX"]),
                  "quantity": rng.randint(1, 3), "unitPrice": f"{rng.randint(500, 9900) / 100:.2f}"} for _ in range(rng.randint(1, 4))]
        variables = {"i": {"memberCode": codes[i % len(codes)], "storeId": kiosk_store, "channel": "IN_STORE", "lines": lines,
                           "clientTxnId": uuid.uuid4().hex, "pointsToRedeem": rng.choice([0, 0, 0, 100, 300])}}
        return body("RecordPurchase", RECORD, variables), staff_token

    return {
        "redeem": lambda i: (body("RedeemMallItem", REDEEM, {"i": {"itemId": hot, "quantity": 1, "storeId": store,
                                                                  "idempotencyKey": uuid.uuid4().hex}}), tokens[i % len(tokens)]),
        "draw": lambda i: (body("DrawLottery", DRAW_LOTTERY, {"i": {"lotteryId": lottery, "storeId": store,
                                                                   "idempotencyKey": uuid.uuid4().hex}}), tokens[i % len(tokens)]),
        "redeem-hooked": lambda i: (body("RedeemMallItem", REDEEM, {"i": {"itemId": hot, "quantity": 1, "storeId": store,
                                                                         "idempotencyKey": uuid.uuid4().hex}}), tokens[i % len(tokens)]),
        "mall": lambda i: (body("MallItems", MALL_ITEMS, {"first": 20}), tokens[i % len(tokens)]),
        "balance": lambda i: (body("Balance", BALANCE), tokens[i % len(tokens)]),
        "history": lambda i: (body("History", HISTORY), tokens[i % len(tokens)]),
        "scan": lambda i: (body("ScanMember", LOOKUP, {"code": codes[i % len(codes)]}), kiosk),
        "purchase": purchase,
        "checkin": lambda i: (body("CheckIn", CHECK_IN), tokens[i % len(tokens)]),
        "typename": lambda i: (b'{"query": "{ __typename }"}', None),
    }[op]


async def _measure(app, make, requests: int, in_flight: int) -> dict:
    from cpu import CpuMeter  # beside this file, whatever the tree
    from operations import EXPECTED_OUTCOMES

    counter = iter(range(requests))  # the warm-up's requests; the measured ones follow them (a new member's check-in)
    failures: list[dict] = []

    async def one_after_another() -> None:
        for i in counter:
            body, token = make(i)
            answer = await _asgi_post(app, body, token)
            data = answer.get("data") or {}
            payload = next(iter(data.values()), None) if data else None
            codes = {e["code"] for e in payload.get("errors", [])} if isinstance(payload, dict) else set()
            if answer.get("errors") or codes - EXPECTED_OUTCOMES:
                failures.append(answer)

    await asyncio.gather(*(one_after_another() for _ in range(in_flight)))  # warm caches, plans and pools
    counter = iter(range(requests, 2 * requests))
    failures.clear()
    postgres = CpuMeter(None)
    postgres.start()
    started = time.process_time()
    await asyncio.gather(*(one_after_another() for _ in range(in_flight)))
    server_us = (time.process_time() - started) / requests * 1e6
    postgres.stop()
    if failures:
        raise SystemExit(f"{len(failures)} failed requests, e.g. {json.dumps(failures[0])[:500]}")
    return {"server_us": server_us, "postgres_us": postgres.per_request(requests).get("postgres", 0.0)}


async def _subscribe_webhook_endpoint() -> None:
    """A chain endpoint for every redemption event, written directly (no delivery runs here); none
    in a tree without webhooks."""
    from infra import db

    if "domain.webhooks.models" not in db.MODEL_MODULES:  # a tree before webhooks (the editable install may still import them)
        return
    from domain.webhooks.models import WebhookEndpoint
    from infra.clock import SYSTEM_CLOCK

    now = SYSTEM_CLOCK.now()
    await WebhookEndpoint.create(
        url="https://hooks.example.com/orchard", events=["redemption.created", "redemption.fulfilled", "redemption.cancelled"],
        secret_encrypted="unused", secret_hint="whsec_", created_by="bench", created_at=now, updated_at=now,
    )


async def worker(args) -> int:
    sys.path.insert(0, os.getcwd())  # the tree under test, ahead of any installed copy
    import app as orchard_app
    from infra.settings import load_settings

    if not Path(orchard_app.__file__).resolve().is_relative_to(Path.cwd().resolve()):
        raise SystemExit(f"measuring {orchard_app.__file__}, not the tree in {Path.cwd()}")
    setup = json.loads(Path(args.worker).read_text())
    settings = load_settings()
    application = orchard_app.create_app(settings, tune_gc=True)
    figures = {}
    async with application.router.lifespan_context(application):
        clerk = setup["keys"]["stores"][0]["clerk"]
        login = await _asgi_post(application, json.dumps({"query": (
            "mutation L($i: StaffLoginInput!) { staffLogin(input: $i) { token errors { code } } }"), "variables": {"i": clerk}}).encode(),
            None)
        if not (login.get("data") or {}).get("staffLogin", {}).get("token"):
            raise SystemExit(f"the clerk could not sign in: {login}")
        staff_token = login["data"]["staffLogin"]["token"]
        for op in args.ops:
            if op == "redeem-hooked":
                await _subscribe_webhook_endpoint()
            make = _requests(op, setup, os.environ["ORCHARD_SECRET_KEY"], staff_token)
            figures[op] = await _measure(application, make, args.requests, args.in_flight)
    print(json.dumps(figures))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trees", nargs="+", default=[str(ROOT)], help="source trees to measure, alternated")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--ops", nargs="+", choices=OPS, default=list(OPS))
    parser.add_argument("--requests", type=int, default=2000, help="measured requests per operation, after as many to warm up")
    parser.add_argument("--in-flight", type=int, default=16)
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--postgres", default=os.environ.get("ORCHARD_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--database", default="orchard_bench_cpu")
    parser.add_argument("--redis", default=os.environ.get("ORCHARD_BENCH_REDIS", "redis://127.0.0.1:6379/15"))
    parser.add_argument("--keep", action="store_true", help="keep the last run's database (to profile a run by hand)")
    parser.add_argument("--worker", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        try:
            import uvloop  # the served worker's loop: uvicorn picks uvloop when it is installed
        except ImportError:
            return asyncio.run(worker(args))
        return uvloop.run(worker(args))
    return asyncio.run(compare(args))


if __name__ == "__main__":
    sys.exit(main())
