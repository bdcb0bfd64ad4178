"""The chain's default earning rules: category rates and the standing campaigns of the brief."""

from __future__ import annotations

from decimal import Decimal

from domain.earning import rulebook
from domain.earning.models import CampaignRule, EarnRate
from infra.clock import Clock

DEFAULT_RATES = {
    "IMPORTED_FRUIT": Decimal("2"),
    "DOMESTIC_FRUIT": Decimal("1"),
    "FRESH_CUT": Decimal("1"),
    "GIFT_BOX": Decimal("1"),
    rulebook.DEFAULT_CATEGORY: Decimal("1"),
}

# code, name, multiplier, bonus, stacking, conditions, trigger
DEFAULT_CAMPAIGNS = [
    ("MEMBER_DAY", "Member day: points x3 on the 8th", Decimal("3"), None, "BEST_OF", {"dayOfMonth": 8}),
    ("BIRTHDAY_MONTH", "Birthday month: double points", Decimal("2"), None, "MULTIPLY", {"birthdayMonth": True}),
    ("RAINY_DAY_ONLINE", "Rainy day: online orders earn double", Decimal("2"), None, "BEST_OF",
     {"storeFlag": "RAINY_DAY", "channels": ["ONLINE", "DELIVERY"]}),
    ("FIRST_ORDER", "New members: double points on the first order", Decimal("2"), None, "BEST_OF", {"firstOrder": True}),
]


async def ensure_default_rules(clock: Clock, connection=None) -> None:
    """Idempotent: adds what is missing, never changes what an operator set."""
    now = clock.now()
    if not await EarnRate.all().using_db(connection).exists():
        for category, rate in DEFAULT_RATES.items():
            await EarnRate.create(
                category=category, points_per_yuan=rate, effective_from=now, announced_at=now,
                created_by="system:defaults", using_db=connection,
            )
    for code, name, multiplier, bonus, stacking, conditions in DEFAULT_CAMPAIGNS:
        await CampaignRule.get_or_create(
            code=code,
            defaults={
                "name": name, "multiplier": multiplier, "bonus_points": bonus, "stacking": stacking,
                "conditions": conditions, "starts_at": now, "announced_at": now, "created_at": now,
            },
            using_db=connection,
        )
    await rulebook.invalidate()
