"""Orchard's Locust suite: the peak-hour mix, the hot-item rush and a steady soak.

Every request is a GraphQL operation named `gql:<OperationName>`. GraphQL answers 200 even on
failure, so a request fails when its body carries top-level `errors` or a payload error that is
not an expected business outcome (OUT_OF_STOCK in a rush is an answer, not a failure).

Data comes from `orchard seed` (its keys file, default loadtests/seed-keys.json): stores with
kiosk keys and clerks, a sample of members. Member tokens are minted here with the server's
ORCHARD_SECRET_KEY (the QA environment has it), so no SMS round trip is needed.

Scenarios (see docs/performance.md for the commands):
  --scenario peak-hour   app members, kiosks, POS tills and an admin, weighted (the default)
  --scenario rush        everyone after one hot item at once (--hot-item, or the first limited item)
  --scenario soak        the peak-hour mix at a steady rate for a long run
  --scenario lottery     the member-day opening: everyone draws from one open lottery (--lottery, or the
                         first open one), looking at its odds now and then
  --scenario appeal      many members donating to one hot charity project (--appeal-project, or the
                         first open one), a few reading its progress
Weights: --weight-app, --weight-kiosk, --weight-pos, --weight-rush, --weight-lottery, --weight-admin, --weight-appeal. Think
times: --think-scale (0.1 makes each simulated user ten times as busy, so fewer users offer
the same rate).
Pass/fail: --max-p95-ms, --max-p99-ms, --max-failure-ratio, --min-rps become the exit code, and
--check-invariants runs `orchard ledger check` and `orchard mall check` at the end: a run with a
broken invariant fails whatever its latency. --warm-up-seconds keeps the start-up (staff
sign-ins, cold caches) out of the figures. At the end the suite prints the CPU time per request
that Locust, the server, PostgreSQL and Redis spent on this machine in the measured window.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import random
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import ClassVar

import gevent
from gevent.lock import Semaphore
from locust import FastHttpUser, between, constant, events, task
from locust.runners import MasterRunner, WorkerRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from domain.access import CallerKind, Viewer
from domain.stores.tokens import issue_access_token
from infra.clock import SYSTEM_CLOCK
from loadtests.cpu import ROLES, cpu_by_role
from loadtests.operations import (
    BALANCE,
    CHECK_IN,
    DONATE,
    DRAW_LOTTERY,
    EXPECTED_OUTCOMES,
    HISTORY,
    LOOKUP,
    MALL_ITEMS,
    OPEN_LOTTERIES,
    OPEN_PROJECTS,
    RECORD,
    REDEEM,
    REFRESH_STAFF_SESSION,
    RESTOCK,
    STAFF_LOGIN,
)
from schema.relay import to_global_id

log = logging.getLogger("orchard.locust")
SCENARIO_WEIGHTS = {
    "peak-hour": {"app": 6, "kiosk": 2, "pos": 2, "rush": 0, "lottery": 0, "admin": 1, "appeal": 0},
    "soak": {"app": 6, "kiosk": 2, "pos": 2, "rush": 0, "lottery": 0, "admin": 1, "appeal": 0},
    "rush": {"app": 0, "kiosk": 0, "pos": 0, "rush": 1, "lottery": 0, "admin": 0, "appeal": 0},
    "lottery": {"app": 0, "kiosk": 0, "pos": 0, "rush": 0, "lottery": 1, "admin": 0, "appeal": 0},
    "appeal": {"app": 0, "kiosk": 0, "pos": 0, "rush": 0, "lottery": 0, "admin": 0, "appeal": 1},
}


@events.init_command_line_parser.add_listener
def _options(parser) -> None:
    group = parser.add_argument_group("orchard")
    group.add_argument("--scenario", choices=sorted(SCENARIO_WEIGHTS), default="peak-hour")
    group.add_argument("--keys-file", default=os.environ.get("ORCHARD_KEYS_FILE", "loadtests/seed-keys.json"))
    group.add_argument("--hot-item", default="", help="global ID of the rush item (default: the first limited item)")
    group.add_argument("--lottery", default="", help="global ID of the lottery drawn from (default: the first open one)")
    group.add_argument("--appeal-project", default="", help="global ID of the appeal's project (default: the first open one)")
    for name in ("app", "kiosk", "pos", "rush", "lottery", "admin", "appeal"):
        group.add_argument(f"--weight-{name}", type=int, default=None, help=f"weight of the {name} users")
    group.add_argument("--think-scale", type=float, default=1.0,
                       help="multiply every simulated user's think time (0.1: ten times the requests per user)")
    group.add_argument("--max-p95-ms", type=float, default=0, help="fail the run when p95 is above (0: no check)")
    group.add_argument("--max-p99-ms", type=float, default=0)
    group.add_argument("--max-failure-ratio", type=float, default=0.01)
    group.add_argument("--min-rps", type=float, default=0)
    group.add_argument("--check-invariants", action="store_true", help="run the ledger and stock checks at the end")
    group.add_argument("--warm-up-seconds", type=float, default=0,
                       help="start the measured window this long after the last user started (statistics reset then)")


class Catalogue:
    """What every simulated user shares in one process: keys, members, items."""

    keys: ClassVar[dict] = {}
    members: ClassVar[list[dict]] = []
    items: ClassVar[list[dict]] = []
    hot_item: str = ""
    lottery: str = ""
    appeal_project: str = ""
    initial_stock: ClassVar[dict[str, int]] = {}
    secret: str = ""
    _member_tokens: ClassVar[dict[int, str]] = {}
    _serial = itertools.count()
    # Users start together: the first one reads the item list, the others wait for it (500 rush
    # users reading it at once as one member were rate-limited).
    items_lock = Semaphore()

    @classmethod
    def choose_weights(cls, environment) -> None:
        """On every runner: the master decides which users to spawn by these weights."""
        options = environment.parsed_options
        weights = SCENARIO_WEIGHTS[options.scenario]
        users = ((AppMember, "app"), (KioskUser, "kiosk"), (PosUser, "pos"), (RushMember, "rush"), (LotteryMember, "lottery"),
                 (AdminUser, "admin"), (AppealDonor, "appeal"))
        for user_class, name in users:
            chosen = getattr(options, f"weight_{name}")
            user_class.weight = weights[name] if chosen is None else chosen

    @classmethod
    def load(cls, environment) -> None:
        options = environment.parsed_options
        path = Path(options.keys_file)
        if not path.exists():
            raise SystemExit(f"{path} is missing: run `orchard seed ... --keys-file {path}` first")
        cls.keys = json.loads(path.read_text())
        cls.members = cls.keys["members"]
        cls.secret = os.environ.get("ORCHARD_SECRET_KEY", "")
        if not cls.secret:
            raise SystemExit("set ORCHARD_SECRET_KEY (the server's) so the suite can sign members in")
        cls.hot_item = options.hot_item
        cls.lottery = options.lottery
        cls.appeal_project = options.appeal_project

    @classmethod
    def member_token(cls, member: dict) -> str:
        token = cls._member_tokens.get(member["id"])
        if token is None:
            token, _ = issue_access_token(
                Viewer(kind=CallerKind.MEMBER, subject_id=member["id"]), secret=cls.secret, clock=SYSTEM_CLOCK,
                lifetime=timedelta(hours=12),
            )
            cls._member_tokens[member["id"]] = token
        return token

    @classmethod
    def next_member(cls) -> dict:
        return cls.members[next(cls._serial) % len(cls.members)]


@events.init.add_listener
def _on_init(environment, **_kwargs) -> None:
    Catalogue.choose_weights(environment)
    environment.events.spawning_complete.add_listener(lambda **_kwargs: _window_after_start_up(environment))
    if not isinstance(environment.runner, MasterRunner):
        Catalogue.load(environment)


class GraphQLUser(FastHttpUser):
    abstract = True
    token: str | None = None
    think = constant(0)  # each user class's think time between tasks, before --think-scale

    def wait_time(self) -> float:
        return self.think() * self.environment.parsed_options.think_scale

    def gql(self, operation: str, query: str, variables: dict | None = None, *, token: str | None = None,
            expected: frozenset[str] = frozenset()) -> dict | None:
        headers = {"Content-Type": "application/json"}
        bearer = token or self.token
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        body = {"query": query, "variables": variables or {}, "operationName": operation}
        with self.client.post("/graphql", json=body, headers=headers, name=f"gql:{operation}", catch_response=True) as response:
            try:
                payload = response.json()
            except Exception:  # noqa: BLE001 - any non-JSON answer is a failure
                response.failure(f"HTTP {response.status_code}: not JSON")
                return None
            if response.status_code != 200 or payload.get("errors"):
                response.failure(json.dumps(payload.get("errors"))[:300])
                return None
            data = payload.get("data") or {}
            for result in data.values():
                codes = {e["code"] for e in (result or {}).get("errors", [])} if isinstance(result, dict) else set()
                unexpected = codes - EXPECTED_OUTCOMES - expected
                if unexpected:
                    response.failure(f"payload errors {sorted(unexpected)}")
                    return data
            response.success()
            return data

    def store(self) -> dict:
        return random.choice(Catalogue.keys["stores"])

    def items(self) -> list[dict]:
        with Catalogue.items_lock:
            if not Catalogue.items:
                data = self.gql("MallItems", MALL_ITEMS, {"first": 100}, token=Catalogue.member_token(Catalogue.members[0]))
                edges = (data or {}).get("mallItems", {}).get("edges", [])
                Catalogue.items = [e["node"] for e in edges]
                limited = [i for i in Catalogue.items if i["stockRemaining"] is not None]
                if not Catalogue.hot_item and limited:
                    Catalogue.hot_item = limited[0]["id"]
        return Catalogue.items


class AppMember(GraphQLUser):
    """A member in the app: browse the mall, look at the balance and history, check in."""

    think = between(1, 3)

    def on_start(self) -> None:
        self.member = Catalogue.next_member()
        self.token = Catalogue.member_token(self.member)

    @task(5)
    def browse_mall(self) -> None:
        self.gql("MallItems", MALL_ITEMS, {"first": 20})

    @task(5)
    def balance(self) -> None:
        self.gql("Balance", BALANCE)

    @task(2)
    def history(self) -> None:
        self.gql("History", HISTORY)

    @task(1)
    def check_in(self) -> None:
        self.gql("CheckIn", CHECK_IN)


class KioskUser(GraphQLUser):
    """A store kiosk: scan a member card, look them up, redeem; retry with the same key on a timeout."""

    think = between(2, 5)

    def on_start(self) -> None:
        store = self.store()
        self.token = store["kioskKey"]
        self.store_id = to_global_id("Store", store["id"])

    @task
    def scan_and_redeem(self) -> None:
        member = Catalogue.next_member()
        self.gql("ScanMember", LOOKUP, {"code": member["code"]})
        items = [i for i in self.items() if not i["effectivePrice"]["cash"] or i["effectivePrice"]["cash"]["amount"] in ("0", "0.00")]
        if not items:
            return
        item = random.choice(items)
        variables = {"i": {"itemId": item["id"], "quantity": 1, "storeId": self.store_id,
                           "memberCode": member["code"], "idempotencyKey": uuid.uuid4().hex}}
        if self.gql("RedeemMallItem", REDEEM, variables) is None:
            self.gql("RedeemMallItem", REDEEM, variables)  # the kiosk's retry: same key, no second effect


class StaffUser(GraphQLUser):
    """Signed in as staff; the session is refreshed a minute before its token expires, as a till's app does.

    Access tokens live 15 minutes: without the refresh, a soak's tills and operators failed
    every request after that.
    """

    abstract = True
    REFRESH_EARLY = timedelta(minutes=1)
    refresh_token: str | None = None
    refresh_at: datetime | None = None

    def sign_in(self, credentials: dict) -> None:
        self._keep((self.gql("StaffLogin", STAFF_LOGIN, {"i": credentials}) or {}).get("staffLogin"))

    def keep_signed_in(self) -> None:
        if self.refresh_at is not None and datetime.now(UTC) >= self.refresh_at:
            data = self.gql("RefreshStaffSession", REFRESH_STAFF_SESSION, {"i": {"refreshToken": self.refresh_token}})
            self._keep((data or {}).get("refreshStaffSession"))

    def _keep(self, session: dict | None) -> None:
        session = session or {}
        self.token, self.refresh_token = session.get("token"), session.get("refreshToken")
        expires = session.get("expiresAt")
        self.refresh_at = datetime.fromisoformat(expires) - self.REFRESH_EARLY if expires else None


class PosUser(StaffUser):
    """A till: record purchases, some paid partly with points."""

    think = between(1, 2)

    def on_start(self) -> None:
        store = self.store()
        self.store_id = to_global_id("Store", store["id"])
        self.sign_in(store["clerk"])
        self.till = uuid.uuid4().hex[:8]
        self.sales = itertools.count(1)

    @task
    def record_purchase(self) -> None:
        self.keep_signed_in()
        member = Catalogue.next_member()
        lines = [
            {
                "sku": f"SKU-{random.randint(1, 500)}",
                "category": random.choice(["IMPORTED_FRUIT", "DOMESTIC_FRUIT", "FRESH_CUT", "GIFT_BOX"]),
                "quantity": random.randint(1, 3),
                "unitPrice": f"{random.randint(500, 9900) / 100:.2f}",
            }
            for _ in range(random.randint(1, 4))
        ]
        redeem = random.choice([0, 0, 0, 100, 300])
        self.gql("RecordPurchase", RECORD, {"i": {
            "memberCode": member["code"], "storeId": self.store_id, "channel": "IN_STORE", "lines": lines,
            "clientTxnId": f"{self.till}-{next(self.sales)}", "pointsToRedeem": redeem,
        }})


class RushMember(GraphQLUser):
    """Everyone after one hot item at once."""

    think = constant(0)

    def on_start(self) -> None:
        self.member = Catalogue.next_member()
        self.token = Catalogue.member_token(self.member)
        self.store_id = to_global_id("Store", self.member.get("homeStoreId") or Catalogue.keys["stores"][0]["id"])
        self.items()

    @task
    def redeem_hot_item(self) -> None:
        if not Catalogue.hot_item:
            return
        self.gql("RedeemMallItem", REDEEM, {"i": {
            "itemId": Catalogue.hot_item, "quantity": 1, "storeId": self.store_id, "idempotencyKey": uuid.uuid4().hex,
        }})


class LotteryMember(GraphQLUser):
    """The member-day opening: members draw from one lottery as fast as they can, checking the odds now and then."""

    think = constant(0)

    def on_start(self) -> None:
        self.member = Catalogue.next_member()
        self.token = Catalogue.member_token(self.member)
        if not Catalogue.lottery:
            found = self.gql("OpenLotteries", OPEN_LOTTERIES) or {}
            edges = (found.get("lotteries") or {}).get("edges") or []
            Catalogue.lottery = edges[0]["node"]["id"] if edges else ""

    @task(9)
    def draw(self) -> None:
        if Catalogue.lottery:
            self.gql("DrawLottery", DRAW_LOTTERY, {"i": {"lotteryId": Catalogue.lottery, "idempotencyKey": uuid.uuid4().hex}})

    @task(1)
    def odds(self) -> None:
        self.gql("OpenLotteries", OPEN_LOTTERIES)


class AppealDonor(GraphQLUser):
    """A member sharing a typhoon appeal: donates to the one hot project, now and then looks at its progress."""

    think = between(0.5, 2)

    def on_start(self) -> None:
        self.member = Catalogue.next_member()
        self.token = Catalogue.member_token(self.member)
        with Catalogue.items_lock:
            if not Catalogue.appeal_project:
                found = self.gql("CharityProjects", OPEN_PROJECTS, token=self.token) or {}
                edges = (found.get("charityProjects") or {}).get("edges") or []
                Catalogue.appeal_project = edges[0]["node"]["id"] if edges else ""

    @task(5)
    def donate(self) -> None:
        if Catalogue.appeal_project:
            self.gql("DonatePoints", DONATE, {"i": {
                "projectId": Catalogue.appeal_project, "points": random.choice([10, 20, 50]), "idempotencyKey": uuid.uuid4().hex,
            }})

    @task(1)
    def progress(self) -> None:
        self.gql("CharityProjects", OPEN_PROJECTS)


class AdminUser(StaffUser):
    """An operator restocking the hot item now and then."""

    think = between(20, 40)

    def on_start(self) -> None:
        self.sign_in(Catalogue.keys["admin"])
        self.items()

    @task
    def restock(self) -> None:
        self.keep_signed_in()
        limited = [i for i in self.items() if i["stockRemaining"] is not None]
        if limited:
            item = random.choice(limited)
            self.gql("RestockMallItem", RESTOCK, {"i": {"itemId": item["id"], "quantity": 20, "idempotencyKey": uuid.uuid4().hex}})


class MeasuredWindow:
    """The part of the run the statistics cover, and the CPU this machine's processes spent in it.

    It opens when the run starts, again when --reset-stats resets the statistics after the last
    user started, and again --warm-up-seconds after that: the tills' and operators' sign-ins
    (Argon2, slow on purpose; on a saturated server they end seconds after their users started)
    and cold caches then stay out of the figures. A till signs in once a shift, not in the peak
    hour. In distributed mode a worker's last report before the reset (every 3 s) may still
    land in the window.
    """

    opened_at = 0.0
    cpu_at_open: ClassVar[dict[str, float]] = {}

    @classmethod
    def open(cls) -> None:
        cls.opened_at = time.monotonic()
        cls.cpu_at_open = cpu_by_role()

    @classmethod
    def cpu_report(cls, requests: int) -> str:
        """CPU per request of Locust, the server, PostgreSQL and Redis on this machine since the window opened."""
        seconds = time.monotonic() - cls.opened_at
        if not cls.cpu_at_open or not requests or seconds <= 0:
            return "no CPU figures (no requests, or no /proc)"
        now = cpu_by_role()
        spent = {role: now[role] - cls.cpu_at_open[role] for role in ROLES}
        cells = ", ".join(f"{role} {spent[role] / requests * 1e6:,.0f} us" for role in ROLES)
        return (f"CPU per request on this machine: {cells}; {sum(spent.values()) / seconds:.2f} of"
                f" {os.cpu_count()} cores busy over {seconds:.0f} s")


@events.test_start.add_listener
def _window_from_the_start(environment, **_kwargs) -> None:
    if not isinstance(environment.runner, WorkerRunner):
        MeasuredWindow.open()


def _window_after_start_up(environment) -> None:
    """On spawning_complete (whose listeners get no environment)."""
    if isinstance(environment.runner, WorkerRunner):
        return
    if environment.reset_stats:
        MeasuredWindow.open()  # Locust resets the statistics now
    warm_up = environment.parsed_options.warm_up_seconds
    if warm_up > 0:
        gevent.spawn_later(warm_up, _reset_after_warm_up, environment)


def _reset_after_warm_up(environment) -> None:
    log.info("warm-up over: statistics reset, the measured window starts")
    environment.runner.stats.reset_all()
    MeasuredWindow.open()


def _run_check(command: list[str]) -> bool:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    print(done.stdout.strip(), file=sys.stderr)
    if done.returncode != 0:
        print(done.stderr.strip()[-2000:], file=sys.stderr)
    return done.returncode == 0


@events.quitting.add_listener
def _verdict(environment, **_kwargs) -> None:
    """Thresholds and invariants become the exit code."""
    if isinstance(environment.runner, WorkerRunner):
        return
    options = environment.parsed_options
    total = environment.stats.total
    problems = []
    if total.num_requests == 0:
        problems.append("no requests were made")
    if total.num_requests and total.fail_ratio > options.max_failure_ratio:
        problems.append(f"failure ratio {total.fail_ratio:.4f} > {options.max_failure_ratio}")
    if options.max_p95_ms and total.get_response_time_percentile(0.95) > options.max_p95_ms:
        problems.append(f"p95 {total.get_response_time_percentile(0.95)} ms > {options.max_p95_ms}")
    if options.max_p99_ms and total.get_response_time_percentile(0.99) > options.max_p99_ms:
        problems.append(f"p99 {total.get_response_time_percentile(0.99)} ms > {options.max_p99_ms}")
    if options.min_rps and total.total_rps < options.min_rps:
        problems.append(f"throughput {total.total_rps:.0f}/s < {options.min_rps}")
    print(MeasuredWindow.cpu_report(total.num_requests), file=sys.stderr)  # before the checks spend any
    if options.check_invariants:
        orchard = str(Path(sys.executable).with_name("orchard"))
        if not _run_check([orchard, "ledger", "check"]):
            problems.append("ledger check failed")
        if not _run_check([orchard, "mall", "check"]):
            problems.append("stock invariant failed (stock + open + fulfilled redemptions != stock received)")
    for problem in problems:
        print(f"FAIL: {problem}", file=sys.stderr)
    if not problems:
        print(f"PASS: {total.num_requests} requests, {total.total_rps:.0f}/s, failure ratio {total.fail_ratio:.4f}, "
              f"p95 {total.get_response_time_percentile(0.95)} ms, p99 {total.get_response_time_percentile(0.99)} ms",
              file=sys.stderr)
    environment.process_exit_code = 1 if problems else 0
