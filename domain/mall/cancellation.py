"""Undoing a redemption before it is collected: cancelled by the member or staff, or expired by the sweep.

Points come back through ledger.reverse (new lots that keep the expiry of the lots spent),
stock returns to a bucket and the units return to the member's limit period, all in one
transaction that first moves the status from PENDING by a conditional UPDATE, so a
redemption is undone once and never after it was handed out. Lock order as in redeeming:
the redemption row, the quota row, the member's points, the stock bucket last. The
redemption.cancelled webhook event (status CANCELLED or EXPIRED) is written in the same transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from tortoise.transactions import in_transaction

from domain.access import CallerKind, Viewer
from domain.errors import AccessDenied
from domain.idempotency import run_once
from domain.ledger import service as ledger
from domain.ledger.models import JournalKind, PointsJournal
from domain.mall import contention, events, limits, stock
from domain.mall.errors import MallError, MallErrorCode
from domain.mall.models import MallItem, Redemption
from domain.mall.redemptions import reference
from domain.mall.writeoff import closed
from domain.webhooks import outbox
from domain.webhooks.events import EventType
from infra.clock import Clock, utc
from infra.contention import is_contention

log = logging.getLogger("orchard.mall")
SWEEP_ACTOR = "system:mall-expiry"
EXPIRED_REASON = "Not collected in time"


def _may_cancel(viewer: Viewer, redemption: Redemption) -> bool:
    if viewer.kind is CallerKind.MEMBER:
        return redemption.member_id == viewer.subject_id  # type: ignore[attr-defined]
    if viewer.is_chain_admin:
        return True
    if viewer.kind is CallerKind.DEVICE and not viewer.has_scope("redemptions:write"):
        return False
    return viewer.is_store_bound and redemption.store_id == viewer.store_id  # type: ignore[attr-defined]


async def cancel(viewer: Viewer, redemption_id: int, reason: str, *, idempotency_key: str, clock: Clock) -> Redemption:
    if viewer.is_anonymous or viewer.kind is CallerKind.PARTNER:
        raise AccessDenied("Sign in to cancel a redemption.", unauthenticated=viewer.is_anonymous)
    if not reason.strip():
        raise MallError(MallErrorCode.REASON_REQUIRED, "Say why the redemption is cancelled.", field="reason")

    async def action(conn) -> dict:
        redemption = await Redemption.get_or_none(id=redemption_id).using_db(conn)
        if redemption is None or not _may_cancel(viewer, redemption):
            raise MallError(MallErrorCode.REDEMPTION_NOT_FOUND, "No such redemption.", field="redemptionId")
        await close(conn, redemption, "CANCELLED", reason.strip()[:255], viewer.idempotency_scope, clock)
        return {"redemptionId": redemption.id, "itemId": redemption.item_id}  # type: ignore[attr-defined]

    async with contention.translated():
        outcome = await run_once(
            scope=viewer.idempotency_scope, key=idempotency_key, operation="cancelRedemption",
            request={"redemptionId": redemption_id, "reason": reason.strip()}, action=action, clock=clock,
        )
    await stock.forget_sold_out(outcome.result["itemId"])
    return await Redemption.get(id=redemption_id)


async def close(conn, redemption: Redemption, status: str, reason: str, actor: str, clock: Clock) -> None:
    """PENDING to CANCELLED or EXPIRED, and everything the redemption took goes back."""
    now = utc(clock.now())
    changed = {"status": status, "cancelled_at": now, "cancelled_by": actor, "cancel_reason": reason}
    moved = await Redemption.filter(id=redemption.id, status="PENDING").using_db(conn).update(**changed)
    if not moved:
        raise await closed(await Redemption.get(id=redemption.id).using_db(conn), now)
    await outbox.emit(conn, EventType.REDEMPTION_CANCELLED, events.redemption_data(redemption, **changed),
                      partner_id=redemption.partner_id, clock=clock)  # type: ignore[attr-defined]
    item_id: int = redemption.item_id  # type: ignore[attr-defined]
    member_id: int = redemption.member_id  # type: ignore[attr-defined]
    if redemption.period_key is not None:
        await limits.give_back(conn, item_id=item_id, member_id=member_id, period=redemption.period_key,
                               quantity=redemption.quantity)
    if redemption.points_spent:
        journal = await PointsJournal.get(reference=reference(redemption.id), kind=JournalKind.REDEMPTION).using_db(conn)
        await ledger.reverse(
            journal.id, kind=JournalKind.REVERSAL, reason=f"Redemption cancelled: {reason}"[:255], actor=actor,
            store_id=redemption.store_id,  # type: ignore[attr-defined]
            reference=reference(redemption.id), clock=clock, connection=conn,
        )
    item = await MallItem.get(id=item_id).using_db(conn)
    if item.stock_limited:
        await stock.give_back(conn, item_id, redemption.quantity, item.stock_buckets)


async def expire_overdue(*, clock: Clock, batch_size: int = 200, progress: Callable[[int], None] | None = None) -> int:
    """Expire every PENDING redemption past its expiry, each in its own transaction. Returns how many.

    One that is collected or cancelled meanwhile, or whose rows are busy, is left for the next sweep.
    `progress(expired_so_far)` is called after each batch.
    """
    now = utc(clock.now())
    expired = 0
    after_id = 0
    while ids := await Redemption.filter(status="PENDING", expires_at__lte=now, id__gt=after_id).order_by("id").limit(
        batch_size
    ).values_list("id", flat=True):
        for redemption_id in ids:
            try:
                async with in_transaction() as conn:
                    redemption = await Redemption.get(id=redemption_id).using_db(conn)
                    await close(conn, redemption, "EXPIRED", EXPIRED_REASON, SWEEP_ACTOR, clock)
            except MallError:
                continue
            except Exception as exc:
                if not is_contention(exc):
                    raise
                continue
            expired += 1
            await stock.forget_sold_out(redemption.item_id)  # type: ignore[attr-defined]
        after_id = ids[-1]
        if progress:
            progress(expired)
    log.info("mall expiry sweep done", extra={"expired": expired})
    return expired
