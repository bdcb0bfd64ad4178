"""Which day it is for the mall: the store's time zone, or the chain's when no store is named."""

from __future__ import annotations

from datetime import date

from domain.mall.cache_slots import bounded
from domain.stores.models import DEFAULT_TIME_ZONE, Chain, Store
from infra import cache
from infra.clock import Clock

CHAIN_ZONE_KEY = "mall:chain-time-zone"
CHAIN_ZONE_TTL = 300


async def chain_time_zone() -> str:
    async def load() -> str:
        chain = await Chain.first()
        return chain.time_zone if chain else DEFAULT_TIME_ZONE

    async with bounded:
        return await cache.get_or_load(CHAIN_ZONE_KEY, load, ttl=CHAIN_ZONE_TTL)


async def time_zone(store: Store | None) -> str:
    return store.time_zone if store is not None else await chain_time_zone()


def today(clock: Clock, zone: str) -> date:
    return clock.local_now(zone).date()
