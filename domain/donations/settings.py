"""The donations' operator-changeable numbers, stored as programme_setting rows under their own keys."""

from __future__ import annotations

from typing import Any

from domain.donations.errors import DonationError, DonationErrorCode
from domain.programme.models import ProgrammeSetting
from infra import cache

PREFIX = "donations_"
CACHE_KEY = "donations:settings"
CACHE_TTL = 60
DEFAULTS: dict[str, int] = {
    "points_per_yuan": 100,  # the chain's conversion rate: 100 points = 1 yuan for the charity
    "recent_donors": 10,  # how many recent donors a project shows at most
}
LIMITS: dict[str, tuple[int, int]] = {
    "points_per_yuan": (1, 100_000),
    "recent_donors": (0, 100),
}


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part.title() for part in rest)


async def current() -> dict[str, int]:
    async def load() -> dict[str, int]:
        values = dict(DEFAULTS)
        for row in await ProgrammeSetting.filter(key__in=[PREFIX + key for key in DEFAULTS]):
            values[row.key.removeprefix(PREFIX)] = int(row.value)
        return values

    return dict(await cache.get_or_load(CACHE_KEY, load, ttl=CACHE_TTL))


async def update(changes: dict[str, int]) -> dict[str, Any]:
    for key, value in changes.items():
        low, high = LIMITS[key]
        if not low <= value <= high:
            raise DonationError(DonationErrorCode.OUT_OF_RANGE, f"{_camel(key)} must be between {low} and {high}.", field=_camel(key))
    for key, value in changes.items():
        await ProgrammeSetting.update_or_create(defaults={"value": value}, key=PREFIX + key)
    await cache.delete(CACHE_KEY)
    return await current()
