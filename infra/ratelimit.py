"""Per-caller limits counting GraphQL operations.

`RateLimiter` is a token bucket per process (the embedded default). `SharedRateLimiter` keeps the
same bucket for every worker and host when Redis is configured: a GCRA (a token bucket kept as
one timestamp per caller) in one Redis script, on Redis's clock, so hosts' clocks need not agree.
If Redis cannot be reached the process falls back to its own bucket rather than refuse everyone.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict

from infra import cache

MAX_TRACKED_CALLERS = 100_000
log = logging.getLogger("orchard.ratelimit")


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

    async def take(self, caller: str, cost: float = 1.0) -> bool:
        return self.allow(caller, cost)


class SharedRateLimiter:
    def __init__(self, rate_per_second: float, burst: float) -> None:
        self.rate = rate_per_second
        self.burst = burst
        self._fallback = RateLimiter(rate_per_second, burst)

    async def take(self, caller: str, cost: float = 1.0) -> bool:
        try:
            return await cache.gcra_take(f"rate:{caller}", self.rate, self.burst, cost)
        except (OSError, ConnectionError, TimeoutError) as exc:
            log.warning("rate limit store unreachable, limiting in process: %s", exc)
            return self._fallback.allow(caller, cost)


def rate_limiter(redis_url: str | None, rate_per_second: float, burst: float) -> RateLimiter | SharedRateLimiter:
    """Shared across workers and hosts with Redis; per process on the embedded default."""
    return SharedRateLimiter(rate_per_second, burst) if redis_url else RateLimiter(rate_per_second, burst)
