"""Earning rules as stored data, turned into the calculator's inputs as of a moment.

Rules are read-mostly: the whole rulebook is cached and dropped on every admin change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from domain.earning import calculator
from domain.earning.models import CampaignRule, EarnRate
from infra import cache

CACHE_KEY = "earning:rulebook"
CACHE_TTL = 300
DEFAULT_CATEGORY = "*"
FALLBACK_RATE = Decimal("1")


@dataclass(frozen=True)
class StoredRate:
    category: str
    points_per_yuan: Decimal
    effective_from: datetime


@dataclass(frozen=True)
class StoredCampaign:
    id: int
    code: str
    name: str
    trigger: str
    multiplier: Decimal | None
    bonus_points: int | None
    stacking: str
    conditions: dict
    cap_per_member_per_day: int | None
    cap_per_member: int | None
    budget: int | None
    starts_at: datetime
    ends_at: datetime | None
    is_active: bool

    def active_at(self, moment: datetime) -> bool:
        return self.is_active and self.starts_at <= moment and (self.ends_at is None or moment < self.ends_at)


@dataclass(frozen=True)
class Rulebook:
    rates: tuple[StoredRate, ...]
    campaigns: tuple[StoredCampaign, ...]

    def rates_in_force(self, moment: datetime) -> list[StoredRate]:
        """For each category (the default `*` included), the latest rate whose effective_from has come; by category."""
        latest: dict[str, StoredRate] = {}
        for rate in self.rates:
            if rate.effective_from <= moment:
                known = latest.get(rate.category)
                if known is None or known.effective_from < rate.effective_from:
                    latest[rate.category] = rate
        return [latest[category] for category in sorted(latest)]

    def rates_at(self, moment: datetime) -> calculator.EarnRates:
        """The rates in force as the calculator takes them: FALLBACK_RATE when no default is stored."""
        latest = {rate.category: rate for rate in self.rates_in_force(moment)}
        default = latest.pop(DEFAULT_CATEGORY, None)
        return calculator.EarnRates(
            per_category={c: r.points_per_yuan for c, r in latest.items()},
            default=default.points_per_yuan if default else FALLBACK_RATE,
        )

    def campaigns_by_code(self) -> dict[str, StoredCampaign]:
        return {c.code: c for c in self.campaigns}

    def campaigns_at(self, moment: datetime, trigger: str = "PURCHASE") -> list[StoredCampaign]:
        return [c for c in self.campaigns if c.trigger == trigger and c.active_at(moment)]


async def load() -> Rulebook:
    async def read() -> Rulebook:
        rates = tuple(
            StoredRate(r.category, Decimal(r.points_per_yuan), r.effective_from) for r in await EarnRate.all()
        )
        campaigns = tuple(
            StoredCampaign(
                id=c.id, code=c.code, name=c.name, trigger=c.trigger,
                multiplier=Decimal(c.multiplier) if c.multiplier is not None else None,
                bonus_points=c.bonus_points, stacking=c.stacking, conditions=dict(c.conditions),
                cap_per_member_per_day=c.cap_per_member_per_day, cap_per_member=c.cap_per_member, budget=c.budget,
                starts_at=c.starts_at, ends_at=c.ends_at, is_active=c.is_active,
            )
            for c in await CampaignRule.all()
        )
        return Rulebook(rates, campaigns)

    return await cache.get_or_load(CACHE_KEY, read, ttl=CACHE_TTL)


async def invalidate() -> None:
    await cache.delete(CACHE_KEY)


def _dates(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _set(values: Iterable | None) -> frozenset | None:
    return frozenset(values) if values else None


def conditions_of(stored: dict) -> calculator.CampaignConditions:
    return calculator.CampaignConditions(
        date_from=_dates(stored.get("dateFrom")), date_to=_dates(stored.get("dateTo")),
        day_of_month=stored.get("dayOfMonth"), weekdays=_set(stored.get("weekdays")),
        channels=_set(stored.get("channels")), categories=_set(stored.get("categories")),
        tiers=_set(stored.get("tiers")), birthday_month=bool(stored.get("birthdayMonth")),
        first_order=bool(stored.get("firstOrder")), store_flag=stored.get("storeFlag"),
    )


def calculator_campaign(
    stored: StoredCampaign, *, given_total: int, given_today: int, given_to_member: int = 0
) -> calculator.CampaignRule:
    return calculator.CampaignRule(
        code=stored.code, conditions=conditions_of(stored.conditions), multiplier=stored.multiplier,
        bonus_points=stored.bonus_points, stacking=stored.stacking,
        cap_per_member_per_day=stored.cap_per_member_per_day,
        remaining_budget=None if stored.budget is None else max(stored.budget - given_total, 0),
        already_given_today=given_today,
        cap_per_member=stored.cap_per_member,
        already_given_to_member=given_to_member,
    )
