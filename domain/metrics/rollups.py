"""The daily rollups: one local day rewritten from the ledger and the facts, the same way by the
`metrics-rollup` job (days touched since its watermark) and by `orchard metrics rebuild`.

Every figure's definition is in docs/metrics.md. A day is rewritten whole, in one transaction, so
the job and a rebuild always agree: the job only decides which days to rewrite.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from domain.earning.models import Purchase, PurchaseLine
from domain.ledger.models import JournalKind, PointsEntry, PointsJournal
from domain.mall.models import Redemption
from domain.members.models import Member
from domain.metrics.models import MetricsDay, MetricsItemDay, MetricsMemberDay, MetricsState, StoreSalesDay
from domain.programme import service as programme
from domain.stores.models import DEFAULT_TIME_ZONE, Store
from domain.tiers.models import TierChange
from infra.clock import Clock
from infra.db import transaction

# Facts written up to this long before the watermark are looked at again: a transaction that
# took a created_at before the watermark but committed after the job ran is still rolled up.
LAG = timedelta(minutes=5)
CHUNK = 1000

SOURCE_OF_KIND = {
    JournalKind.PURCHASE: "PURCHASE",
    JournalKind.CHECK_IN: "BEHAVIOUR",
    JournalKind.REFERRAL: "BEHAVIOUR",
    JournalKind.REVIEW: "BEHAVIOUR",
    JournalKind.SURVEY: "BEHAVIOUR",
    JournalKind.CAMPAIGN_BONUS: "CAMPAIGN",
    JournalKind.REGISTRATION: "CAMPAIGN",
    JournalKind.LOTTERY_PRIZE: "LOTTERY",
    JournalKind.ADJUSTMENT: "ADJUSTMENT",
    JournalKind.IMPORT: "MIGRATION",
}
SOURCE_COLUMN = {
    "PURCHASE": "points_purchase", "BEHAVIOUR": "points_behaviour", "CAMPAIGN": "points_campaign",
    "ADJUSTMENT": "points_adjustment", "LOTTERY": "points_lottery", "MIGRATION": "points_migration",
}
SPEND_KINDS = frozenset({JournalKind.REDEMPTION, JournalKind.LOTTERY_DRAW, JournalKind.CASH_OFFSET, JournalKind.DONATION})
GONE = ("CANCELLED", "EXPIRED")  # redemptions whose points and stock went back

COUNTERS = (
    "orders", "member_sales_fen", "points_purchase", "points_behaviour", "points_campaign", "points_adjustment",
    "points_lottery", "points_migration", "spent_mall", "spent_lottery", "spent_donation", "spent_cash_offset",
    "points_expired", "member_flow", "redemptions", "reward_cost_fen", "new_members",
)


class TimeZones:
    """Each store's zone; the chain default for facts without a store."""

    def __init__(self, zones: dict[int, str]) -> None:
        self._zones = {pk: ZoneInfo(name) for pk, name in zones.items()}
        self._default = ZoneInfo(DEFAULT_TIME_ZONE)

    @classmethod
    async def load(cls) -> TimeZones:
        return cls({row["id"]: row["time_zone"] for row in await Store.all().values("id", "time_zone")})

    def day(self, at: datetime, store_id: int | None) -> date:
        return at.astimezone(self._zones.get(store_id or 0, self._default)).date()


def _utc_window(day: date) -> tuple[datetime, datetime]:
    """A UTC range wide enough to hold that local day in every zone (UTC-12 to UTC+14)."""
    start = datetime(day.year, day.month, day.day, tzinfo=ZoneInfo("UTC"))
    return start - timedelta(days=1), start + timedelta(days=2)


def _chunks(values: list, size: int = CHUNK) -> Iterable[list]:
    for i in range(0, len(values), size):
        yield values[i:i + size]


async def _tiers_at(purchases: list[dict]) -> dict[int, str]:
    """The tier code each purchase's member had when it was recorded (the member's current tier if no change is kept)."""
    members = sorted({p["member_id"] for p in purchases})
    changes: dict[int, list[tuple[datetime, str]]] = defaultdict(list)
    current: dict[int, str] = {}
    for ids in _chunks(members):
        ordered = TierChange.filter(member_id__in=ids).order_by("created_at", "id")
        for row in await ordered.values("member_id", "created_at", "to_tier__code"):
            changes[row["member_id"]].append((row["created_at"], row["to_tier__code"]))
        for row in await Member.filter(id__in=ids).values("id", "tier__code"):
            current[row["id"]] = row["tier__code"]
    tiers = {}
    for p in purchases:
        code = None
        for at, to in changes.get(p["member_id"], ()):
            if at <= p["recorded_at"]:
                code = to
            else:
                break
        tiers[p["id"]] = code or current.get(p["member_id"], "")
    return tiers


