"""Do member queries stay as fast at 1,000,000 members as at 1,000? p50 side by side.

Seed two databases first (the 1 M one takes 9-13 minutes), then:

  .venv/bin/python loadtests/bench_scale.py \\
      --small postgres://postgres@127.0.0.1:5432/orchard_1k --small-keys /tmp/keys-1k.json \\
      --large postgres://postgres@127.0.0.1:5432/orchard_1m --large-keys /tmp/keys-1m.json \\
      --secret <ORCHARD_SECRET_KEY used by the seeder>

For each database it starts `orchard serve --workers 1`, runs the member queries a frontend
sends most (the balance, the app's home screen with history and purchases, a clerk's scan by
member code) at a modest concurrency, and prints p50/p95 and the ratio large/small (target <= 1.2).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from domain.access import CallerKind, StaffRole, Viewer  # noqa: E402
from domain.stores.tokens import issue_access_token  # noqa: E402
from infra.clock import SYSTEM_CLOCK  # noqa: E402
from loadtests.bench_redeem import _free_port, _start_server  # noqa: E402
from loadtests.driver import Result, graphql_request, run_closed_loop  # noqa: E402

BALANCE = "query Balance { me { pointsBalance } }"
HOME = ("query Home { me { code tier { code } pointsBalance pendingPoints "
        "pointsHistory(first: 10) { edges { node { kind points occurredAt } } } "
        "purchases(first: 5) { edges { node { pointsEarned occurredAt } } } } }")
SCAN = "query Scan($code: String!) { member(code: $code) { code name tier { code } pointsBalance } }"


def _token(viewer: Viewer, secret: str) -> str:
    return issue_access_token(viewer, secret=secret, clock=SYSTEM_CLOCK, lifetime=timedelta(hours=1))[0]


async def _measure(url: str, keys_file: str, secret: str, *, concurrency: int, seconds: float, label: str) -> list[Result]:
    members = json.loads(Path(keys_file).read_text())["members"]
    env = dict(os.environ, ORCHARD_DATABASE_URL=url, ORCHARD_ENV="production", ORCHARD_SECRET_KEY=secret,
               ORCHARD_RATE_PER_SECOND="1000000", ORCHARD_RATE_BURST="1000000")
    port = _free_port()
    server = _start_server(env, port, 1)
    tokens = [_token(Viewer(kind=CallerKind.MEMBER, subject_id=m["id"]), secret) for m in members]
    admin = _token(Viewer(kind=CallerKind.STAFF, subject_id=1, role=StaffRole.CHAIN_ADMIN), secret)
    try:
        results = []
        for name, make in (
            ("balance", lambda i: graphql_request("127.0.0.1", port, BALANCE, token=tokens[i % len(tokens)], operation_name="Balance")),
            ("home screen", lambda i: graphql_request("127.0.0.1", port, HOME, token=tokens[i % len(tokens)], operation_name="Home")),
            ("scan by code", lambda i: graphql_request("127.0.0.1", port, SCAN, {"code": members[i % len(members)]["code"]},
                                                       token=admin, operation_name="Scan")),
        ):
            await run_closed_loop(name, "127.0.0.1", port, make, concurrency=concurrency, seconds=2)  # warm up
            results.append(await run_closed_loop(f"{label}: {name}", "127.0.0.1", port, make,
                                                 concurrency=concurrency, seconds=seconds, keep_samples=1))
        return results
    finally:
        import signal

        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", required=True)
    parser.add_argument("--small-keys", required=True)
    parser.add_argument("--large", required=True)
    parser.add_argument("--large-keys", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    small = await _measure(args.small, args.small_keys, args.secret, concurrency=args.concurrency, seconds=args.seconds, label="small")
    large = await _measure(args.large, args.large_keys, args.secret, concurrency=args.concurrency, seconds=args.seconds, label="large")
    for r in small + large:
        print(r.row())
    for s, big in zip(small, large, strict=True):
        print(f"p50 large/small, {s.name.split(': ')[1]:<14} {big.percentile(50) / s.percentile(50):.2f}  (target <= 1.2)")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
