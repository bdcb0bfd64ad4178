"""The coupon sweep: AVAILABLE coupons past their validity become EXPIRED (the `coupon-expiry` job).

A coupon reads as EXPIRED from the moment its validity ends (wallet.py, the Coupon type), so the
sweep only makes the stored status agree. Each batch is one statement that re-checks the status,
so a coupon used at a till in the meantime stays USED.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from infra import db
from infra.clock import Clock, utc

log = logging.getLogger("orchard.coupons")
BATCH = 1_000

_EXPIRE_BATCH = (
    "UPDATE coupon SET status = 'EXPIRED' WHERE status = 'AVAILABLE' AND valid_until <= $1 AND id IN"
    " (SELECT id FROM coupon WHERE status = 'AVAILABLE' AND valid_until <= $1 ORDER BY id LIMIT $2)"
)


async def expire_due(*, clock: Clock, batch_size: int = BATCH, progress: Callable[[int], None] | None = None) -> int:
    """Expire every AVAILABLE coupon whose validity ended; how many. `progress(expired_so_far)` after each batch."""
    now = utc(clock.now())
    expired = 0
    while True:
        done = await db.execute(_EXPIRE_BATCH, now, batch_size)
        expired += done
        if progress and done:
            progress(expired)
        if done < batch_size:
            break
    log.info("coupon expiry sweep done", extra={"expired": expired})
    return expired
