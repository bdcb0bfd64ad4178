"""Our cache module: read-through with a stampede lock, on memory or Redis (ORCHARD_TEST_REDIS_URL)."""

from __future__ import annotations

import asyncio

from aiocache.lock import RedLock

from infra import cache, db
from tests.concurrently import all_at_once


async def test_get_or_load_loads_a_hot_key_once_under_concurrency():
    calls = 0

    async def loader():
        nonlocal calls
        calls += 1
        rows = await db.fetch("SELECT 41 + 1 AS answer")
        return {"answer": rows[0]["answer"]}

    results = await all_at_once(*[cache.get_or_load("hot-key", loader, ttl=30) for _ in range(20)])
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


async def test_a_caller_arriving_before_the_holder_made_its_event_still_waits_for_the_holder():
    """aio-libs/aiocache#979: a holder's add has gone through, its waiters' event is not made yet."""
    backend = cache.backend()
    holder = cache.StampedeLock(backend, "early", lease=5)
    holder._value = "holder"
    await backend._add(holder.key, holder._value, ttl=5)  # the holder's add; it has not run on yet

    waiter = asyncio.create_task(cache.StampedeLock(backend, "early", lease=5).__aenter__())
    done, _ = await asyncio.wait({waiter}, timeout=0.5)
    assert not done  # it waits for the holder (RedLock's waiter found no event and went on at once)

    await holder._release()
    await asyncio.wait_for(waiter, timeout=2)  # woken by the release, well before the 5 s lease


async def test_backend_follows_configuration(settings):
    expected = "RedisCache" if settings.redis_url else "SimpleMemoryCache"
    assert cache.backend_name() == expected
