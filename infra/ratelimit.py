"""Per-caller token buckets counting GraphQL operations (per process)."""

from __future__ import annotations

import time
from collections import OrderedDict

MAX_TRACKED_CALLERS = 100_000


class RateLimiter:
    def __init__(self, rate_per_second: float, burst: float, now=time.monotonic) -> None:
        self.rate = rate_per_second
        self.burst = burst
        self._now = now
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def allow(self, caller: str, cost: float = 1.0) -> bool:
        now = self._now()
        tokens, last = self._buckets.pop(caller, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        allowed = tokens >= cost
        if allowed:
            tokens -= cost
        self._buckets[caller] = (tokens, now)
        if len(self._buckets) > MAX_TRACKED_CALLERS:
            self._buckets.popitem(last=False)
        return allowed