async def compute_day(day: date, zones: TimeZones, fen_per_point: tuple[int, int]) -> tuple[list[dict], list[dict], list[dict]]:
    """The rollup rows of one local day: (metrics_day, metrics_item_day, metrics_member_day) as dicts."""
    rows: dict[tuple[int, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    members: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])  # (store, member) -> [orders, spent]
    items: dict[tuple[int, int], list] = {}
    lo, hi = _utc_window(day)

    # Purchases of the day (their store's local date), net of returns; held ones and fully returned ones do not count.
    purchases = await Purchase.filter(local_date=day).exclude(status__in=("HELD", "RETURNED")).values(
        "id", "member_id", "store_id", "total_fen", "discount_fen", "cash_offset_fen", "recorded_at"
    )
    returned: dict[int, int] = defaultdict(int)
    if purchases:
        for line in await PurchaseLine.filter(purchase__local_date=day, returned_quantity__gt=0).values(
            "purchase_id", "total_fen", "discount_fen", "quantity", "returned_quantity"
        ):
            returned[line["purchase_id"]] += (line["total_fen"] - line["discount_fen"]) * line["returned_quantity"] // line["quantity"]
        tiers = await _tiers_at(purchases)
        for p in purchases:
            row = rows[(p["store_id"], tiers[p["id"]])]
            row["orders"] += 1
            row["member_sales_fen"] += p["total_fen"] - p["discount_fen"] - returned[p["id"]]
            row["reward_cost_fen"] += p["discount_fen"] + p["cash_offset_fen"]
            members[(p["store_id"], p["member_id"])][0] += 1

    # The ledger: every entry on a system account, by the local day its journal occurred, at the
    # journal's store, or the member's home store for a journal without one (welcome points, expiry).
    entries = await PointsEntry.filter(journal__occurred_at__gte=lo, journal__occurred_at__lt=hi).values(
        "journal_id", "amount", "account__code", "account__member_id", "account__member__home_store_id", "journal__kind",
        "journal__store_id", "journal__occurred_at", "journal__reverses__kind",
    )
    home = {e["journal_id"]: e["account__member__home_store_id"] for e in entries if e["account__member_id"] is not None}
    for e in entries:
        kind = e["journal__kind"]
        if kind == JournalKind.DONATION_MATCH:
            continue  # the chain's matching: no member's points
        store = e["journal__store_id"] or home.get(e["journal_id"]) or 0
        if zones.day(e["journal__occurred_at"], store) != day:
            continue
        effective = e["journal__reverses__kind"] if kind in (JournalKind.REVERSAL, JournalKind.RETURN) else kind
        if e["account__member_id"] is not None:
            if effective in SPEND_KINDS:
                members[(store, e["account__member_id"])][1] -= e["amount"]
            continue
        account = e["account__code"].split("#")[0]
        row = rows[(store, "")]
        amount = e["amount"]
        if account == "MATCHING_BUDGET":
            continue
        row["member_flow"] -= amount
        if account == "ISSUED":
            row[SOURCE_COLUMN[SOURCE_OF_KIND.get(effective, "ADJUSTMENT")]] -= amount
        elif account == "ADJUSTMENTS":
            row["points_adjustment"] -= amount
        elif account == "MIGRATION":
            row["points_migration"] -= amount
        elif account == "REDEEMED":
            row["spent_lottery" if effective == JournalKind.LOTTERY_DRAW else "spent_mall"] += amount
        elif account == "CASH_OFFSET":
            row["spent_cash_offset"] += amount
        elif account == "DONATED":
            row["spent_donation"] += amount
        elif account == "EXPIRED":
            row["points_expired"] += amount

    # Mall redemptions made that day and not cancelled or expired since.
    numerator, denominator = fen_per_point
    for r in await Redemption.filter(created_at__gte=lo, created_at__lt=hi).exclude(status__in=GONE).values(
        "item_id", "item__band", "item__cost_fen", "store_id", "quantity", "points_spent", "created_at"
    ):
        store = r["store_id"] or 0
        if zones.day(r["created_at"], store) != day:
            continue
        unit = r["item__cost_fen"]
        cost = unit * r["quantity"] if unit is not None else r["points_spent"] * numerator // denominator
        item = items.setdefault((store, r["item_id"]), [r["item__band"], 0, 0, 0])
        item[1] += r["quantity"]
        item[2] += r["points_spent"]
        item[3] += cost
        row = rows[(store, "")]
        row["redemptions"] += r["quantity"]
        row["reward_cost_fen"] += cost

    for m in await Member.filter(created_at__gte=lo, created_at__lt=hi).values("home_store_id", "created_at"):
        store = m["home_store_id"] or 0
        if zones.day(m["created_at"], store) == day:
            rows[(store, "")]["new_members"] += 1

    totals = {s["store_id"]: s["total_fen"] for s in await StoreSalesDay.filter(local_date=day).values("store_id", "total_fen")}
    for store in totals:
        rows[(store, "")]

    day_rows = [
        {"day": day, "store_id": store, "tier_code": tier, "store_total_fen": totals.get(store) if tier == "" else None, **counts}
        for (store, tier), counts in sorted(rows.items())
    ]
    item_rows = [
        {"day": day, "store_id": store, "item_id": item, "band": v[0], "quantity": v[1], "points": v[2], "cost_fen": v[3]}
        for (store, item), v in sorted(items.items())
    ]
    member_rows = [
        {"day": day, "store_id": store, "member_id": member, "orders": v[0], "points_spent": v[1]}
        for (store, member), v in sorted(members.items())
        if v[0] or v[1]
    ]
    return day_rows, item_rows, member_rows


