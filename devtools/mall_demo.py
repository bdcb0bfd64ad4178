"""The demo mall: about thirty items over the three bands and every kind, with limited stock,
a member day on the 8th (20 percent off) and peak and off-season rules for the coming year."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from domain.mall import stock
from domain.mall.models import MallItem, MallPriceRule

# name, band, kind, points, cash in fen, stock (None: unlimited), buckets, limit per member, period, tiers, days since new
ITEMS: list[tuple] = [
    ("Fresh-cut watermelon cup", "LOW", "FRESH_CUT", 100, 0, 500, 1, 2, "DAY", (), 60),
    ("Fresh-cut pineapple cup", "LOW", "FRESH_CUT", 120, 0, 400, 1, 2, "DAY", (), 60),
    ("Mixed berry cup", "LOW", "FRESH_CUT", 180, 0, 300, 1, 2, "DAY", (), 3),
    ("Mango smoothie coupon", "LOW", "COUPON", 150, 0, 1000, 1, 5, "MONTH", (), 60),
    ("Free fruit washing", "LOW", "SERVICE", 50, 0, None, 1, None, "LIFETIME", (), 90),
    ("Free delivery voucher", "LOW", "COUPON", 200, 0, 2000, 1, 4, "MONTH", (), 90),
    ("5-yuan off coupon", "LOW", "COUPON", 250, 0, 3000, 1, 4, "MONTH", (), 90),
    ("Banana bunch", "LOW", "PHYSICAL", 200, 0, 300, 1, None, "LIFETIME", (), 30),
    ("Kiwi six-pack", "LOW", "PHYSICAL", 300, 0, 200, 1, None, "LIFETIME", (), 30),
    ("Orchard tote bag", "LOW", "PHYSICAL", 400, 0, 150, 1, 1, "LIFETIME", (), 120),
    ("Seasonal fruit gift box", "MIDDLE", "PHYSICAL", 1000, 0, 200, 4, 1, "MONTH", (), 14),
    ("Imported cherry box, 1 kg", "MIDDLE", "PHYSICAL", 1800, 0, 100, 1, 1, "MONTH", (), 5),
    ("Durian gift box", "MIDDLE", "PHYSICAL", 2500, 0, 80, 1, 1, "MONTH", (), 2),
    ("Strawberry box", "MIDDLE", "PHYSICAL", 1200, 0, 150, 1, 2, "MONTH", (), 20),
    ("Mid-Autumn fruit basket", "MIDDLE", "PHYSICAL", 2200, 0, 120, 1, 1, "LIFETIME", (), 1),
    ("Citrus sampler", "MIDDLE", "PHYSICAL", 900, 1000, 200, 1, None, "LIFETIME", (), 40),
    ("Tropical fruit platter for four", "MIDDLE", "FRESH_CUT", 1500, 0, 60, 1, 1, "WEEK", (), 10),
    ("Fruit tasting session", "MIDDLE", "SERVICE", 800, 0, 40, 1, 1, "LIFETIME", (), 6),
    ("50-yuan stored-value card", "MIDDLE", "STORED_VALUE_CARD", 2500, 0, 300, 1, 2, "MONTH", (), 200),
    ("Juice week pass", "MIDDLE", "COUPON", 1400, 0, 100, 1, 1, "MONTH", (), 25),
    ("200-yuan stored-value card", "HIGH", "STORED_VALUE_CARD", 10000, 0, 100, 1, 2, "MONTH", (), 200),
    ("500-yuan stored-value card", "HIGH", "STORED_VALUE_CARD", 24000, 0, 40, 1, 1, "MONTH", ("GOLD", "DIAMOND"), 200),
    ("Cold-press juicer", "HIGH", "PHYSICAL", 18000, 0, 30, 1, 1, "LIFETIME", (), 50),
    ("Fruit dehydrator", "HIGH", "PHYSICAL", 15000, 9900, 25, 1, 1, "LIFETIME", (), 4),
    ("Premium Japanese melon", "HIGH", "PHYSICAL", 12000, 0, 20, 1, 1, "MONTH", ("DIAMOND",), 1),
    ("Smart fruit fridge", "HIGH", "PHYSICAL", 60000, 0, 5, 1, 1, "LIFETIME", (), 100),
    ("Priority purchase pass", "HIGH", "PRIVILEGE", 3000, 0, None, 1, 1, "MONTH", ("GOLD", "DIAMOND"), 100),
    ("Dedicated fruit butler for a month", "HIGH", "PRIVILEGE", 8000, 0, 50, 1, 1, "MONTH", ("DIAMOND",), 100),
    ("Countertop blender", "HIGH", "PHYSICAL", 9000, 0, 40, 1, 1, "LIFETIME", (), 70),
    ("Free delivery for a year", "HIGH", "PRIVILEGE", 6000, 0, 200, 1, 1, "LIFETIME", (), 150),
]


def _coming(today: date, start: tuple[int, int], end: tuple[int, int]) -> tuple[date, date]:
    """The next season from `start` to `end` (month, day) that has not ended yet."""
    for year in (today.year, today.year + 1):
        first, last = date(year, *start), date(year, *end)
        if last >= today:
            return first, last
    raise AssertionError("unreachable")


def price_rules(today: date) -> list[dict]:
    """A member day every month, and the seasons of the coming twelve months."""
    spring, summer, autumn = (
        _coming(today, (1, 20), (2, 28)), _coming(today, (7, 1), (8, 31)), _coming(today, (9, 10), (10, 8))
    )
    return [
        {"code": "MEMBER-DAY", "name": "Member day: 20 percent off on the 8th", "kind": "MEMBER_DAY", "percent": -20,
         "day_of_month": 8, "bands": []},
        {"code": f"SPRING-FESTIVAL-{spring[0].year}", "name": "Spring Festival peak", "kind": "SEASONAL", "percent": 20,
         "date_from": spring[0], "date_to": spring[1], "bands": ["HIGH"]},
        {"code": f"SUMMER-OFF-SEASON-{summer[0].year}", "name": "Summer off-season", "kind": "SEASONAL", "percent": -15,
         "date_from": summer[0], "date_to": summer[1], "bands": ["HIGH"]},
        {"code": f"MID-AUTUMN-{autumn[0].year}", "name": "Mid-Autumn peak", "kind": "SEASONAL", "percent": 20,
         "date_from": autumn[0], "date_to": autumn[1], "bands": ["MIDDLE", "HIGH"]},
    ]


async def load_demo_mall(connection) -> None:
    """Load the demo mall into an empty mall (it does nothing when any item exists)."""
    if await MallItem.all().using_db(connection).exists():
        return
    now = datetime.now(UTC).replace(microsecond=0)
    for name, band, kind, points, cash_fen, units, buckets, limit, period, tiers, age_days in ITEMS:
        item = await MallItem.create(
            using_db=connection, name=name, description=f"{name}, redeemable with points at any Orchard Fruit store.",
            band=band, kind=kind, points_price=points, cash_fen=cash_fen, stock_limited=units is not None,
            stock_buckets=buckets, per_member_limit=limit, limit_period=period, eligible_tiers=list(tiers), store_ids=[],
            available_from=now - timedelta(days=age_days), created_at=now, updated_at=now,
        )
        if units is not None:
            await stock.create_buckets(connection, item.id, buckets, units)
    for rule in price_rules(now.date()):
        await MallPriceRule.create(using_db=connection, created_at=now, **rule)
