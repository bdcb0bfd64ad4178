"""Orchard's cache: aiocache behind a small interface, Redis when configured, memory otherwise.

Only read-mostly data goes here (catalogue, tiers, rules, key lookups, sold-out flags).
Balances and stock are never cached as truth.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import urlparse

from aiocache import Cache
from aiocache.lock import RedLock
from aiocache.serializers import PickleSerializer
from redis.asyncio import BlockingConnectionPool

log = logging.getLogger("orchard.cache")
T = TypeVar("T")
NAMESPACE = "orchard"
_MISSING = object()

REDIS_POOL_SIZE = 64
REDIS_POOL_WAIT_SECONDS = 5
_cache: Any = None


def configure(redis_url: str | None, namespace: str = NAMESPACE) -> None:
    global _cache, _count_once_script, _gcra_script
    _count_once_script = _gcra_script = None
    if redis_url:
        url = urlparse(redis_url)
        # A blocking pool: in a rush, callers wait for a free connection instead of failing.
        _cache = Cache(
            Cache.REDIS, endpoint=url.hostname or "127.0.0.1", port=url.port or 6379,
            db=int((url.path or "/0").lstrip("/") or 0), password=url.password,
            namespace=namespace, serializer=PickleSerializer(), pool_max_size=REDIS_POOL_SIZE,
            connection_pool_class=BlockingConnectionPool, connection_pool_kwargs={"timeout": REDIS_POOL_WAIT_SECONDS},
        )
    else:
        _cache = Cache(Cache.MEMORY, namespace=namespace, serializer=PickleSerializer())


def backend() -> Any:
    if _cache is None:
        configure(None)
    return _cache


def backend_name() -> str:
    return type(backend()).__name__


async def get(key: str) -> Any:
    return await backend().get(key)


async def put(key: str, value: Any, ttl: float | None = None) -> None:
    _near.pop(key, None)
    await backend().set(key, value, ttl=ttl)


async def get_hint(key: str, fresh_for: float) -> Any:
    """`get` for a value that only steers work, never decides it (a sold-out flag).

    A value this process read less than `fresh_for` seconds ago is reused without asking Redis;
    `put` and `delete` in this process forget it at once, other processes see it late by up to
    `fresh_for` seconds.
    """
    near = _near_get(key)
    if near is not _MISSING:
        return near
    value = await backend().get(key)
    _near_put(key, value, ttl=fresh_for)
    return value


async def add(key: str, value: Any, ttl: float) -> bool:
    """Store only when the key is absent; False when it was there already (an atomic claim)."""
    try:
        await backend().add(key, value, ttl=ttl)
    except ValueError:
        return False
    return True


_COUNT_ONCE = """
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  local count = redis.call('INCR', KEYS[2])
  if count == 1 then redis.call('EXPIRE', KEYS[2], ARGV[1]) end
  return count
end
return 0
"""
_count_once_script: Any = None


async def count_once(claim: str, counter: str, ttl: int) -> int:
    """Count `claim` on `counter` only the first time it is seen: the counter's new value, else 0.

    Both keys live `ttl` seconds from their first count. On Redis this is one round trip (a
    script run atomically), not a claim, an increment and an expiry.
    """
    global _count_once_script
    cache = backend()
    client = getattr(cache, "client", None)
    if client is None:
        if not await add(claim, 1, ttl=ttl):
            return 0
        return await increment(counter, ttl=ttl)
    if _count_once_script is None:
        _count_once_script = client.register_script(_COUNT_ONCE)
    keys = [cache.build_key(claim), cache.build_key(counter)]
    return int(await _count_once_script(keys=keys, args=[max(1, int(ttl))], client=client))


_GCRA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local cost = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + interval * cost
if new_tat - now > interval * tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], new_tat, 'PX', math.ceil((new_tat - now) / 1000) + 1)
return 1
"""
_gcra_script: Any = None


async def gcra_take(key: str, rate_per_second: float, burst: float, cost: float = 1.0) -> bool:
    """Take `cost` from `key`'s bucket (`burst` deep, refilled at `rate_per_second`), on Redis
    atomically and on its clock: one round trip. Only for a Redis backend."""
    global _gcra_script
    cache = backend()
    client = cache.client
    if _gcra_script is None:
        _gcra_script = client.register_script(_GCRA)
    interval_us = 1_000_000 / rate_per_second
    taken = await _gcra_script(keys=[cache.build_key(key)], args=[interval_us, burst, cost], client=client)
    return bool(int(taken))


