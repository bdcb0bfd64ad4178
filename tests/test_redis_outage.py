"""Redis down (or not answering) degrades the API, never takes it down.

Redis is a cache and the shared rate-limit store, never the truth: with nothing listening on its
port, operations answer 200 from the database, rate limits hold per process, and each request
stays quick (a circuit breaker skips Redis for a moment after a failure). Redis coming back is
picked up without a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from urllib.parse import urlparse

import pytest

from domain.ledger.check import check_ledger
from domain.mall.check import check_stock
from infra import cache
from infra.ratelimit import SharedRateLimiter
from tests.conftest import REDIS_URL, free_port, make_api
from tests.test_mall import Mall, new_key, units_left

TYPENAME = "{ __typename }"
EACH_REQUEST_UNDER_SECONDS = 2.0


@contextlib.asynccontextmanager
async def cache_on(redis_url: str):
    """infra.cache pointed at `redis_url` for the test, then back at the test run's own cache."""
    namespace = cache.backend().namespace
    await cache.close()
    cache.configure(redis_url, namespace=namespace)
    try:
        yield
    finally:
        await cache.close()
        cache.configure(REDIS_URL, namespace=namespace)


@pytest.fixture
async def dead_redis(settings):
    """Settings whose Redis URL is a port with nothing listening, and the cache built on it."""
    url = f"redis://127.0.0.1:{free_port()}/0"
    async with cache_on(url):
        yield settings.with_(redis_url=url)


class Timed:
    """Every request the API sends, timed: the slowest one is what a frontend waited for."""

    def __init__(self, api) -> None:
        self.durations: list[float] = []
        send = api.http.post

        async def timed_post(*args, **kwargs):
            started = time.perf_counter()
            try:
                return await send(*args, **kwargs)
            finally:
                self.durations.append(time.perf_counter() - started)

        api.http.post = timed_post

    def assert_quick(self) -> None:
        assert self.durations, "no request was sent"
        assert max(self.durations) < EACH_REQUEST_UNDER_SECONDS, sorted(self.durations)[-5:]


async def test_the_api_answers_from_the_database_while_redis_is_down(dead_redis, clock):
    api = make_api(dead_redis, clock)
    timed = Timed(api)
    try:
        response = await api.post(TYPENAME)
        assert response.status_code == 200, response.text
        assert response.json() == {"data": {"__typename": "Query"}}
        assert cache.status()["reachable"] is False

        mall = await Mall.open(api)  # a staff login (and a chain admin's) through staffLogin
        item = await mall.item(pointsPrice=100, stock=5)
        shopper = await mall.member(balance=1_000)

        listed = await mall.items(token=shopper.token)
        assert listed["totalCount"] == 1 and listed["edges"][0]["node"]["id"] == item["id"], listed

        key = new_key()
        redeemed = await mall.redeem(shopper, item, key=key)
        assert redeemed["errors"] == [], redeemed
        assert redeemed["member"]["pointsBalance"] == 900 and redeemed["replayed"] is False, redeemed
        again = await mall.redeem(shopper, item, key=key)  # a retry with its key replays, from the database
        assert again["errors"] == [] and again["replayed"] is True, again
        assert again["redemption"]["id"] == redeemed["redemption"]["id"]
        assert await units_left(item) == 4

        second = await mall.redeem(shopper, item)
        assert second["errors"] == [] and second["member"]["pointsBalance"] == 800, second
        assert (await mall.items(token=shopper.token))["edges"][0]["node"]["stockRemaining"] == 3
    finally:
        await api.http.aclose()
    api.check_executors_agreed()
    timed.assert_quick()
    assert await check_ledger() == [] and await check_stock() == []


async def test_rate_limits_hold_per_process_while_redis_is_down(dead_redis, api_factory):
    limited = api_factory(dead_redis.with_(rate_per_second=0.001, rate_burst=3))
    timed = Timed(limited)
    statuses = [(await limited.post(TYPENAME)).status_code for _ in range(5)]
    await limited.http.aclose()
    assert statuses == [200, 200, 200, 429, 429]  # the process's own bucket, not everyone let through
    timed.assert_quick()


