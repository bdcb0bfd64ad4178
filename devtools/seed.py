"""Load-test data: stores, staff, kiosk keys, mall items and members with a points history.

The members and everything hanging off them (tier history, accounts, purchases, check-ins,
journals, entries, lots, consumptions) are built as plain rows in Python, ids included, and
written a batch of members at a time, one transaction per batch: COPY on PostgreSQL
(asyncpg's `copy_records_to_table` on a connection taken from tortoise's pool, so it uses
the same settings and needs no second URL parsing) and `executemany` on SQLite.

Every member's history is simulated in time order like the ledger would book it: a
registration credit, then purchases and check-ins that credit a lot each, and redemptions
that consume the oldest-expiring unexpired lots. Stored balances are the open lots, system
balances move by the batch's totals in the batch's transaction, so each committed batch keeps
every invariant of domain/ledger/check.py. Lots already past expiry at the end are expired by
one EXPIRY journal, as the expiry sweep would.

Ids are taken after the highest existing id of each table and the PostgreSQL sequences are
moved past them at the end. Run it against a database nothing else writes to meanwhile.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from domain import phones
from domain.access import CallerKind, StaffRole, Viewer
from domain.earning import rulebook
from domain.earning.defaults import ensure_default_rules
from domain.earning.models import EarnRate
from domain.ledger import accounts, fifo
from domain.ledger.models import JournalKind, LotStatus, SystemAccount
from domain.members import codes
from domain.members.models import Member
from domain.programme import service as programme_settings
from domain.stores import api_keys, passwords
from domain.stores.models import Chain, StaffUser, Store
from domain.tiers import service as tiers
from domain.tiers.models import Tier
from infra import bulk, db, dialect
from infra.clock import SYSTEM_CLOCK, Clock, FixedClock, utc
from infra.settings import Settings

log = logging.getLogger("orchard.seed")

ADMIN_EMAIL = "seed-admin@orchard.test"
PASSWORD = "seed-admin-password"
DEFAULT_KEYS_FILE = Path("loadtests/seed-keys.json")
ACTOR = "system:seed"
PHONE_PREFIX = "+86139"
MAX_MEMBER_ID = 10**8 - 1  # the phone is the prefix and the member id in 8 digits
PG_WRITERS = 2  # batches in flight on PostgreSQL: one is copied while the next is built

# (table, columns) in foreign-key order: a batch is written in this order.
TABLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("member", ("id", "code", "phone_hash", "phone_encrypted", "phone_masked", "name", "birthday", "gender",
                "region", "home_store_id", "marketing_consent", "channel", "referral_code", "tier_id",
                "created_at", "updated_at")),
    ("tier_change", ("id", "member_id", "from_tier_id", "to_tier_id", "reason", "actor", "created_at")),
    ("points_account", ("id", "kind", "member_id", "balance", "pending_balance", "debt", "created_at")),
    ("member_store", ("id", "member_id", "store_id", "first_seen_at")),
    ("purchase", ("id", "member_id", "store_id", "channel", "caller_scope", "client_txn_id", "fingerprint",
                  "occurred_at", "recorded_at", "local_date", "total_fen", "cash_offset_fen", "points_redeemed",
                  "points_earned", "status", "is_first_order", "discount_fen", "delivery_fee_fen")),
    ("purchase_line", ("id", "purchase_id", "line_no", "sku", "category", "quantity", "unit_price_fen", "total_fen",
                       "points", "returned_quantity", "discount_fen")),
    ("check_in", ("id", "member_id", "local_date", "streak_days", "points", "created_at")),
    ("behaviour_day", ("id", "member_id", "local_date", "points")),
    ("points_journal", ("id", "kind", "reason", "actor", "store_id", "reference", "debt_change", "occurred_at",
                        "created_at")),
    ("points_entry", ("id", "journal_id", "account_id", "amount", "created_at")),
    ("points_lot", ("id", "account_id", "journal_id", "original", "remaining", "status", "earned_at", "available_at",
                    "expires_at")),
    ("lot_consumption", ("id", "journal_id", "lot_id", "amount")),
)
TABLE_NAMES = tuple(name for name, _ in TABLES)

# sku, category, unit price in fen (at least 5 yuan, so every line earns a point)
SKUS = (
    ("IMP-CHERRY-500G", "IMPORTED_FRUIT", 8990), ("IMP-KIWI-6", "IMPORTED_FRUIT", 3990),
    ("IMP-BLUEBERRY-125G", "IMPORTED_FRUIT", 2590), ("IMP-AVOCADO-4", "IMPORTED_FRUIT", 4590),
    ("IMP-GRAPE-1KG", "IMPORTED_FRUIT", 6990), ("IMP-ORANGE-2KG", "IMPORTED_FRUIT", 5990),
    ("DOM-APPLE-1KG", "DOMESTIC_FRUIT", 1590), ("DOM-PEAR-1KG", "DOMESTIC_FRUIT", 1290),
    ("DOM-LYCHEE-500G", "DOMESTIC_FRUIT", 2990), ("DOM-MANGO-1KG", "DOMESTIC_FRUIT", 2490),
    ("DOM-WATERMELON", "DOMESTIC_FRUIT", 3590), ("DOM-BANANA-1KG", "DOMESTIC_FRUIT", 890),
    ("CUT-MIXED-400G", "FRESH_CUT", 2990), ("CUT-PINEAPPLE-300G", "FRESH_CUT", 1590),
    ("CUT-MELON-350G", "FRESH_CUT", 1890), ("GIFT-SEASONAL-S", "GIFT_BOX", 12800),
    ("GIFT-SEASONAL-L", "GIFT_BOX", 25800), ("GIFT-IMPORTED", "GIFT_BOX", 39800),
)
REWARDS = ("Cherry voucher", "Fruit knife", "Fresh-cut cup", "Juicing class", "Free delivery pass", "Gift box coupon",
           "Tote bag", "Mango crate", "Priority tasting", "Stored-value card 50", "Lychee basket", "Birthday cake")
SURNAMES = ("Li", "Wang", "Zhang", "Liu", "Chen", "Yang", "Zhao", "Huang", "Zhou", "Wu", "Xu", "Sun", "Ma", "Zhu",
            "Hu", "Guo", "He", "Lin", "Gao", "Luo")
GIVEN_NAMES = ("Na", "Fang", "Wei", "Yang", "Jing", "Min", "Lei", "Li", "Tao", "Xia", "Ming", "Hui", "Jun", "Hong",
               "Bin", "Ying", "Ping", "Mei", "Qiang", "Yu", "Xin", "Yan", "Jie", "Lan")
REGIONS = ("Shanghai", "Beijing", "Hangzhou", "Suzhou", "Nanjing", "Shenzhen", "Guangzhou", "Chengdu")
GENDERS = ("FEMALE", "FEMALE", "MALE", "MALE", "OTHER", "UNDISCLOSED")
MEMBER_CHANNELS = ("APP", "APP", "APP", "MINI_PROGRAM", "MINI_PROGRAM", "STORE_QR", "POS", "KIOSK", "WEB")
PURCHASE_CHANNELS = ("IN_STORE",) * 17 + ("ONLINE", "ONLINE", "DELIVERY")
LINE_COUNTS = (1, 1, 2, 2, 2, 3, 3, 4)
QUANTITIES = (1, 1, 1, 2, 2, 3)
REDEMPTION_SIZES = (100, 200, 300, 500, 800, 1000, 1500, 2000)
TIER_SHARES = (60, 25, 10, 5)  # percent of members per tier, lowest rank first
PURCHASE_SHARE, CHECK_IN_SHARE = 0.6, 0.25  # of the movements; the rest are redemptions

Progress = Callable[[str, int], None]


class SeedRefused(RuntimeError):
    pass


@dataclass(frozen=True)
class SeedPlan:
    members: int
    stores: int
    items: int = 0
    history_days: int = 365
    entries_per_member: int = 10
    seed: int = 1
    batch: int = 10_000
    append: bool = False
    keys_file: Path | None = DEFAULT_KEYS_FILE
    sample_members: int = 2_000
    # PostgreSQL superusers may skip the foreign-key triggers while copying (as pg_restore
    # --disable-triggers does): about twice as fast, and the rows reference what exists by
    # construction (the tests copy the same rows with the checks on).
    fk_checks: bool = True


@dataclass
class SeedReport:
    counts: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    items_skipped: bool = False
    keys_file: Path | None = None

    @property
    def rows(self) -> int:
        return sum(self.counts.values())

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


# ---- the entry point ------------------------------------------------------------------------


async def seed(plan: SeedPlan, settings: Settings, *, clock: Clock = SYSTEM_CLOCK,
               progress: Progress | None = None) -> SeedReport:
    """Fill the database per the plan; refuses production and, without `append`, a database with members."""
    _check_plan(plan)
    refuse_production(settings)
    if not plan.append and await Member.exists():
        raise SeedRefused("The database already has members: use --append to add more.")
    if not plan.fk_checks and not await bulk.may_skip_fk_checks():
        raise SeedRefused("Skipping foreign-key checks needs PostgreSQL and a superuser.")
    started = time.perf_counter()
    now = utc(clock.now()).replace(microsecond=0)
    report = SeedReport()
    setup = await _set_up_chain(plan, settings, now, report)
    report.items_skipped = not await _seed_items(plan, setup, now, report)
    ids = _Ids(await _max_ids())
    if plan.members and ids.member.last + plan.members > MAX_MEMBER_ID:
        raise SeedRefused(f"Member ids would pass {MAX_MEMBER_ID}: the seeded phone numbers have 8 digits.")
    builder = _HistoryBuilder(plan, setup, ids, now, settings.personal_data_key, await programme_settings.current())
    await _write_members(plan, builder, report, progress or (lambda phase, done: None))
    if dialect.current().bulk_copy:  # COPY wrote the ids: the sequences move past them
        await _move_sequences(ids)
        await bulk.analyze(TABLE_NAMES)
    report.seconds = time.perf_counter() - started
    if plan.keys_file is not None:
        _write_keys_file(plan.keys_file, plan, setup, builder.sample, now)
        report.keys_file = plan.keys_file
    _log_report(plan, report)
    return report


def refuse_production(settings: Settings) -> None:
    if settings.is_production:
        raise SeedRefused("Seed data is never loaded in production.")


def _check_plan(plan: SeedPlan) -> None:
    if plan.members < 0 or plan.items < 0 or plan.entries_per_member < 0 or plan.sample_members < 0:
        raise SeedRefused("Counts cannot be negative.")
    if plan.stores < 1:
        raise SeedRefused("Seed at least one store.")
    if plan.history_days < 1:
        raise SeedRefused("The history spans at least one day.")
    if plan.batch < 1:
        raise SeedRefused("A batch holds at least one member.")


def _log_report(plan: SeedPlan, report: SeedReport) -> None:
    for table, rows in sorted(report.counts.items()):
        log.info("seed rows", extra={"table": table, "rows": rows})
    if report.items_skipped:
        log.warning("mall items skipped: there is no mall module", extra={"items": plan.items})
    log.info("seed finished", extra={
        "members": report.counts["member"], "rows": report.rows, "seconds": round(report.seconds, 1),
        "rowsPerSecond": round(report.rows_per_second), "keysFile": str(report.keys_file) if report.keys_file else None,
    })


# ---- stores, staff, keys, rules, items ------------------------------------------------------


@dataclass
class _StoreSeed:
    store: Store
    zone: ZoneInfo
    clerk_email: str
    kiosk_key: str


@dataclass
class _Setup:
    stores: list[_StoreSeed]
    tiers: list[Tier]
    admin: StaffUser
    rates: dict[str, int]  # points per yuan of each category, in hundredths
    system_accounts: dict[SystemAccount, list[int]]  # the account's shard row ids, by shard
    items: list[dict] = field(default_factory=list)


async def _set_up_chain(plan: SeedPlan, settings: Settings, now: datetime, report: SeedReport) -> _Setup:
    window_start = now - timedelta(days=plan.history_days)
    await tiers.ensure_default_tiers()
    # Rules effective from the start of the history, so the seeded purchases fall under them.
    await ensure_default_rules(FixedClock(window_start))
    staff_hash = passwords.hash_password(PASSWORD, settings.password_profile)
    async with in_transaction() as conn:
        if not await Chain.all().using_db(conn).exists():
            await Chain.create(name="Orchard Seed Chain", using_db=conn)
        admin, created = await StaffUser.get_or_create(
            email=ADMIN_EMAIL, defaults={"name": "Seed Admin", "role": StaffRole.CHAIN_ADMIN.value,
                                         "password_hash": staff_hash}, using_db=conn,
        )
        report.counts["staff_user"] += created
        stores = [await _seed_store(conn, n, staff_hash, report) for n in range(1, plan.stores + 1)]
        # Every shard row of every system account; a member's journals book on the member's shard.
        system = {
            code: [await accounts.system_account_id(conn, code, now=now, member_id=shard)
                   for shard in range(accounts.SYSTEM_SHARDS)]
            for code in SystemAccount
        }
    return _Setup(
        stores=stores, tiers=list(await Tier.all().order_by("rank")), admin=admin,
        rates=await _rates_in_hundredths(), system_accounts=system,
    )


async def _seed_store(conn, n: int, staff_hash: str, report: SeedReport) -> _StoreSeed:
    code = f"ST-{n:04d}"
    store, created = await Store.get_or_create(code=code, defaults={"name": f"Orchard Seed Store {n:04d}"}, using_db=conn)
    report.counts["store"] += created
    email = f"clerk-{code.lower()}@orchard.test"
    _, created = await StaffUser.get_or_create(
        email=email, defaults={"name": f"Seed Clerk {code}", "role": StaffRole.CLERK.value, "store": store,
                               "password_hash": staff_hash}, using_db=conn,
    )
    report.counts["staff_user"] += created
    # A secret is shown once, so every run issues new kiosk keys for its keys file.
    issued = await api_keys.create_device_key(store, api_keys.DeviceType.KIOSK, f"Seed kiosk {code}", connection=conn)
    report.counts["api_key"] += 1
    return _StoreSeed(store=store, zone=ZoneInfo(store.time_zone), clerk_email=email, kiosk_key=issued.secret)


async def _rates_in_hundredths() -> dict[str, int]:
    latest: dict[str, EarnRate] = {}
    for rate in await EarnRate.all().order_by("effective_from"):
        latest[rate.category] = rate
    return {category: int(rate.points_per_yuan * 100) for category, rate in latest.items()}


async def _seed_items(plan: SeedPlan, setup: _Setup, now: datetime, report: SeedReport) -> bool:
    """Mall items through the catalogue service; False when there is no mall to seed."""
    if not plan.items:
        return True
    try:
        from domain.mall import catalogue
        from domain.mall.limits import LimitPeriod
    except ImportError:
        return False
    rng = random.Random(plan.seed)
    admin = Viewer(kind=CallerKind.STAFF, subject_id=setup.admin.id, role=StaffRole.CHAIN_ADMIN)
    bands = (("LOW", 100, 900), ("MIDDLE", 1_000, 4_900), ("HIGH", 5_000, 20_000))
    kinds = sorted(catalogue.KINDS)
    top_tiers = tuple(t.code for t in setup.tiers[-2:])
    for n in range(plan.items):
        band, low, high = bands[n % len(bands)]
        limited = n % 3 != 2
        draft = catalogue.ItemDraft(
            name=f"{REWARDS[n % len(REWARDS)]} #{n + 1}",
            band=band, kind=kinds[n % len(kinds)], points_price=rng.randrange(low, high + 1, 10),
            description="A reward seeded for load tests.",
            stock=rng.choice((50, 200, 1_000, 10_000)) if limited else None,
            stock_buckets=rng.choice((1, 4, 8, 16)) if limited else 1,
            per_member_limit=rng.choice((None, 1, 2, 5)),
            limit_period=rng.choice(list(LimitPeriod)),
            eligible_tiers=top_tiers if band == "HIGH" and n % 2 else (),
            available_from=now - timedelta(days=rng.randrange(0, 60)),
        )
        item = await catalogue.create_item(admin, draft, clock=FixedClock(now))
        setup.items.append({"id": item.id, "band": band, "pointsPrice": item.points_price, "stockLimited": limited})
    report.counts["mall_item"] += plan.items
    return True


# ---- ids ------------------------------------------------------------------------------------


class _Sequence:
    __slots__ = ("last",)

    def __init__(self, last: int) -> None:
        self.last = last

    def take(self) -> int:
        self.last += 1
        return self.last


class _Ids:
    """The next id of every seeded table, after the highest one already there."""

    def __init__(self, highest: dict[str, int]) -> None:
        self.by_table = {table: _Sequence(highest[table]) for table in TABLE_NAMES}
        for table, sequence in self.by_table.items():
            setattr(self, table, sequence)


async def _max_ids() -> dict[str, int]:
    found = {}
    for table in TABLE_NAMES:
        rows = await db.fetch(f"SELECT COALESCE(MAX(id), 0) AS top FROM {table}")
        found[table] = int(rows[0]["top"])
    return found


async def _move_sequences(ids: _Ids) -> None:
    for table, sequence in ids.by_table.items():
        if sequence.last:
            await db.fetch(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), $1)", sequence.last)


# ---- codes and phones -----------------------------------------------------------------------


def member_code(member_id: int) -> str:
    return codes.member_code_for_id(member_id)


def referral_code(member_id: int) -> str:
    return codes.referral_code_for_id(member_id)


def member_phone(member_id: int) -> str:
    return f"{PHONE_PREFIX}{member_id:08d}"


# ---- building a batch -----------------------------------------------------------------------


class _Batch:
    def __init__(self) -> None:
        self.rows: dict[str, list[tuple]] = {table: [] for table in TABLE_NAMES}
        self.system_totals: Counter = Counter()  # system account id -> points moved onto it


@dataclass(slots=True)
class _SeedLot:
    id: int
    journal_id: int
    original: int
    remaining: int
    earned_at: datetime
    expires_at: datetime
    status: LotStatus = LotStatus.AVAILABLE


class _MemberBook:
    """One member's points while their history is built: lots, spent as the ledger spends (fifo)."""

    def __init__(self, batch: _Batch, ids: _Ids, account_id: int) -> None:
        self.batch = batch
        self.ids = ids
        self.account_id = account_id
        self.lots: list[_SeedLot] = []

    def _journal(self, kind: str, at: datetime, amount: int, system_account: int, *, reason: str, actor: str,
                 reference: str | None, store_id: int | None) -> int:
        journal_id = self.ids.points_journal.take()
        rows = self.batch.rows
        rows["points_journal"].append((journal_id, kind, reason, actor, store_id, reference, 0, at, at))
        entries = rows["points_entry"]
        entries.append((self.ids.points_entry.take(), journal_id, self.account_id, amount, at))
        entries.append((self.ids.points_entry.take(), journal_id, system_account, -amount, at))
        self.batch.system_totals[system_account] -= amount
        return journal_id

    def credit(self, kind: str, points: int, at: datetime, expires_at: datetime, issued: int, **audit) -> None:
        journal_id = self._journal(kind, at, points, issued, **audit)
        self.lots.append(_SeedLot(self.ids.points_lot.take(), journal_id, points, points, at, expires_at))

    def spendable(self, at: datetime) -> int:
        return sum(lot.remaining for lot in self.lots if lot.expires_at > at)

    def debit(self, kind: str, points: int, at: datetime, counter: int, **audit) -> None:
        journal_id = self._journal(kind, at, -points, counter, **audit)
        self._consume(journal_id, points, fifo.spendable(self.lots, at))

    def expire_due(self, now: datetime, expired_account: int) -> None:
        due = [lot for lot in self.lots if lot.expires_at <= now and lot.remaining]
        points = sum(lot.remaining for lot in due)
        if points:
            journal_id = self._journal(str(JournalKind.EXPIRY), now, -points, expired_account, reason="Points expired",
                                       actor="system:expiry", reference=None, store_id=None)
            self._consume(journal_id, points, fifo.spending_order(due))
            for lot in due:
                lot.status = LotStatus.EXPIRED

    def _consume(self, journal_id: int, points: int, lots: list[_SeedLot]) -> None:
        """Take `points` from the lots, in the order given."""
        consumptions = self.batch.rows["lot_consumption"]
        for lot, taken in fifo.plan(lots, points):
            lot.remaining -= taken
            consumptions.append((self.ids.lot_consumption.take(), journal_id, lot.id, taken))

    def close(self) -> int:
        """Write the lots; returns the balance they hold."""
        rows = self.batch.rows["points_lot"]
        for lot in self.lots:
            rows.append((lot.id, self.account_id, lot.journal_id, lot.original, lot.remaining, str(lot.status),
                         lot.earned_at, lot.earned_at, lot.expires_at))
        return sum(lot.remaining for lot in self.lots)