async def take_lease(key: str, token: str, ttl: float) -> bool:
    """Hold `key` for `ttl` seconds under `token`, unless another holds it: an exclusive lease."""
    cache = backend()
    try:
        await cache._add(cache.build_key(key), token, ttl=float(ttl))
    except ValueError:
        return False
    return True


async def lease_holder(key: str) -> str | None:
    """The token of whoever holds `key`'s lease now, or None."""
    cache = backend()
    return await cache._get(cache.build_key(key))


async def end_lease(key: str, token: str) -> None:
    """Give `key`'s lease back, if `token` still holds it (an expired lease may be another's)."""
    cache = backend()
    await cache._redlock_release(cache.build_key(key), token)


async def increment(key: str, ttl: float) -> int:
    """Count up by one; the counter lives `ttl` seconds from its first count."""
    cache = backend()
    count = await cache.increment(key)
    if count == 1:
        await cache.expire(key, ttl)
    return count


async def delete(key: str) -> None:
    _near.pop(key, None)
    await backend().delete(key)


# A short-lived copy in the process in front of Redis for read-mostly keys: a hot path reads
# tiers, rules and settings several times a request. Another worker sees an admin change at
# most NEAR_TTL seconds late; this process sees it at once (delete clears the copy).
NEAR_TTL = 2.0
_near: dict[str, tuple[float, Any]] = {}


def _near_get(key: str) -> Any:
    found = _near.get(key)
    if found is None or found[0] < time.monotonic():
        return _MISSING
    return found[1]


def _near_put(key: str, value: Any, ttl: float = NEAR_TTL) -> None:
    if len(_near) > 10_000:
        _near.clear()
    _near[key] = (time.monotonic() + ttl, value)


async def get_or_load(key: str, loader: Callable[[], Awaitable[T]], ttl: float, lease: float = 2.0) -> T:
    """Read-through with a stampede lock: one caller loads a missing hot key, the others wait for it.

    A loaded value of None is stored as a sentinel so misses stay cheap too.
    """
    near = _near_get(key)
    if near is not _MISSING:
        return near
    value = await _get_or_load(key, loader, ttl, lease)
    _near_put(key, value)
    return value


class StampedeLock(RedLock):
    """aiocache's RedLock with its two races on the waiters' event closed (aio-libs/aiocache#979).

    RedLock keeps one event per key for the callers waiting on a lock; 0.12.3, the last
    release, has both races:
    - the holder makes the event only after its add returns. A caller whose add fails in
      between found no event, went on at once and loaded the value a second time;
    - a holder's release deletes the lock, then pops the event. A new holder could take the
      lock and put its own event there between the two; the old holder then popped it, and
      the new holder's release raised KeyError. CI saw this as an INTERNAL_SERVER_ERROR with
      100 concurrent redemptions on Redis.
    Here the first of holder and waiter makes the event, a waiter that made it checks that
    the lock is still held, and a release sets whatever event it finds.
    """

    async def _acquire(self) -> None:
        self._value = str(uuid.uuid4())
        try:
            await self.client._add(self.key, self._value, ttl=self.lease)
        except ValueError:
            await self._wait_for_release()
        else:
            RedLock._EVENTS.setdefault(self.key, asyncio.Event())

    async def _wait_for_release(self) -> None:
        event = RedLock._EVENTS.get(self.key)
        if event is None:
            event = RedLock._EVENTS.setdefault(self.key, asyncio.Event())
            if not await self.client._exists(self.key):  # released before we made the event
                return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), self.lease)

    async def _release(self) -> None:
        if await self.client._redlock_release(self.key, self._value):
            event = RedLock._EVENTS.pop(self.key, None)
            if event is not None:
                event.set()


async def _get_or_load(key: str, loader: Callable[[], Awaitable[T]], ttl: float, lease: float) -> T:
    cache = backend()
    value = await cache.get(key, default=_MISSING)
    if value is not _MISSING:
        return None if value == ("__none__",) else value  # type: ignore[return-value]
    async with StampedeLock(cache, key, lease=lease):
        value = await cache.get(key, default=_MISSING)
        if value is not _MISSING:
            return None if value == ("__none__",) else value  # type: ignore[return-value]
        loaded = await loader()
        await cache.set(key, ("__none__",) if loaded is None else loaded, ttl=ttl)
        return loaded


async def clear() -> None:
    _near.clear()
    await backend().clear()


async def close() -> None:
    if _cache is not None:
        await _cache.close()
