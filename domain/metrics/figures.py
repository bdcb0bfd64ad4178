"""The programme's figures for a period, read from the rollups only (docs/metrics.md defines each).

Managers see their own store's figures, chain admins any store's or the whole chain's; anyone
else is refused. A store the caller may not see answers as an unknown store.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.access import StaffRole, Viewer, require_authenticated
from domain.errors import AccessDenied, DomainError
from domain.mall.models import MallItem, Redemption
from domain.metrics.models import MetricsDay, MetricsItemDay, MetricsMemberDay
from domain.programme import service as programme
from domain.stores.models import DEFAULT_TIME_ZONE, Store
from domain.tiers.models import Tier
from infra.clock import utc

MAX_DAYS = 3 * 366
SOURCES = ("PURCHASE", "BEHAVIOUR", "CAMPAIGN", "ADJUSTMENT", "LOTTERY", "MIGRATION")
USES = ("MALL", "LOTTERY", "DONATION", "CASH_OFFSET")
_SOURCE_COLUMNS = dict(zip(SOURCES, ("points_purchase", "points_behaviour", "points_campaign", "points_adjustment",
                                     "points_lottery", "points_migration"), strict=True))
_USE_COLUMNS = dict(zip(USES, ("spent_mall", "spent_lottery", "spent_donation", "spent_cash_offset"), strict=True))


class Granularity(StrEnum):
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"


def period_start(day: date, granularity: Granularity) -> date:
    if granularity is Granularity.WEEK:
        return day - timedelta(days=day.weekday())  # ISO weeks start on Monday
    if granularity is Granularity.MONTH:
        return day.replace(day=1)
    return day


def _next_period(start: date, granularity: Granularity) -> date:
    if granularity is Granularity.DAY:
        return start + timedelta(days=1)
    if granularity is Granularity.WEEK:
        return start + timedelta(days=7)
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1)


def ratio(numerator: float, denominator: float, places: int = 4) -> float | None:
    return round(numerator / denominator, places) if denominator else None


@dataclass
class Figures:
    """The flow figures of one set of days (the totals, or one period of the series)."""

    sales_fen: int = 0
    member_sales_fen: int = 0
    orders: int = 0
    issued_by_source: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SOURCES, 0))
    spent_by_use: dict[str, int] = field(default_factory=lambda: dict.fromkeys(USES, 0))
    points_expired: int = 0
    reward_cost_fen: int = 0
    redemptions: int = 0
    new_members: int = 0
    active_members: int = 0
    churned_members: int = 0
    liability_points: int = 0

    @property
    def points_issued(self) -> int:
        return sum(self.issued_by_source.values())

    @property
    def points_redeemed(self) -> int:
        return sum(self.spent_by_use.values())

    @property
    def member_sales_share(self) -> float | None:
        return ratio(self.member_sales_fen, self.sales_fen)

    @property
    def points_cost_rate(self) -> float | None:
        return ratio(self.reward_cost_fen, self.sales_fen)


@dataclass
class Cohort:
    month: date
    members: int
    repurchased_30d: int
    repurchased_90d: int

    @property
    def rate_30d(self) -> float | None:
        return ratio(self.repurchased_30d, self.members)

    @property
    def rate_90d(self) -> float | None:
        return ratio(self.repurchased_90d, self.members)


@dataclass
class ItemFigure:
    item: MallItem
    count: int
    points: int
    cost_fen: int


@dataclass
class TierValue:
    tier: Tier
    orders: int
    sales_fen: int

    @property
    def average_fen(self) -> int:
        return self.sales_fen // self.orders if self.orders else 0


@dataclass
class Report:
    first: date
    last: date
    store_id: int | None
    granularity: Granularity
    totals: Figures
    series: list[tuple[date, Figures]]
    cohorts: list[Cohort]
    by_tier: list[TierValue]
    by_item: list[ItemFigure]
    by_band: dict[str, tuple[int, int, int]]
    repurchase_rate_30d: float | None
    repurchase_rate_90d: float | None
    repurchase_lift: float | None
    breakage: float | None
    fen_per_point: tuple[int, int]

    @property
    def liability_fen(self) -> int:
        numerator, denominator = self.fen_per_point
        return self.totals.liability_points * numerator // denominator


async def scope(viewer: Viewer, store_id: int | None) -> int | None:
    """The store whose figures the viewer gets (None: the whole chain)."""
    require_authenticated(viewer)
    if viewer.is_chain_admin:
        if store_id is not None and not await Store.exists(id=store_id):
            raise DomainError("STORE_NOT_FOUND", "No such store.", field="storeId")
        return store_id
    if not viewer.is_staff or viewer.role is not StaffRole.STORE_MANAGER:
        raise AccessDenied("Only store managers and chain admins see the programme's figures.")
    if store_id is not None and store_id != viewer.store_id:
        raise DomainError("STORE_NOT_FOUND", "No such store.", field="storeId")
    return viewer.store_id


def check_period(first: date, last: date) -> None:
    if last < first:
        raise DomainError("INVALID_PERIOD", "The period ends before it starts.", field="to")
    if (last - first).days + 1 > MAX_DAYS:
        raise DomainError("INVALID_PERIOD", f"Ask for at most {MAX_DAYS} days at a time.", field="to")


def _store_filter(store_id: int | None) -> dict:
    return {} if store_id is None else {"store_id": store_id}


async def _day_rows(first: date, last: date, store_id: int | None) -> list[dict]:
    return await MetricsDay.filter(day__gte=first, day__lte=last, **_store_filter(store_id)).values()


def _add_rows(figures: Figures, rows: list[dict]) -> None:
    totals: dict[tuple[date, int], int] = {}
    member: dict[tuple[date, int], int] = defaultdict(int)
    for r in rows:
        key = (r["day"], r["store_id"])
        member[key] += r["member_sales_fen"]
        if r["store_total_fen"] is not None:
            totals[key] = r["store_total_fen"]
        figures.member_sales_fen += r["member_sales_fen"]
        figures.orders += r["orders"]
        for source, column in _SOURCE_COLUMNS.items():
            figures.issued_by_source[source] += r[column]
        for use, column in _USE_COLUMNS.items():
            figures.spent_by_use[use] += r[column]
        figures.points_expired += r["points_expired"]
        figures.reward_cost_fen += r["reward_cost_fen"]
        figures.redemptions += r["redemptions"]
        figures.new_members += r["new_members"]
    # All sales: the store's own day total where the POS reported one, else what members bought.
    figures.sales_fen += sum(totals.get(key, amount) for key, amount in member.items()) + sum(
        amount for key, amount in totals.items() if key not in member
    )


async def _liability_until(last: date, store_id: int | None) -> int:
    rows = await MetricsDay.filter(day__lte=last, **_store_filter(store_id)).values_list("member_flow", flat=True)
    return sum(rows)


async def _activity(first: date, last: date, store_id: int | None) -> list[dict]:
    return await MetricsMemberDay.filter(day__gte=first, day__lte=last, **_store_filter(store_id)).values(
        "member_id", "day", "orders", "points_spent"
    )


def _buyers(activity: list[dict]) -> set[int]:
    return {a["member_id"] for a in activity if a["orders"] > 0}


async def _first_purchases(first: date, last: date, store_id: int | None) -> dict[int, date]:
    """Members whose first purchase ever (any store) falls in the period, at the store when one is given."""
    candidates = await MetricsMemberDay.filter(day__gte=first, day__lte=last, orders__gt=0, **_store_filter(store_id)).values(
        "member_id", "day"
    )
    firsts: dict[int, date] = {}
    for c in candidates:
        if c["member_id"] not in firsts or c["day"] < firsts[c["member_id"]]:
            firsts[c["member_id"]] = c["day"]
    ids = sorted(firsts)
    earlier: set[int] = set()
    for i in range(0, len(ids), 1000):
        chunk = ids[i:i + 1000]
        before = MetricsMemberDay.filter(member_id__in=chunk, orders__gt=0, day__lt=first)
        earlier.update(await before.values_list("member_id", flat=True))
        if store_id is not None:  # bought elsewhere first, inside the period
            inside = MetricsMemberDay.filter(member_id__in=chunk, orders__gt=0, day__gte=first, day__lte=last)
            for row in await inside.values("member_id", "day"):
                if row["day"] < firsts[row["member_id"]]:
                    earlier.add(row["member_id"])
    return {m: d for m, d in firsts.items() if m not in earlier}


async def _cohorts(firsts: dict[int, date]) -> list[Cohort]:
    ids = sorted(firsts)
    later: dict[int, list[date]] = defaultdict(list)
    for i in range(0, len(ids), 1000):
        chunk = ids[i:i + 1000]
        top = max(firsts[m] for m in chunk) + timedelta(days=90)
        low = min(firsts[m] for m in chunk)
        for row in await MetricsMemberDay.filter(member_id__in=chunk, orders__gt=0, day__gt=low, day__lte=top).values("member_id", "day"):
            later[row["member_id"]].append(row["day"])
    cohorts: dict[date, Cohort] = {}
    for member, day in firsts.items():
        cohort = cohorts.setdefault(day.replace(day=1), Cohort(day.replace(day=1), 0, 0, 0))
        cohort.members += 1
        gaps = [(d - day).days for d in later.get(member, ()) if d > day]
        if any(g <= 30 for g in gaps):
            cohort.repurchased_30d += 1
        if any(g <= 90 for g in gaps):
            cohort.repurchased_90d += 1
    return [cohorts[k] for k in sorted(cohorts)]


def _lift(activity: list[dict]) -> float | None:
    """Purchase days per buyer among buyers who spent points in the period, over the same for buyers who did not."""
    days: dict[int, set[date]] = defaultdict(set)
    spent: dict[int, int] = defaultdict(int)
    for a in activity:
        if a["orders"] > 0:
            days[a["member_id"]].add(a["day"])
        spent[a["member_id"]] += a["points_spent"]
    users = [len(d) for m, d in days.items() if spent[m] > 0]
    others = [len(d) for m, d in days.items() if spent[m] <= 0]
    if not users or not others:
        return None
    return ratio(sum(users) / len(users), sum(others) / len(others))


def _previous(first: date, last: date, granularity: Granularity | None) -> tuple[date, date]:
    """The window just before: the previous calendar month for a month, else as many days."""
    if granularity is Granularity.MONTH and first.day == 1 and _next_period(first, granularity) - timedelta(days=1) == last:
        start = (first - timedelta(days=1)).replace(day=1)
        return start, first - timedelta(days=1)
    length = (last - first).days + 1
    return first - timedelta(days=length), first - timedelta(days=1)


async def _members_figures(figures: Figures, first: date, last: date, store_id: int | None, activity: list[dict],
                           granularity: Granularity | None) -> None:
    active = _buyers(activity)
    before_first, before_last = _previous(first, last, granularity)
    before = _buyers(await _activity(before_first, before_last, store_id))
    figures.active_members = len(active)
    figures.churned_members = len(before - active)


async def report(viewer: Viewer, first: date, last: date, store_id: int | None, granularity: Granularity) -> Report:
    store_id = await scope(viewer, store_id)
    check_period(first, last)
    rows = await _day_rows(first, last, store_id)
    activity = await _activity(first, last, store_id)
    totals = Figures()
    _add_rows(totals, rows)
    await _members_figures(totals, first, last, store_id, activity, None)
    totals.liability_points = await _liability_until(last, store_id)

    series = []
    start = period_start(first, granularity)
    running = await _liability_until(start - timedelta(days=1), store_id)
    while start <= last:
        end = _next_period(start, granularity) - timedelta(days=1)
        lo, hi = max(start, first), min(end, last)
        figures = Figures()
        period_rows = [r for r in rows if lo <= r["day"] <= hi]
        _add_rows(figures, period_rows)
        await _members_figures(figures, lo, hi, store_id, [a for a in activity if lo <= a["day"] <= hi], granularity)
        running += sum(r["member_flow"] for r in period_rows)
        figures.liability_points = running
        series.append((start, figures))
        start = end + timedelta(days=1)

    firsts = await _first_purchases(first, last, store_id)
    cohorts = await _cohorts(firsts)
    size = sum(c.members for c in cohorts)

    tiers = {t.code: t for t in await Tier.all().order_by("rank")}
    by_tier_counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in rows:
        if r["tier_code"]:
            by_tier_counts[r["tier_code"]][0] += r["orders"]
            by_tier_counts[r["tier_code"]][1] += r["member_sales_fen"]
    by_tier = [TierValue(tier, *by_tier_counts[code]) for code, tier in tiers.items() if by_tier_counts[code][0]]

    item_counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    by_band: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for r in await MetricsItemDay.filter(day__gte=first, day__lte=last, **_store_filter(store_id)).values():
        for bucket in (item_counts[r["item_id"]], by_band[r["band"]]):
            bucket[0] += r["quantity"]
            bucket[1] += r["points"]
            bucket[2] += r["cost_fen"]
    items = {i.id: i for i in await MallItem.filter(id__in=list(item_counts))}
    by_item = sorted(
        (ItemFigure(items[pk], *v) for pk, v in item_counts.items() if pk in items and v[0] > 0),
        key=lambda f: (-f.count, -f.points, f.item.id),
    )

    year_rows = await _day_rows(last - timedelta(days=364), last, store_id)
    year = Figures()
    _add_rows(year, year_rows)
    per_yuan = int((await programme.current())["cash_offset_points_per_yuan"])
    return Report(
        first=first, last=last, store_id=store_id, granularity=granularity, totals=totals, series=series,
        cohorts=cohorts, by_tier=by_tier, by_item=by_item,
        by_band={band: tuple(v) for band, v in sorted(by_band.items())},
        repurchase_rate_30d=ratio(sum(c.repurchased_30d for c in cohorts), size),
        repurchase_rate_90d=ratio(sum(c.repurchased_90d for c in cohorts), size),
        repurchase_lift=_lift(activity),
        breakage=ratio(year.points_expired, year.points_issued),
        fen_per_point=(100, per_yuan),
    )


@dataclass
class Rush:
    day: date
    minutes: list[tuple[object, int]]

    @property
    def total(self) -> int:
        return sum(n for _, n in self.minutes)


async def rush(viewer: Viewer, store_id: int | None, clock) -> Rush:
    """Today's redemptions per minute: today's rows of the redemption table, by its created_at index."""
    store_id = await scope(viewer, store_id)
    zone_name = DEFAULT_TIME_ZONE
    if store_id is not None:
        zone_name = (await Store.get(id=store_id)).time_zone
    zone = ZoneInfo(zone_name)
    now = clock.now().astimezone(zone)
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    today = Redemption.filter(created_at__gte=utc(start), created_at__lte=utc(now), **_store_filter(store_id))
    made = await today.values_list("created_at", flat=True)
    counts: dict[object, int] = defaultdict(int)
    for at in made:
        counts[at.astimezone(zone).replace(second=0, microsecond=0)] += 1
    return Rush(day=now.date(), minutes=sorted(counts.items()))
