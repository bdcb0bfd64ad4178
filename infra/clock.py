"""Business time. Services take a Clock so a test can stand on any date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def local_now(self, time_zone: str) -> datetime:
        return self.now().astimezone(ZoneInfo(time_zone))


class FixedClock(Clock):
    """A clock that stands still until moved; for tests and replays."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._at = at.astimezone(UTC)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = at.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        self._at += delta


def utc(moment: datetime) -> datetime:
    """Stored times are UTC: SQLite compares them as text, so every offset must be the same."""
    if moment.tzinfo is None:
        raise ValueError("times need an offset")
    return moment.astimezone(UTC)


SYSTEM_CLOCK = Clock()
