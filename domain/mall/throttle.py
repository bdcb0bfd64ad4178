"""Per-member limits on redemption attempts, counted in the cache (shared through Redis in production).

A fixed window on the injectable clock: at most `limit` new attempts per member per window. A
retry with an idempotency key already counted in the window is free, so honest retries of one
request never lock a member out, while a client sending new keys in a loop is stopped.
"""

from __future__ import annotations

import hashlib

from domain.mall.cache_slots import bounded
from domain.mall.errors import MallError, MallErrorCode
from infra import cache
from infra.clock import Clock


async def count_attempt(member_id: int, idempotency_key: str, *, limit: int, window_seconds: int, clock: Clock) -> None:
    window = int(clock.now().timestamp()) // window_seconds
    prefix = f"mall:attempts:{member_id}:{window}"
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]
    async with bounded:
        attempts = await cache.count_once(f"{prefix}:{digest}", prefix, ttl=window_seconds * 2)
    if attempts > limit:  # 0: this key was counted already in this window
        raise MallError(
            MallErrorCode.RATE_LIMITED, f"Too many redemption attempts: wait {window_seconds} seconds and try again."
        )
