"""Donations per second to one hot charity project against donations spread over 100 projects, in one run.

A typhoon appeal shared on social media takes thousands of donations a minute on one project.
A single totals row per project would serialise them (every donation waits for the one before
to commit); Orchard spreads a project's totals and its ledger account over shard rows
(domain/donations/shards.py), so the hot project should keep at least 0.9x the rate of the same
donations spread over 100 projects (where no two donors meet on a row).

Both runs go through the running API (`donatePoints`), on one database, at one concurrency, one
after the other in each round; `--rounds` alternates them and reports the median ratio. Usage
(PostgreSQL must be running):

  .venv/bin/python loadtests/bench_donate.py --concurrency 32 --seconds 10 --workers 2 --rounds 3

It creates (and drops) its own database, seeds it with `orchard seed`, starts `orchard serve` on a
free port, and stops it at the end; it prints throughput, p50/p95/p99 and the CPU time per request
of the server, PostgreSQL and the driver, then the ratio, and runs the ledger check (projects included).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import signal
import statistics
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from domain.access import CallerKind, StaffRole, Viewer  # noqa: E402
from domain.stores.tokens import issue_access_token  # noqa: E402
from infra.clock import SYSTEM_CLOCK  # noqa: E402
from loadtests.bench_redeem import ORCHARD, _create_database, _drop_database, _free_port, _start_server  # noqa: E402
from loadtests.cpu import CpuMeter  # noqa: E402
from loadtests.driver import Result, graphql_request, run_closed_loop  # noqa: E402
from schema.relay import to_global_id  # noqa: E402

DONATE = ("mutation DonatePoints($i: DonatePointsInput!) { donatePoints(input: $i) "
          "{ donation { id points certificateCode } project { raisedPoints donorCount } member { pointsBalance } errors { code } } }")


async def _projects(env: dict[str, str], spread: int, *, matching: bool) -> dict:
    """One hot project and `spread` others, open, none stopping at its goal; and members who can pay."""
    from domain.donations import projects
    from domain.donations.projects import ProjectDraft
    from infra import db
    from infra.settings import load_settings

    await db.init_db(load_settings(env))
    admin = Viewer(kind=CallerKind.STAFF, subject_id=0, role=StaffRole.CHAIN_ADMIN)
    now = SYSTEM_CLOCK.now()
    try:
        async def made(name: str) -> int:
            extra = {"match_ratio": 1, "match_cap_points": 1_000_000_000} if matching else {}
            shown = await projects.create(admin, ProjectDraft(
                name=name, goal_points=100_000_000, opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30),
                minimum_points=1, **extra,
            ), clock=SYSTEM_CLOCK)
            await projects.open_project(admin, shown.project.id, clock=SYSTEM_CLOCK)
            return shown.project.id

        hot = await made("Typhoon appeal")
        others = [await made(f"Appeal {i}") for i in range(spread)]
        members = [r["id"] for r in await db.fetch(
            "SELECT member_id AS id FROM points_account WHERE kind = 'MEMBER' AND balance >= 1000 ORDER BY member_id"
        )]
        return {"hot": hot, "spread": others, "members": members}
    finally:
        await db.close_db()


async def _run(port: int, server_group: int, env: dict[str, str], setup: dict, projects: list[int], name: str,
               *, concurrency: int, seconds: float) -> Result:
    secret = env["ORCHARD_SECRET_KEY"]
    tokens = [
        issue_access_token(Viewer(kind=CallerKind.MEMBER, subject_id=m), secret=secret, clock=SYSTEM_CLOCK,
                           lifetime=timedelta(hours=1))[0]
        for m in setup["members"]
    ]
    gids = [to_global_id("CharityProject", p) for p in projects]

    def make(i: int) -> bytes:
        variables = {"i": {"projectId": gids[i % len(gids)], "points": 1, "idempotencyKey": uuid.uuid4().hex}}
        return graphql_request("127.0.0.1", port, DONATE, variables, token=tokens[(i * 7919) % len(tokens)],
                               operation_name="DonatePoints")

    return await run_closed_loop(name, "127.0.0.1", port, make, concurrency=concurrency, seconds=seconds, keep_samples=3,
                                 cpu=CpuMeter(server_group))


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", default=os.environ.get("ORCHARD_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--database", default="orchard_bench_donate")
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--spread-projects", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3, help="hot and spread alternated this many times; the ratio is the median")
    parser.add_argument("--matching", action="store_true", help="projects matched 1:1 (one more journal a donation)")
    parser.add_argument("--redis", default=os.environ.get("ORCHARD_BENCH_REDIS", "redis://127.0.0.1:6379/15"))
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    url = await _create_database(args.postgres, args.database)
    env = dict(os.environ, ORCHARD_DATABASE_URL=url, ORCHARD_ENV="production", ORCHARD_REDIS_URL=args.redis,
               ORCHARD_SECRET_KEY=secrets.token_urlsafe(48), ORCHARD_RATE_PER_SECOND="1000000",
               ORCHARD_RATE_BURST="1000000", ORCHARD_DB_POOL_SIZE=str(max(4, args.concurrency // args.workers + 2)))
    server = None
    rounds: list[tuple[Result, Result]] = []
    try:
        print(f"seeding {args.members} members ...", flush=True)
        seed_env = {k: v for k, v in env.items() if k != "ORCHARD_ENV"}  # the seeder refuses production
        subprocess.run([ORCHARD, "seed", "--members", str(args.members), "--stores", "4", "--history-days", "90",
                        "--keys-file", str(ROOT / "loadtests" / "reports" / "bench-donate-keys.json")],
                       env=seed_env, check=True, stdout=subprocess.DEVNULL)
        setup = await _projects(env, args.spread_projects, matching=args.matching)
        port = _free_port()
        server = _start_server(env, port, args.workers)
        # Warm up: the server's caches and connections, outside the figures.
        await _run(port, server.pid, env, setup, setup["spread"], "warm-up", concurrency=args.concurrency, seconds=2)
        for number in range(1, args.rounds + 1):
            print(f"round {number} of {args.rounds} ...", flush=True)
            hot = await _run(port, server.pid, env, setup, [setup["hot"]], "donatePoints, one hot project",
                             concurrency=args.concurrency, seconds=args.seconds)
            spread = await _run(port, server.pid, env, setup, setup["spread"], f"donatePoints, {args.spread_projects} projects",
                                concurrency=args.concurrency, seconds=args.seconds)
            rounds.append((hot, spread))
        checked = subprocess.run([ORCHARD, "ledger", "check"], env=env, capture_output=True, text=True, check=False)
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        if not args.keep:
            await _drop_database(args.postgres, args.database)

    print(f"\nconcurrency {args.concurrency}, {args.seconds:.0f} s each, {args.workers} server workers, {os.cpu_count()} cores,"
          f" matching {'on' if args.matching else 'off'}")
    for hot, spread in rounds:
        for r in (hot, spread):
            print(r.row())
            for sample in r.samples[:1]:
                print(f"    first failure: {sample[:200]!r}")
    ratios = [hot.throughput / spread.throughput for hot, spread in rounds]
    print(f"hot / spread donations per second (target >= 0.9): {statistics.median(ratios):.2f}"
          f"  (rounds: {', '.join(f'{r:.2f}' for r in ratios)})")
    print(f"ledger check: {checked.stdout.strip().splitlines()[0] if checked.stdout.strip() else checked.stderr[-300:]}")
    return 0 if checked.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
