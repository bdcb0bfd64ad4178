"""The donations' operator-changeable numbers (programme_setting rows under "donations_")."""

from __future__ import annotations

from domain.programme.setting_groups import SettingGroup

DEFAULTS: dict[str, int] = {
    "points_per_yuan": 100,  # the chain's conversion rate: 100 points = 1 yuan for the charity
    "recent_donors": 10,  # how many recent donors a project shows at most
}
GROUP = SettingGroup(
    prefix="donations_", cache_key="donations:settings", defaults=DEFAULTS,
    limits={"points_per_yuan": (1, 100_000), "recent_donors": (0, 100)},
)
current = GROUP.current
update = GROUP.update