@dataclass
class _SampleMember:
    id: int
    code: str
    phone: str
    home_store_id: int
    tier: str
    points: int


class _HistoryBuilder:
    """Members and their histories, a batch at a time: repeatable for a seed, a batch size and a clock."""

    def __init__(self, plan: SeedPlan, setup: _Setup, ids: _Ids, now: datetime, data_key: str, config: dict) -> None:
        self.plan = plan
        self.setup = setup
        self.ids = ids
        self.now = now
        self.data_key = data_key
        self.window = plan.history_days * 86_400
        self.window_start = now - timedelta(seconds=self.window)
        self.expiry = timedelta(days=config["points_expiry_days"])
        self.registration_points = config["registration_points"]
        self.check_in_points = config["check_in_points"]
        self.streak_days = config["check_in_streak_days"]
        self.streak_bonus = config["check_in_streak_bonus"]
        self.behaviour_cap = config["behaviour_daily_cap"]
        self.tier_weights = [TIER_SHARES[i] if i < len(TIER_SHARES) else 1 for i in range(len(setup.tiers))]
        self.multipliers = {t.id: int(t.earn_multiplier * 100) for t in setup.tiers}
        default_rate = setup.rates.get(rulebook.DEFAULT_CATEGORY, 100)
        self.sku_rates = [(sku, category, price, setup.rates.get(category, default_rate)) for sku, category, price in SKUS]
        self.issued_shards = setup.system_accounts[SystemAccount.ISSUED]
        self.redeemed_shards = setup.system_accounts[SystemAccount.REDEEMED]
        self.expired_shards = setup.system_accounts[SystemAccount.EXPIRED]
        self.issued = self.redeemed = self.expired = 0  # the current member's shard rows, set by _member
        self.sample: list[_SampleMember] = []
        self.sample_every = max(1, plan.members // plan.sample_members) if plan.sample_members else 0
        self.built = 0

    async def build(self, count: int) -> _Batch:
        batch = _Batch()
        rng = random.Random(self.plan.seed * 1_000_003 + self.ids.member.last)
        for n in range(count):
            self._member(batch, rng)
            if n % 256 == 255:
                await asyncio.sleep(0)  # let the writers stream the previous batch meanwhile
        return batch

    def _member(self, batch: _Batch, rng: random.Random) -> None:
        member_id = self.ids.member.take()
        shard = accounts.shard_of(member_id)  # the shard the ledger service would book this member on
        self.issued = self.issued_shards[shard]
        self.redeemed = self.redeemed_shards[shard]
        self.expired = self.expired_shards[shard]
        created = self.window_start + timedelta(seconds=rng.randrange(self.window * 9 // 10))
        home = rng.choice(self.setup.stores)
        tier = rng.choices(self.setup.tiers, self.tier_weights)[0]
        phone = member_phone(member_id)
        code = member_code(member_id)
        birthday = date(rng.randrange(1950, 2007), 1, 1) + timedelta(days=rng.randrange(365))
        batch.rows["member"].append((
            member_id, code, phones.lookup_hash(phone, self.data_key), phones.encrypt(phone, self.data_key),
            phones.mask(phone), f"{rng.choice(SURNAMES)} {rng.choice(GIVEN_NAMES)}", birthday, rng.choice(GENDERS),
            rng.choice(REGIONS), home.store.id, rng.random() < 0.6, rng.choice(MEMBER_CHANNELS),
            referral_code(member_id), tier.id, created, created,
        ))
        self._tier_history(batch, member_id, tier, created)
        account_id = self.ids.points_account.take()
        book = _MemberBook(batch, self.ids, account_id)
        if self.registration_points:
            book.credit(str(JournalKind.REGISTRATION), self.registration_points, created, created + self.expiry,
                        self.issued, reason="Welcome to the programme", actor="system:registration",
                        reference=f"registration:{member_id}", store_id=None)
        self._movements(batch, rng, book, member_id, home, tier, created)
        book.expire_due(self.now, self.expired)
        balance = book.close()
        batch.rows["points_account"].append((account_id, "MEMBER", member_id, balance, 0, 0, created))
        if self.sample_every and self.built % self.sample_every == 0 and len(self.sample) < self.plan.sample_members:
            self.sample.append(_SampleMember(member_id, code, phone, home.store.id, tier.code, balance))
        self.built += 1

    def _tier_history(self, batch: _Batch, member_id: int, tier: Tier, created: datetime) -> None:
        lowest = self.setup.tiers[0]
        rows = batch.rows["tier_change"]
        rows.append((self.ids.tier_change.take(), member_id, None, lowest.id, "REGISTRATION", "system:registration", created))
        if tier.id != lowest.id:
            upgraded = created + (self.now - created) / 2
            rows.append((self.ids.tier_change.take(), member_id, lowest.id, tier.id, "QUALIFIED", ACTOR, upgraded))

    def _movements(self, batch: _Batch, rng: random.Random, book: _MemberBook, member_id: int, home: _StoreSeed,
                   tier: Tier, created: datetime) -> None:
        span = int((self.now - created).total_seconds()) - 120
        moments = sorted(rng.randrange(60, span) for _ in range(self.plan.entries_per_member))
        stores_seen: set[int] = set()
        check_ins: dict[date, int] = {}
        first_order = True
        for offset in moments:
            at = created + timedelta(seconds=offset)
            roll = rng.random()
            if roll >= PURCHASE_SHARE + CHECK_IN_SHARE and self._redeem(rng, book, member_id, home, at):
                continue
            if roll < PURCHASE_SHARE:
                store = home if rng.random() < 0.85 else rng.choice(self.setup.stores)
                self._purchase(batch, rng, book, member_id, store, tier, at, first_order, stores_seen)
                first_order = False
            else:
                self._check_in(batch, book, member_id, home, at, check_ins)

    def _purchase(self, batch: _Batch, rng: random.Random, book: _MemberBook, member_id: int, seed: _StoreSeed,
                  tier: Tier, at: datetime, first_order: bool, stores_seen: set[int]) -> None:
        purchase_id = self.ids.purchase.take()
        store_id = seed.store.id
        lines = batch.rows["purchase_line"]
        multiplier = self.multipliers[tier.id]
        total = earned = 0
        for line_no in range(rng.choice(LINE_COUNTS)):
            sku, category, price, rate = rng.choice(self.sku_rates)
            quantity = rng.choice(QUANTITIES)
            line_total = price * quantity
            # The calculator's floors: base = floor(yuan x rate), tier points = floor(base x multiplier).
            points = (line_total * rate // 10_000) * multiplier // 100
            lines.append((self.ids.purchase_line.take(), purchase_id, line_no, sku, category, quantity, price, line_total,
                          points, 0, 0))
            total += line_total
            earned += points
        txn = f"seed-{purchase_id}"
        recorded = at + timedelta(seconds=rng.randrange(1, 30))
        batch.rows["purchase"].append((
            purchase_id, member_id, store_id, rng.choice(PURCHASE_CHANNELS), f"store:{store_id}", txn,
            hashlib.sha256(txn.encode()).hexdigest(), at, recorded, at.astimezone(seed.zone).date(), total, 0, 0,
            earned, "COMPLETED", first_order, 0, 0,
        ))
        if store_id not in stores_seen:
            stores_seen.add(store_id)
            batch.rows["member_store"].append((self.ids.member_store.take(), member_id, store_id, recorded))
        if earned:
            reference = f"purchase:{purchase_id}"
            book.credit(str(JournalKind.PURCHASE), earned, at, at + self.expiry, self.issued,
                        reason=f"Purchase at {seed.store.code}", actor=reference, reference=reference, store_id=store_id)

    def _check_in(self, batch: _Batch, book: _MemberBook, member_id: int, home: _StoreSeed, at: datetime,
                  check_ins: dict[date, int]) -> None:
        local_date = at.astimezone(home.zone).date()
        if local_date in check_ins:
            return
        streak = check_ins.get(local_date - timedelta(days=1), 0) + 1
        check_ins[local_date] = streak
        wanted = self.check_in_points + (self.streak_bonus if streak % self.streak_days == 0 else 0)
        points = min(wanted, self.behaviour_cap)
        batch.rows["check_in"].append((self.ids.check_in.take(), member_id, local_date, streak, points, at))
        if not points:
            return
        batch.rows["behaviour_day"].append((self.ids.behaviour_day.take(), member_id, local_date, points))
        book.credit(str(JournalKind.CHECK_IN), points, at, at + self.expiry, self.issued,
                    reason=f"Check-in, day {streak} of the streak", actor=f"member:{member_id}",
                    reference=f"check-in:{member_id}:{local_date.isoformat()}", store_id=None)

    def _redeem(self, rng: random.Random, book: _MemberBook, member_id: int, home: _StoreSeed, at: datetime) -> bool:
        """A redemption the member can afford; False when they cannot afford the smallest."""
        spendable = book.spendable(at)
        sizes = [size for size in REDEMPTION_SIZES if size <= spendable]
        if not sizes:
            return False
        book.debit(str(JournalKind.REDEMPTION), rng.choice(sizes), at, self.redeemed, reason="Redeemed a mall reward",
                   actor=f"member:{member_id}", reference=None, store_id=home.store.id)
        return True


# ---- writing --------------------------------------------------------------------------------


async def _write_members(plan: SeedPlan, builder: _HistoryBuilder, report: SeedReport, progress: Progress) -> None:
    """Build batches and hand them to writers; on PostgreSQL one is copied while the next is built."""
    bulk_copy = dialect.current().bulk_copy
    writer = _Writer(plan.fk_checks)
    workers_count = PG_WRITERS if bulk_copy else 1
    queue: asyncio.Queue[_Batch | None] = asyncio.Queue(maxsize=workers_count)

    async def drain() -> None:
        while (batch := await queue.get()) is not None:
            await writer.write(batch)
            for table, rows in batch.rows.items():
                report.counts[table] += len(rows)
            progress("members", len(batch.rows["member"]))
            progress("ledger", len(batch.rows["points_journal"]))
            progress("purchases", len(batch.rows["purchase"]))

    for phase in ("members", "ledger", "purchases"):
        progress(phase, 0)
    workers = [asyncio.create_task(drain()) for _ in range(workers_count)]
    try:
        left = plan.members
        while left:
            batch = await builder.build(min(plan.batch, left))
            left -= len(batch.rows["member"])
            await _hand_over(queue, batch, workers)
        for _ in workers:
            await _hand_over(queue, None, workers)
        await asyncio.gather(*workers)
    finally:
        for worker in workers:
            worker.cancel()


async def _hand_over(queue: asyncio.Queue, batch: _Batch | None, workers: list[asyncio.Task]) -> None:
    """Queue a batch, unless a writer failed meanwhile: then raise its error."""
    put = asyncio.ensure_future(queue.put(batch))
    await asyncio.wait([put, *workers], return_when=asyncio.FIRST_COMPLETED)
    for worker in workers:
        if worker.done() and not worker.cancelled() and worker.exception():
            put.cancel()
            raise worker.exception()  # type: ignore[misc]
    await put


def _system_updates(batch: _Batch) -> list[tuple[int, int]]:
    # In account id order: concurrent batches lock the shared system rows in one order.
    return [(amount, account_id) for account_id, amount in sorted(batch.system_totals.items()) if amount]


class _Writer:
    """One transaction per batch: COPY on PostgreSQL, executemany on SQLite (infra/bulk.py)."""

    def __init__(self, fk_checks: bool) -> None:
        self.fk_checks = fk_checks

    async def write(self, batch: _Batch) -> None:
        async with bulk.transaction(fk_checks=self.fk_checks) as conn:
            for table, columns in TABLES:
                await bulk.copy_rows(conn, table, columns, batch.rows[table])
            # Last, so the shared system rows stay locked only until the commit.
            for amount, account_id in _system_updates(batch):
                await db.execute("UPDATE points_account SET balance = balance + $1 WHERE id = $2", amount, account_id,
                                 connection=conn)


# ---- the keys file --------------------------------------------------------------------------


def _write_keys_file(path: Path, plan: SeedPlan, setup: _Setup, sample: list[_SampleMember], now: datetime) -> None:
    """Secrets for the load tests: readable by the owner only."""
    content = {
        "generatedAt": now.isoformat(),
        "seed": plan.seed,
        "admin": {"email": ADMIN_EMAIL, "password": PASSWORD},
        "stores": [
            {"id": s.store.id, "code": s.store.code, "clerk": {"email": s.clerk_email, "password": PASSWORD},
             "kioskKey": s.kiosk_key}
            for s in setup.stores
        ],
        "items": setup.items,
        "members": [
            {"id": m.id, "code": m.code, "phone": m.phone, "homeStoreId": m.home_store_id, "tier": m.tier,
             "points": m.points}
            for m in sample
        ],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as out:
        json.dump(content, out, indent=1)
    partial.replace(path)