async def test_cache_calls_fall_back_while_redis_is_down(dead_redis):
    loads = 0

    async def loader():
        nonlocal loads
        loads += 1
        await asyncio.sleep(0)
        return {"loaded": loads}

    assert await cache.get("anything", default="missing") == "missing"
    assert await cache.get_hint("flag", fresh_for=1.0) is None
    results = await asyncio.gather(*[cache.get_or_load("hot", loader, ttl=30) for _ in range(10)])
    assert results == [{"loaded": 1}] * 10 and loads == 1  # one load for the concurrent callers
    await cache.put("written", 1, ttl=30)  # skipped, not raised
    await cache.delete("written")

    # Claims and counts are kept in process, never skipped.
    assert await cache.add("claim", 1, ttl=30) is True
    assert await cache.add("claim", 1, ttl=30) is False
    assert [await cache.count_once(c, "counter", ttl=30) for c in ("a", "b", "a", "c")] == [1, 2, 0, 3]
    assert await cache.take_lease("lease", "first", ttl=30) is True
    assert await cache.take_lease("lease", "second", ttl=30) is False
    assert await cache.lease_holder("lease") == "first"
    await cache.end_lease("lease", "first")
    assert await cache.lease_holder("lease") is None

    with pytest.raises(cache.Unavailable):
        await cache.gcra_take("rate:x", 1.0, 1.0)
    assert await SharedRateLimiter(rate_per_second=0.001, burst=1).take("x") is True


@contextlib.asynccontextmanager
async def silent_server():
    """A port that accepts connections and never answers: a hung Redis, or a host dropping replies."""
    held: list[asyncio.StreamWriter] = []

    async def accept(_reader, writer):
        held.append(writer)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        for writer in held:
            writer.close()
        server.close()
        await server.wait_closed()


async def test_a_redis_that_never_answers_costs_each_request_little(settings, clock):
    async with silent_server() as port:
        url = f"redis://127.0.0.1:{port}/0"
        async with cache_on(url):
            api = make_api(settings.with_(redis_url=url), clock)
            timed = Timed(api)
            try:
                for _ in range(5):
                    response = await api.post(TYPENAME)
                    assert response.status_code == 200 and response.json() == {"data": {"__typename": "Query"}}
            finally:
                await api.http.aclose()
    timed.assert_quick()
    # The first paid the socket timeout; the breaker let the others skip Redis at once.
    assert sum(timed.durations[1:]) < cache.REDIS_SOCKET_TIMEOUT, timed.durations


@contextlib.asynccontextmanager
async def proxy_to(target_url: str, port: int):
    """Start forwarding `port` to the Redis at `target_url`: Redis is back on the port."""
    target = urlparse(target_url)

    async def pipe(reader, writer):
        with contextlib.suppress(OSError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.close()

    async def forward(client_reader, client_writer):
        upstream_reader, upstream_writer = await asyncio.open_connection(target.hostname, target.port or 6379)
        await asyncio.gather(pipe(client_reader, upstream_writer), pipe(upstream_reader, client_writer))

    server = await asyncio.start_server(forward, "127.0.0.1", port)
    try:
        yield
    finally:
        server.close()
        await cache.close()  # the pool's connections through the proxy
        await server.wait_closed()


@pytest.mark.skipif(not REDIS_URL, reason="needs a real Redis to come back (ORCHARD_TEST_REDIS_URL)")
async def test_redis_coming_back_is_picked_up_without_a_restart(settings, monkeypatch):
    port = free_port()
    url = f"redis://127.0.0.1:{port}/{urlparse(REDIS_URL).path.lstrip('/') or 0}"
    await cache.put("changed-while-down", "stale", ttl=30)  # on the real Redis, before the outage
    monkeypatch.setattr(cache, "BREAKER_SECONDS", 0.0)  # each call tries Redis again at once
    async with cache_on(url):
        await cache.delete("changed-while-down")  # missed: remembered
        assert cache.status()["reachable"] is False
        assert await cache.get("anything", default="missing") == "missing"  # tried again: still down

        async with proxy_to(REDIS_URL, port):
            assert await cache.gcra_take("rate:back", 1000.0, 5.0) is True  # the shared bucket again
            assert cache.status()["reachable"] is True
            await cache.put("kept", "value", ttl=30)
            assert await cache.get("kept") == "value"
            assert await cache.get("changed-while-down") is None  # dropped on the way back
