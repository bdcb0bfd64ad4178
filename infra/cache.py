"""Orchard's cache: aiocache behind a small interface, Redis when configured, memory otherwise.

Only read-mostly data goes here (catalogue, tiers, rules, key lookups, sold-out flags).
Balances and stock are never cached as truth.

Redis down degrades, it never takes the API down. Every call on Redis goes through `_attempt`:
a failure to reach it (any redis-py error, a socket error or a timeout) opens a short circuit
breaker, so for BREAKER_SECONDS the calls skip Redis at once rather than each paying a connect
timeout, and the first call after that tries again: Redis coming back is picked up without a
restart. While Redis is out of reach (a warning at most every WARN_EVERY_SECONDS):
- reads are misses: `get` answers its default, `get_hint` None, `get_or_load` calls its loader
  (the database), one load per key at a time in this process;
- `put` and `delete` are skipped, and the key is remembered: when Redis answers again this
  process drops those keys there before anything else, so a value written before the outage
  is not read once it is back although this process changed it meanwhile (another process's
  missed writes are its own to drop: until then a worker may read such a value for the rest of
  its TTL, as after any missed invalidation);
- the claims and counts that steer rules (`add`, `increment`, `count_once`, the leases) are kept
  in this process instead (see each), never skipped: a per-process claim or count still holds
  within the worker, where skipping would let everything through;
- `gcra_take` raises Unavailable: infra.ratelimit then limits in process.
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
from redis.exceptions import RedisError

log = logging.getLogger("orchard.cache")
T = TypeVar("T")
NAMESPACE = "orchard"
_MISSING = object()

REDIS_POOL_SIZE = 64
REDIS_POOL_WAIT_SECONDS = 5
# A Redis that is down (or a host that drops packets) costs a request at most this long, and
# only the first request after the breaker closes again (redis-py's defaults are 5 s each).
REDIS_CONNECT_TIMEOUT = 0.5
REDIS_SOCKET_TIMEOUT = 1.0
BREAKER_SECONDS = 1.5  # after a failure, Redis is skipped this long before it is tried again
WARN_EVERY_SECONDS = 10.0
MAX_REMEMBERED_KEYS = 10_000  # missed writes remembered one by one; past that, the namespace is cleared
_cache: Any = None
_local: Any = None  # in this process: the claims, counts and leases while Redis is out of reach

# What says Redis could not be reached or did not answer. redis-py raises its own ConnectionError
# and TimeoutError (RedisError subclasses, not the builtins); aiocache's per-call timeout raises
# TimeoutError; an error answer (OOM, READONLY after a failover, a script error) is a RedisError too.
UNREACHABLE = (RedisError, OSError, TimeoutError)


class Unavailable(Exception):
    """Redis is out of reach (or skipped for a moment after a failure): callers fall back."""


class _Breaker:
    def __init__(self) -> None:
        self.skip_until = 0.0  # Redis is skipped until this monotonic time
        self.down_since: float | None = None
        self.last_warning = float("-inf")
        self.stale: set[str] = set()  # keys a put or delete missed: dropped from Redis when it is back
        self.stale_all = False  # too many to remember: the namespace is cleared instead
        self.stale_leases: set[tuple[str, str]] = set()  # leases whose release missed Redis


_breaker = _Breaker()


def configure(redis_url: str | None, namespace: str = NAMESPACE) -> None:
    global _cache, _local, _count_once_script, _gcra_script, _breaker
    _count_once_script = _gcra_script = None
    _breaker = _Breaker()
    _near.clear()
    _loads.clear()
    if redis_url:
        url = urlparse(redis_url)
        # A blocking pool: in a rush, callers wait for a free connection instead of failing.
        _cache = Cache(
            Cache.REDIS, endpoint=url.hostname or "127.0.0.1", port=url.port or 6379,
            db=int((url.path or "/0").lstrip("/") or 0), password=url.password,
            namespace=namespace, serializer=PickleSerializer(), pool_max_size=REDIS_POOL_SIZE,
            create_connection_timeout=REDIS_CONNECT_TIMEOUT,  # aiocache's name for socket_connect_timeout
            connection_pool_class=BlockingConnectionPool,
            connection_pool_kwargs={"timeout": REDIS_POOL_WAIT_SECONDS, "socket_timeout": REDIS_SOCKET_TIMEOUT},
        )
        _local = Cache(Cache.MEMORY, namespace=namespace, serializer=PickleSerializer())
    else:
        _cache = Cache(Cache.MEMORY, namespace=namespace, serializer=PickleSerializer())
        _local = None


def _is_redis() -> bool:
    return getattr(backend(), "client", None) is not None


def status() -> dict[str, Any]:
    """The backend and whether Redis answers now (for /readyz: informative, never a reason to be unready)."""
    down_since = _breaker.down_since
    return {
        "backend": backend_name(),
        "reachable": down_since is None,
        "downForSeconds": None if down_since is None else round(time.monotonic() - down_since, 1),
    }


def _warn(message: str, *args: Any) -> None:
    now = time.monotonic()
    if now - _breaker.last_warning >= WARN_EVERY_SECONDS:
        _breaker.last_warning = now
        log.warning(message, *args)


def _trip(exc: BaseException) -> None:
    now = time.monotonic()
    _breaker.skip_until = now + BREAKER_SECONDS
    if _breaker.down_since is None:
        _breaker.down_since = now
    _warn("cache unreachable (%s: %s): reads go to the database, writes are skipped, claims and counts are"
          " kept in process; trying Redis again every %.1f s", type(exc).__name__, str(exc)[:200], BREAKER_SECONDS)


def _answered() -> None:
    if _breaker.down_since is not None:
        log.warning("cache reachable again after %.1f s", time.monotonic() - _breaker.down_since)
        _breaker.down_since = None


async def _attempt(call: Callable[[], Awaitable[T]]) -> T:
    """`call()` on Redis, or Unavailable when Redis is out of reach or skipped after a failure."""
    if _breaker.skip_until > time.monotonic():
        raise Unavailable("cache skipped after a failure")
    try:
        if _breaker.stale or _breaker.stale_all or _breaker.stale_leases:
            await _drop_stale()
        result = await call()
    except UNREACHABLE as exc:
        _trip(exc)
        raise Unavailable(f"{type(exc).__name__}: {exc}") from exc
    _answered()
    return result


async def _drop_stale() -> None:
    """Redis answers again: first drop what this process changed while it could not reach it."""
    cache = backend()
    if _breaker.stale_all:
        await cache.clear()
        _breaker.stale_all = False
        _breaker.stale.clear()
    while _breaker.stale:
        key = next(iter(_breaker.stale))
        await cache.delete(key)
        _breaker.stale.discard(key)
    while _breaker.stale_leases:
        key, token = next(iter(_breaker.stale_leases))
        await cache._redlock_release(cache.build_key(key), token)
        _breaker.stale_leases.discard((key, token))


def _missed_write(key: str) -> None:
    if len(_breaker.stale) >= MAX_REMEMBERED_KEYS:
        _breaker.stale_all = True
        _breaker.stale.clear()
    elif not _breaker.stale_all:
        _breaker.stale.add(key)


def backend() -> Any:
    if _cache is None:
        configure(None)
    return _cache


def backend_name() -> str:
    return type(backend()).__name__


async def get(key: str, default: Any = None) -> Any:
    """The cached value, or `default`: also when Redis is out of reach (a miss)."""
    cache = backend()
    try:
        return await _attempt(lambda: cache.get(key, default=default))
    except Unavailable:
        return default


async def put(key: str, value: Any, ttl: float | None = None) -> None:
    """Store `key`; skipped when Redis is out of reach (and the key dropped there once it is back)."""
    _near.pop(key, None)
    cache = backend()
    try:
        await _attempt(lambda: cache.set(key, value, ttl=ttl))
    except Unavailable:
        _missed_write(key)


async def get_hint(key: str, fresh_for: float) -> Any:
    """`get` for a value that only steers work, never decides it (a sold-out flag).

    A value this process read less than `fresh_for` seconds ago is reused without asking Redis;
    `put` and `delete` in this process forget it at once, other processes see it late by up to
    `fresh_for` seconds.
    """
    near = _near_get(key)
    if near is not _MISSING:
        return near
    cache = backend()
    try:
        value = await _attempt(lambda: cache.get(key))
    except Unavailable:
        return None  # a hint only steers: without it the caller asks the database
    _near_put(key, value, ttl=fresh_for)
    return value


async def add(key: str, value: Any, ttl: float) -> bool:
    """Store only when the key is absent; False when it was there already (an atomic claim).

    While Redis is out of reach the claim is made in this process: it still holds against this
    worker's other requests, not another worker's (as with the in-memory backend). Answering
    True unclaimed would let every duplicate through; answering False would refuse everyone.
    """
    cache = backend()
    try:
        await _attempt(lambda: cache.add(key, value, ttl=ttl))
    except ValueError:
        return False
    except Unavailable:
        return await _add_on(_local, key, value, ttl)
    return True


async def _add_on(store: Any, key: str, value: Any, ttl: float) -> bool:
    try:
        await store.add(key, value, ttl=ttl)
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

    While Redis is out of reach the count is kept in this process. The counts steer an abuse
    limit (domain.mall.throttle), so the conservative answer is to keep counting rather than
    answer 0 ("already counted", which would let a client looping over new keys through): each
    worker then enforces the limit on its own share of the attempts, so a client spread over N
    workers gets at most N times the limit per window, and the attempts counted in process are
    not added to Redis's count when it is back. Refusing every attempt instead would stop all
    redemptions for as long as the cache is down.
    """
    global _count_once_script
    cache = backend()
    client = getattr(cache, "client", None)
    if client is None:
        return await _count_once_on(cache, claim, counter, ttl)
    if _count_once_script is None:
        _count_once_script = client.register_script(_COUNT_ONCE)
    keys = [cache.build_key(claim), cache.build_key(counter)]
    try:
        return int(await _attempt(lambda: _count_once_script(keys=keys, args=[max(1, int(ttl))], client=client)))
    except Unavailable:
        return await _count_once_on(_local, claim, counter, ttl)


