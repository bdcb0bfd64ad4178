"""The write-off at the counter: staff or a device of the collecting store hand the item out, once.

The status moves from PENDING to FULFILLED by one conditional UPDATE, so of two clerks who
scan the same code at the same moment exactly one succeeds; the other is told when and where
it was collected. The redemption.fulfilled webhook event is written in that UPDATE's transaction.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from domain.access import CallerKind, Viewer
from domain.errors import AccessDenied
from domain.mall import contention, eligibility, events, history
from domain.mall.errors import MallError, MallErrorCode
from domain.mall.models import MallItem, Redemption
from domain.stores.models import DEFAULT_TIME_ZONE, Partner, Store
from domain.webhooks import outbox
from domain.webhooks.events import EventType
from infra.clock import Clock, utc


def require_counter(viewer: Viewer, store_id: int) -> None:
    """Staff of the store, a chain admin, or a device of the store allowed to handle redemptions."""
    if viewer.kind is CallerKind.DEVICE:
        if viewer.has_scope("redemptions:write") and viewer.store_id == store_id:
            return
    elif viewer.is_chain_admin or (viewer.is_staff and viewer.store_id == store_id):
        return
    raise AccessDenied("Only staff or devices of the store hand redemptions out.", unauthenticated=viewer.is_anonymous)


async def fulfil(viewer: Viewer, code: str, store_id: int, *, clock: Clock) -> Redemption:
    require_counter(viewer, store_id)
    store = await Store.get_or_none(id=store_id)
    if store is None:
        raise MallError(MallErrorCode.STORE_NOT_FOUND, "No such store.", field="storeId")
    # Through the viewer's visibility rule: another store's code answers like an unknown one,
    # so the counter is no oracle of which codes exist elsewhere (a chain admin sees them all).
    redemption = await history.by_code(viewer, code)
    if redemption is None:
        raise MallError(MallErrorCode.REDEMPTION_NOT_FOUND, "No redemption has that code.", field="code")
    now = utc(clock.now())
    if redemption.status != "PENDING" or redemption.expires_at <= now:
        raise await closed(redemption, now)
    await _check_store(redemption, store)
    async with contention.translated(), in_transaction() as conn:
        changed = {"status": "FULFILLED", "fulfilled_at": now, "fulfilled_store_id": store.id, "fulfilled_by": viewer.idempotency_scope}
        done = await Redemption.filter(id=redemption.id, status="PENDING", expires_at__gt=now).using_db(conn).update(**changed)
        if done:
            await outbox.emit(conn, EventType.REDEMPTION_FULFILLED, events.redemption_data(redemption, **changed),
                              partner_id=redemption.partner_id, clock=clock)  # type: ignore[attr-defined]
    current = await Redemption.get(id=redemption.id)
    if not done:
        raise await closed(current, now)
    return current


async def _check_store(redemption: Redemption, store: Store) -> None:
    if redemption.store_id is not None:  # type: ignore[attr-defined]
        if redemption.store_id != store.id:  # type: ignore[attr-defined]
            collect = await Store.get(id=redemption.store_id)  # type: ignore[attr-defined]
            raise MallError(MallErrorCode.WRONG_STORE, f"This redemption is collected at {collect.name}.", field="storeId")
        return
    item = await MallItem.get(id=redemption.item_id)  # type: ignore[attr-defined]
    if not eligibility.collectable_at(item, store.id):
        raise MallError(MallErrorCode.WRONG_STORE, "This item cannot be collected at this store.", field="storeId")


def _local(at: datetime, store: Store) -> str:
    return at.astimezone(ZoneInfo(store.time_zone)).strftime("%Y-%m-%d %H:%M")


async def closed(redemption: Redemption, now: datetime) -> MallError:
    """Why a redemption can no longer be handed out (or cancelled), with the redemption itself."""
    if redemption.status == "FULFILLED" and redemption.fulfilled_store_id is None:  # type: ignore[attr-defined]
        shop = await Partner.get(id=redemption.fulfilled_partner_id)  # type: ignore[attr-defined]
        at = redemption.fulfilled_at.astimezone(ZoneInfo(DEFAULT_TIME_ZONE)).strftime("%Y-%m-%d %H:%M")  # type: ignore[union-attr]
        return MallError(MallErrorCode.ALREADY_FULFILLED, f"Already collected at {shop.name}'s shop on {at}.",
                         field="code", redemption=redemption)
    if redemption.status == "FULFILLED":
        where = await Store.get(id=redemption.fulfilled_store_id)  # type: ignore[attr-defined]
        return MallError(
            MallErrorCode.ALREADY_FULFILLED,
            f"Already collected at {where.name} ({where.code}) on {_local(redemption.fulfilled_at, where)}.",  # type: ignore[arg-type]
            field="code", redemption=redemption,
        )
    if redemption.status == "CANCELLED":
        return MallError(MallErrorCode.ALREADY_CANCELLED, "This redemption was cancelled.", field="code", redemption=redemption)
    return MallError(
        MallErrorCode.REDEMPTION_EXPIRED, "This redemption was not collected in time and has expired.",
        field="code", redemption=redemption,
    )
