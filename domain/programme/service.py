"""Programme settings with their defaults; an operator changes them through the admin API."""

from __future__ import annotations

from typing import Any

from domain.errors import DomainError
from domain.programme.models import ProgrammeSetting

DEFAULTS: dict[str, int] = {
    "tier_window_months": 12,
    "login_code_ttl_minutes": 5,
    "login_code_max_attempts": 5,
    "login_codes_per_phone_per_hour": 5,
    "login_code_min_interval_seconds": 60,
    "login_codes_per_client_per_hour": 30,
}
LIMITS: dict[str, tuple[int, int]] = {
    "tier_window_months": (1, 60),
    "login_code_ttl_minutes": (1, 60),
    "login_code_max_attempts": (1, 20),
    "login_codes_per_phone_per_hour": (1, 100),
    "login_code_min_interval_seconds": (0, 3600),
    "login_codes_per_client_per_hour": (1, 10_000),
}


class SettingError(DomainError):
    pass


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part.title() for part in rest)


async def current() -> dict[str, Any]:
    values = dict(DEFAULTS)
    for row in await ProgrammeSetting.all():
        if row.key in values:
            values[row.key] = row.value
    return values


async def get(key: str) -> Any:
    row = await ProgrammeSetting.get_or_none(key=key)
    return row.value if row else DEFAULTS[key]


async def update(changes: dict[str, int]) -> dict[str, Any]:
    for key, value in changes.items():
        low, high = LIMITS[key]
        if not low <= value <= high:
            raise SettingError("OUT_OF_RANGE", f"{key} must be between {low} and {high}.", field=_camel(key))
    for key, value in changes.items():
        await ProgrammeSetting.update_or_create(defaults={"value": value}, key=key)
    return await current()