async def _fen_per_point() -> tuple[int, int]:
    """A point's face value as a fraction of a fen: the cash offset rate (100 points = 1 yuan: 1 fen)."""
    return 100, int((await programme.current())["cash_offset_points_per_yuan"])


async def recompute_day(day: date, zones: TimeZones | None = None, fen_per_point: tuple[int, int] | None = None) -> None:
    zones = zones or await TimeZones.load()
    fen_per_point = fen_per_point or await _fen_per_point()
    day_rows, item_rows, member_rows = await compute_day(day, zones, fen_per_point)
    async with transaction() as conn:
        for model in (MetricsDay, MetricsItemDay, MetricsMemberDay):
            await model.filter(day=day).using_db(conn).delete()
        await MetricsDay.bulk_create([MetricsDay(**r) for r in day_rows], using_db=conn)
        await MetricsItemDay.bulk_create([MetricsItemDay(**r) for r in item_rows], using_db=conn)
        for chunk in _chunks(member_rows, 5000):
            await MetricsMemberDay.bulk_create([MetricsMemberDay(**r) for r in chunk], using_db=conn)


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


async def rebuild(first: date, last: date, progress: Callable[[int, int], None] = lambda done, total: None) -> int:
    """Rewrite every day from `first` to `last` (inclusive) from the ledger and the facts."""
    zones, value = await TimeZones.load(), await _fen_per_point()
    days = days_between(first, last)
    for n, day in enumerate(days, start=1):
        await recompute_day(day, zones, value)
        progress(n, len(days))
    return len(days)


async def touched_days(since: datetime | None, zones: TimeZones, now: datetime) -> set[date]:
    """The local days whose rollups a fact written at or after `since` changes (every day with facts, without `since`)."""
    days: set[date] = set()
    journals = PointsJournal.all() if since is None else PointsJournal.filter(created_at__gte=since)
    for j in await journals.values("occurred_at", "store_id", "reverses__occurred_at", "reverses__store_id"):
        days.add(zones.day(j["occurred_at"], j["store_id"]))
        if j["reverses__occurred_at"] is not None:  # a return or cancellation changes the original day's counts
            days.add(zones.day(j["reverses__occurred_at"], j["reverses__store_id"]))
    purchases = Purchase.all() if since is None else Purchase.filter(recorded_at__gte=since)
    days.update(p["local_date"] for p in await purchases.values("local_date"))
    made = Redemption.all() if since is None else Redemption.filter(created_at__gte=since)
    days.update(zones.day(r["created_at"], r["store_id"]) for r in await made.values("created_at", "store_id"))
    if since is not None:
        gone = await Redemption.filter(cancelled_at__gte=since).values("created_at", "store_id")
        days.update(zones.day(r["created_at"], r["store_id"]) for r in gone)
    joined = Member.all() if since is None else Member.filter(created_at__gte=since)
    days.update(zones.day(m["created_at"], m["home_store_id"]) for m in await joined.values("created_at", "home_store_id"))
    totals = StoreSalesDay.all() if since is None else StoreSalesDay.filter(updated_at__gte=since)
    days.update(s["local_date"] for s in await totals.values("local_date"))
    today = zones.day(now, None)
    return {d for d in days if d <= today + timedelta(days=1)}


async def run_job(clock: Clock, progress: Callable[[int], None] = lambda done: None) -> dict[str, int]:
    """The `metrics-rollup` job: rewrite the days touched since the watermark, then move it to now."""
    now = clock.now()
    state = await MetricsState.get_or_none(id=1)
    since = state.watermark - LAG if state and state.watermark else None
    zones, value = await TimeZones.load(), await _fen_per_point()
    days = sorted(await touched_days(since, zones, now))
    for n, day in enumerate(days, start=1):
        await recompute_day(day, zones, value)
        progress(n)
    if state is None:
        await MetricsState.create(id=1, watermark=now, updated_at=now)
    else:
        await MetricsState.filter(id=1).update(watermark=now, updated_at=now)
    return {"days": len(days)}
