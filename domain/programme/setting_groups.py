"""A context's own operator-changeable numbers, stored as programme_setting rows under its key prefix.

They sit apart from domain.programme.service because its GraphQL type lists every key it knows;
the mall and the donations each keep a group of their own here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.errors import DomainError
from domain.programme.errors import ProgrammeErrorCode
from domain.programme.models import ProgrammeSetting
from infra import cache


def camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part.title() for part in rest)


@dataclass(frozen=True)
class SettingGroup:
    prefix: str  # the rows' key prefix, e.g. "mall_"
    cache_key: str
    defaults: dict[str, int]
    limits: dict[str, tuple[int, int]]  # inclusive bounds per key
    ttl: int = 60

    async def current(self) -> dict[str, int]:
        """Cached; an update through `update` is seen at once."""

        async def load() -> dict[str, int]:
            values = dict(self.defaults)
            for row in await ProgrammeSetting.filter(key__in=[self.prefix + key for key in self.defaults]):
                values[row.key.removeprefix(self.prefix)] = int(row.value)
            return values

        return dict(await cache.get_or_load(self.cache_key, load, ttl=self.ttl))

    async def update(self, changes: dict[str, int]) -> dict[str, Any]:
        """Every change checked against its bounds before any is written (OUT_OF_RANGE names the field)."""
        for key, value in changes.items():
            low, high = self.limits[key]
            if not low <= value <= high:
                raise DomainError(str(ProgrammeErrorCode.OUT_OF_RANGE), f"{camel(key)} must be between {low} and {high}.",
                                  field=camel(key))
        for key, value in changes.items():
            await ProgrammeSetting.update_or_create(defaults={"value": value}, key=self.prefix + key)
        await cache.delete(self.cache_key)
        return await self.current()
