"""A bulkhead in front of the shared cache on the mall's hot path.

With Redis, infra.cache fails at once when every pooled connection is busy (redis-py raises
MaxConnectionsError rather than waiting), which a rush of a thousand concurrent redemptions
in one process reaches. Mall code that touches the cache waits for one of a bounded number
of slots instead, well under the pool size, so the rush queues for a moment and never errors.
"""

from __future__ import annotations

import asyncio

MAX_CONCURRENT = 32

bounded = asyncio.Semaphore(MAX_CONCURRENT)
