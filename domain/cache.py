"""Orchard's cache: aiocache behind a small interface, Redis when configured, memory otherwise.

Only read-mostly data goes here (catalogue, tiers, rules, key lookups, sold-out flags).
Balances and stock are never cached as truth.
"""

from __future__ import annotations

import logging
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
    global _cache
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
    await backend().set(key, value, ttl=ttl)


async def delete(key: str) -> None:
    await backend().delete(key)


async def get_or_load(key: str, loader: Callable[[], Awaitable[T]], ttl: float, lease: float = 2.0) -> T:
    """Read-through with a stampede lock: one caller loads a missing hot key, the others wait for it.

    A loaded value of None is stored as a sentinel so misses stay cheap too.
    """
    cache = backend()
    value = await cache.get(key, default=_MISSING)
    if value is not _MISSING:
        return None if value == ("__none__",) else value  # type: ignore[return-value]
    async with RedLock(cache, key, lease=lease):
        value = await cache.get(key, default=_MISSING)
        if value is not _MISSING:
            return None if value == ("__none__",) else value  # type: ignore[return-value]
        loaded = await loader()
        await cache.set(key, ("__none__",) if loaded is None else loaded, ttl=ttl)
        return loaded


async def clear() -> None:
    await backend().clear()


async def close() -> None:
    if _cache is not None:
        await _cache.close()