async def _count_once_on(store: Any, claim: str, counter: str, ttl: int) -> int:
    """count_once on an in-process store (the memory backend, or the fallback while Redis is out)."""
    if not await _add_on(store, claim, 1, ttl):
        return 0
    return await _increment_on(store, counter, ttl)


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
    atomically and on its clock: one round trip. Only for a Redis backend.

    Raises Unavailable when Redis is out of reach: the caller limits in process instead."""
    global _gcra_script
    cache = backend()
    client = cache.client
    if _gcra_script is None:
        _gcra_script = client.register_script(_GCRA)
    interval_us = 1_000_000 / rate_per_second
    taken = await _attempt(
        lambda: _gcra_script(keys=[cache.build_key(key)], args=[interval_us, burst, cost], client=client)
    )
    return bool(int(taken))


# The idempotency leases (domain.idempotency.in_flight) only make twins' answers agree; effects
# are at most once without them. While Redis is out of reach a lease is taken in this process,
# which keeps twins sent to this worker agreeing (as with the in-memory backend).


async def take_lease(key: str, token: str, ttl: float) -> bool:
    """Hold `key` for `ttl` seconds under `token`, unless another holds it: an exclusive lease."""
    cache = backend()
    try:
        await _attempt(lambda: cache._add(cache.build_key(key), token, ttl=float(ttl)))
    except ValueError:
        return False
    except Unavailable:
        try:
            await _local._add(_local.build_key(key), token, ttl=float(ttl))
        except ValueError:
            return False
    return True


async def lease_holder(key: str) -> str | None:
    """The token of whoever holds `key`'s lease now, or None (None too for Redis's while it is out of reach)."""
    cache = backend()
    if _local is not None:
        held_here = await _local._get(_local.build_key(key))
        if held_here is not None:
            return held_here
    try:
        return await _attempt(lambda: cache._get(cache.build_key(key)))
    except Unavailable:
        return None


async def end_lease(key: str, token: str) -> None:
    """Give `key`'s lease back, if `token` still holds it (an expired lease may be another's).

    A release that misses Redis is sent again when it answers (else the lease would hold the
    key until its TTL ran out)."""
    cache = backend()
    if _local is not None and await _local._redlock_release(_local.build_key(key), token):
        return
    try:
        await _attempt(lambda: cache._redlock_release(cache.build_key(key), token))
    except Unavailable:
        _breaker.stale_leases.add((key, token))


async def increment(key: str, ttl: float) -> int:
    """Count up by one; the counter lives `ttl` seconds from its first count.

    While Redis is out of reach the count is kept in this process (see count_once)."""
    cache = backend()
    if not _is_redis():
        return await _increment_on(cache, key, ttl)
    try:
        return await _attempt(lambda: _increment_on(cache, key, ttl))
    except Unavailable:
        return await _increment_on(_local, key, ttl)


async def _increment_on(store: Any, key: str, ttl: float) -> int:
    count = await store.increment(key)
    if count == 1:
        await store.expire(key, ttl)
    return count


async def delete(key: str) -> None:
    """Forget `key`; while Redis is out of reach, remembered and dropped there once it is back."""
    _near.pop(key, None)
    cache = backend()
    try:
        await _attempt(lambda: cache.delete(key))
    except Unavailable:
        _missed_write(key)


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


def _cached(value: Any) -> Any:
    return None if value == ("__none__",) else value


async def _get_or_load(key: str, loader: Callable[[], Awaitable[T]], ttl: float, lease: float) -> T:
    """Redis out of reach at any step is a miss: the loader's value is answered (and not stored)."""
    cache = backend()
    try:
        value = await _attempt(lambda: cache.get(key, default=_MISSING))
    except Unavailable:
        return await _load_in_process(key, loader)
    if value is not _MISSING:
        return _cached(value)
    lock = StampedeLock(cache, key, lease=lease)
    try:
        await _attempt(lock.__aenter__)
    except Unavailable:
        return await _load_in_process(key, loader)
    try:
        try:
            value = await _attempt(lambda: cache.get(key, default=_MISSING))
        except Unavailable:
            value = _MISSING
        if value is not _MISSING:
            return _cached(value)
        loaded = await loader()
        with contextlib.suppress(Unavailable):
            await _attempt(lambda: cache.set(key, ("__none__",) if loaded is None else loaded, ttl=ttl))
        return loaded
    finally:
        try:
            await _attempt(lock._release)
        except Unavailable:  # the lock's lease ends on its own; wake this process's waiters now
            event = RedLock._EVENTS.pop(lock.key, None)
            if event is not None:
                event.set()


