"""Per-caller limits counting GraphQL operations.

`RateLimiter` is a token bucket per process (the embedded default). `SharedRateLimiter` keeps the
same bucket for every worker and host when Redis is configured: a GCRA (a token bucket kept as
one timestamp per caller) in one Redis script, on Redis's clock, so hosts' clocks need not agree.
If Redis cannot be reached the process falls back to its own bucket rather than refuse everyone
(each worker then allows up to the whole rate on its own), with a warning at most every
WARN_EVERY_SECONDS; infra.cache's breaker tries Redis again every few seconds, and the shared
bucket is used again as soon as it answers.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict

from infra import cache

MAX_TRACKED_CALLERS = 100_000
WARN_EVERY_SECONDS = 30.0
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
        self._warned_at = float("-inf")

    async def take(self, caller: str, cost: float = 1.0) -> bool:
        try:
            return await cache.gcra_take(f"rate:{caller}", self.rate, self.burst, cost)
        except (cache.Unavailable, *cache.UNREACHABLE) as exc:
            # redis-py's ConnectionError and TimeoutError are RedisErrors, not the builtins:
            # cache.gcra_take turns them (and any failure while its breaker is open) into Unavailable.
            now = time.monotonic()
            if now - self._warned_at >= WARN_EVERY_SECONDS:
                self._warned_at = now
                log.warning("rate limit store unreachable, limiting in process: %s", exc)
            return self._fallback.allow(caller, cost)


def rate_limiter(redis_url: str | None, rate_per_second: float, burst: float) -> RateLimiter | SharedRateLimiter:
    """Shared across workers and hosts with Redis; per process on the embedded default."""
    return SharedRateLimiter(rate_per_second, burst) if redis_url else RateLimiter(rate_per_second, burst)
