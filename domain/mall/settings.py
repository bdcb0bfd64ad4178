"""The mall's operator-changeable numbers, stored as programme_setting rows under their own keys.

They sit apart from domain.programme.service because its GraphQL type lists every key it knows.
"""

from __future__ import annotations

from typing import Any

from domain.mall.cache_slots import bounded
from domain.mall.errors import MallError, MallErrorCode
from domain.programme.models import ProgrammeSetting
from infra import cache

PREFIX = "mall_"
CACHE_KEY = "mall:settings"
CACHE_TTL = 60
DEFAULTS: dict[str, int] = {
    "redemption_valid_hours": 168,  # an uncollected redemption expires, points and stock go back
    "redeem_attempts_per_window": 60,  # per member and window, new idempotency keys only: stops floods, not people
    "redeem_window_seconds": 10,
    "new_item_days": 7,
}
LIMITS: dict[str, tuple[int, int]] = {
    "redemption_valid_hours": (1, 24 * 365),
    "redeem_attempts_per_window": (1, 10_000),
    "redeem_window_seconds": (1, 3_600),
    "new_item_days": (0, 90),
}


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part.title() for part in rest)


async def current() -> dict[str, int]:
    """Read on every redemption, so cached; an update through `update` is seen at once."""

    async def load() -> dict[str, int]:
        values = dict(DEFAULTS)
        for row in await ProgrammeSetting.filter(key__in=[PREFIX + key for key in DEFAULTS]):
            values[row.key.removeprefix(PREFIX)] = int(row.value)
        return values

    async with bounded:
        return dict(await cache.get_or_load(CACHE_KEY, load, ttl=CACHE_TTL))


async def update(changes: dict[str, int]) -> dict[str, Any]:
    for key, value in changes.items():
        low, high = LIMITS[key]
        if not low <= value <= high:
            raise MallError(MallErrorCode.OUT_OF_RANGE, f"{_camel(key)} must be between {low} and {high}.", field=_camel(key))
    for key, value in changes.items():
        await ProgrammeSetting.update_or_create(defaults={"value": value}, key=PREFIX + key)
    await cache.delete(CACHE_KEY)
    return await current()