# While Redis is out of reach: one load per key at a time in this process, the others wait for it.
_loads: dict[str, asyncio.Future] = {}


async def _load_in_process(key: str, loader: Callable[[], Awaitable[T]]) -> T:
    running = _loads.get(key)
    if running is not None:
        try:
            return await asyncio.shield(running)
        except Exception:  # noqa: BLE001 - whatever the first load raised, this caller tries for itself
            return await loader()
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if running.cancelled() and not (task is not None and task.cancelling()):
                return await loader()  # the first caller was cancelled, not this one
            raise
    running = asyncio.get_running_loop().create_future()
    _loads[key] = running
    try:
        loaded = await loader()
    except BaseException as exc:
        if isinstance(exc, Exception):
            running.set_exception(exc)
            running.exception()  # retrieved: nobody may be waiting on it
        else:
            running.cancel()
        raise
    else:
        running.set_result(loaded)
        return loaded
    finally:
        if _loads.get(key) is running:
            del _loads[key]


async def clear() -> None:
    _near.clear()
    if _local is not None:
        await _local.clear()
    cache = backend()
    try:
        await _attempt(cache.clear)
    except Unavailable:
        _breaker.stale_all = True
        _breaker.stale.clear()


async def close() -> None:
    if _cache is not None:
        with contextlib.suppress(*UNREACHABLE):
            await _cache.close()
