"""bundle.stock_low: a worker job tells a partner when a bundle runs low, off the redemption path.

Low is at most a tenth of the units ever received (at least 1 unit). One event per stock level:
the alert row remembers the stock_received it was sent at, and a restock arms it again.
"""

from __future__ import annotations

from tortoise.transactions import in_transaction

from domain.mall import stock
from domain.mall.models import MallItem
from domain.partners.models import BundleStockAlert
from domain.webhooks import outbox
from domain.webhooks.events import EventType, api_id
from infra.clock import Clock, utc


def is_low(remaining: int, received: int) -> bool:
    return remaining <= max(1, received // 10)


async def send_alerts(clock: Clock) -> int:
    """Emit bundle.stock_low for every bundle that went low since its last alert; returns how many."""
    bundles = list(await MallItem.filter(partner_id__isnull=False, stock_limited=True, retired_at__isnull=True))
    if not bundles:
        return 0
    left = await stock.remaining([b.id for b in bundles])
    sent_at = dict(await BundleStockAlert.filter(item_id__in=[b.id for b in bundles]).values_list("item_id", "stock_received"))
    sent = 0
    for bundle in bundles:
        remaining = left.get(bundle.id, 0)
        if not is_low(remaining, bundle.stock_received) or sent_at.get(bundle.id) == bundle.stock_received:
            continue
        async with in_transaction() as conn:
            now = utc(clock.now())
            claimed = await BundleStockAlert.filter(item_id=bundle.id).using_db(conn).update(
                stock_received=bundle.stock_received, sent_at=now)
            if not claimed:
                await BundleStockAlert.create(item_id=bundle.id, stock_received=bundle.stock_received, sent_at=now,
                                              using_db=conn)
            await outbox.emit(conn, EventType.BUNDLE_STOCK_LOW, {"bundle": {
                "id": api_id("MallItem", bundle.id), "name": bundle.name,
                "partnerId": api_id("Partner", bundle.partner_id),  # type: ignore[attr-defined]
                "stockRemaining": remaining, "stockReceived": bundle.stock_received,
            }}, partner_id=bundle.partner_id, clock=clock)  # type: ignore[attr-defined]
        sent += 1
    return sent
