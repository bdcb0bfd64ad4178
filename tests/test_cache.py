"""Our cache module: read-through with a stampede lock, on memory or Redis (ORCHARD_TEST_REDIS_URL)."""

from __future__ import annotations

import asyncio

from aiocache.lock import RedLock

from domain import cache, db


async def test_get_or_load_loads_a_hot_key_once_under_concurrency():
    calls = 0

    async def loader():
        nonlocal calls
        calls += 1
        rows = await db.fetch("SELECT 41 + 1 AS answer")
        return {"answer": rows[0]["answer"]}

    results = await asyncio.gather(*[cache.get_or_load("hot-key", loader, ttl=30) for _ in range(20)])
    assert results == [{"answer": 42}] * 20
    assert calls == 1


async def test_none_is_cached_and_delete_invalidates():
    calls = 0

    async def loader():
        nonlocal calls
        calls += 1
        return None

    assert await cache.get_or_load("missing", loader, ttl=30) is None
    assert await cache.get_or_load("missing", loader, ttl=30) is None
    assert calls == 1
    await cache.delete("missing")
    await cache.get_or_load("missing", loader, ttl=30)
    assert calls == 2


async def test_a_lock_whose_waiters_event_a_racing_holder_took_still_releases():
    """aio-libs/aiocache#979: a holder's late release can pop the event the next holder put in."""
    lock = cache.StampedeLock(cache.backend(), "raced", lease=5)
    async with lock:
        RedLock._EVENTS.pop(lock.key)  # what the previous holder's late release does
    assert await cache.backend().get("raced-lock") is None  # released all the same


async def test_backend_follows_configuration(settings):
    expected = "RedisCache" if settings.redis_url else "SimpleMemoryCache"
    assert cache.backend_name() == expected
