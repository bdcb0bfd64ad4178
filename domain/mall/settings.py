"""The mall's operator-changeable numbers (programme_setting rows under "mall_")."""

from __future__ import annotations

from typing import Any

from domain.mall.cache_slots import bounded
from domain.programme.setting_groups import SettingGroup

DEFAULTS: dict[str, int] = {
    "redemption_valid_hours": 168,  # an uncollected redemption expires, points and stock go back
    "redeem_attempts_per_window": 60,  # per member and window, new idempotency keys only: stops floods, not people
    "redeem_window_seconds": 10,
    "new_item_days": 7,
}
GROUP = SettingGroup(
    prefix="mall_", cache_key="mall:settings", defaults=DEFAULTS,
    limits={
        "redemption_valid_hours": (1, 24 * 365),
        "redeem_attempts_per_window": (1, 10_000),
        "redeem_window_seconds": (1, 3_600),
        "new_item_days": (0, 90),
    },
)


async def current() -> dict[str, int]:
    """Read on every redemption, so cached, and within the mall's bound on concurrent cache reads."""
    async with bounded:
        return await GROUP.current()


async def update(changes: dict[str, int]) -> dict[str, Any]:
    return await GROUP.update(changes)
