"""Programme settings with their defaults; an operator changes them through the admin API."""

from __future__ import annotations

from typing import Any

from domain.errors import DomainError
from domain.programme.models import ProgrammeSetting
from infra import cache

DEFAULTS: dict[str, int] = {
    "tier_window_months": 12,
    "login_code_ttl_minutes": 5,
    "login_code_max_attempts": 5,
    "login_codes_per_phone_per_hour": 5,
    "login_code_min_interval_seconds": 60,
    "login_codes_per_client_per_hour": 30,
    "staff_login_max_failures": 5,
    "staff_lockout_minutes": 15,
    "staff_login_failures_per_client_per_hour": 50,
    "points_expiry_days": 365,
    "purchase_pending_days": 0,
    "behaviour_pending_days": 0,
    "offline_max_age_days": 7,
    "cash_offset_points_per_yuan": 100,
    "cash_offset_max_percent": 50,
    "registration_points": 50,
    "referral_points": 50,
    "referral_first_order_points": 100,
    "referral_held_until_first_purchase": 0,
    "referrals_rewarded_per_referrer_per_day": 10,
    "check_in_points": 5,
    "check_in_streak_days": 7,
    "check_in_streak_bonus": 20,
    "review_points": 10,
    "behaviour_daily_cap": 100,
    "rule_notice_days": 7,
    "expiry_reminder_days": 30,
}
LIMITS: dict[str, tuple[int, int]] = {
    "tier_window_months": (1, 60),
    "login_code_ttl_minutes": (1, 60),
    "login_code_max_attempts": (1, 20),
    "login_codes_per_phone_per_hour": (1, 100),
    "login_code_min_interval_seconds": (0, 3600),
    "login_codes_per_client_per_hour": (1, 10_000),
    "staff_login_max_failures": (1, 100),
    "staff_lockout_minutes": (1, 24 * 60),
    "staff_login_failures_per_client_per_hour": (1, 10_000),
    "points_expiry_days": (1, 3650),
    "purchase_pending_days": (0, 90),
    "behaviour_pending_days": (0, 90),
    "offline_max_age_days": (0, 365),
    "cash_offset_points_per_yuan": (1, 10_000),
    "cash_offset_max_percent": (0, 100),
    "registration_points": (0, 10_000),
    "referral_points": (0, 10_000),
    "referral_first_order_points": (0, 10_000),
    "referral_held_until_first_purchase": (0, 1),
    "referrals_rewarded_per_referrer_per_day": (1, 10_000),
    "check_in_points": (0, 1_000),
    "check_in_streak_days": (2, 365),
    "check_in_streak_bonus": (0, 10_000),
    "review_points": (0, 1_000),
    "behaviour_daily_cap": (0, 100_000),
    "rule_notice_days": (0, 90),
    "expiry_reminder_days": (1, 365),
}


class SettingError(DomainError):
    pass


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part.title() for part in rest)


CACHE_KEY = "programme:settings"
CACHE_TTL = 300


async def current() -> dict[str, Any]:
    """Read-mostly: cached, and dropped on every update."""

    async def load() -> dict[str, Any]:
        values = dict(DEFAULTS)
        for row in await ProgrammeSetting.all():
            if row.key in values:
                values[row.key] = row.value
        return values

    return dict(await cache.get_or_load(CACHE_KEY, load, ttl=CACHE_TTL))


async def get(key: str) -> Any:
    return (await current())[key]


async def update(changes: dict[str, int]) -> dict[str, Any]:
    for key, value in changes.items():
        low, high = LIMITS[key]
        if not low <= value <= high:
            raise SettingError("OUT_OF_RANGE", f"{key} must be between {low} and {high}.", field=_camel(key))
    for key, value in changes.items():
        await ProgrammeSetting.update_or_create(defaults={"value": value}, key=key)
    await cache.delete(CACHE_KEY)
    return await current()
