"""Rate limits on Redis are one bucket for every worker and host, not one per process."""

from __future__ import annotations

import pytest

from infra.ratelimit import RateLimiter, SharedRateLimiter, rate_limiter
from tests.concurrently import all_at_once
from tests.conftest import REDIS_URL

pytestmark = pytest.mark.skipif(not REDIS_URL, reason="shares buckets through Redis (ORCHARD_TEST_REDIS_URL)")


async def test_two_workers_share_one_bucket():
    worker_a, worker_b = SharedRateLimiter(rate_per_second=0.001, burst=5), SharedRateLimiter(rate_per_second=0.001, burst=5)
    taken = await all_at_once(*[(worker_a if i % 2 else worker_b).take("member:7") for i in range(12)])
    assert taken.count(True) == 5  # five for both workers together, not five each
    assert await worker_a.take("member:8")  # another caller has its own bucket


async def test_a_bucket_refills_at_its_rate():
    limiter = SharedRateLimiter(rate_per_second=1000, burst=1)
    assert await limiter.take("refill")
    assert not await limiter.take("refill", cost=5)  # more than the burst is never granted


def test_the_embedded_default_limits_in_process():
    assert isinstance(rate_limiter(None, 10, 10), RateLimiter)
    assert isinstance(rate_limiter(REDIS_URL, 10, 10), SharedRateLimiter)
