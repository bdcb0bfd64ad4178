"""A store's total sales of a local day, members and others, as its POS closes the day
(docs/metrics.md: how non-member sales count). Setting a day again replaces it, so a retry is harmless."""

from __future__ import annotations

from datetime import date, timedelta

from tortoise.exceptions import IntegrityError

from domain import bounds
from domain.access import CallerKind, StaffRole, Viewer, require_authenticated
from domain.errors import AccessDenied, DomainError
from domain.metrics.models import StoreSalesDay
from domain.stores.models import Store
from infra.clock import Clock, utc


async def record(viewer: Viewer, store_id: int, local_date: date, total_fen: int, orders: int, *, clock: Clock) -> StoreSalesDay:
    require_authenticated(viewer)
    allowed = viewer.is_chain_admin or (
        viewer.store_id == store_id
        and ((viewer.kind is CallerKind.STAFF and viewer.role is StaffRole.STORE_MANAGER) or viewer.kind is CallerKind.DEVICE)
    )
    if not allowed:
        if viewer.kind in (CallerKind.STAFF, CallerKind.DEVICE) and viewer.is_store_bound and viewer.store_id != store_id:
            raise DomainError("STORE_NOT_FOUND", "No such store.", field="storeId")
        raise AccessDenied("Only the store's manager or POS, or a chain admin, records its day total.")
    store = await Store.get_or_none(id=store_id)
    if store is None:
        raise DomainError("STORE_NOT_FOUND", "No such store.", field="storeId")
    today = clock.local_now(store.time_zone).date()
    if local_date > today or local_date < today - timedelta(days=366):
        raise DomainError("INVALID_PERIOD", "A day total is for today or one of the past 366 days.", field="date")
    if not 0 <= total_fen <= bounds.MAX_MONEY_FEN:
        raise DomainError("INVALID_AMOUNT", "The day's total is out of range.", field="totalSales")
    if not 0 <= orders <= 10_000_000:
        raise DomainError("INVALID_AMOUNT", "Orders are 0 to 10,000,000.", field="orders")
    now = utc(clock.now())
    actor = viewer.idempotency_scope
    updated = await StoreSalesDay.filter(store_id=store_id, local_date=local_date).update(
        total_fen=total_fen, orders=orders, recorded_by=actor, updated_at=now
    )
    if not updated:
        try:
            await StoreSalesDay.create(store_id=store_id, local_date=local_date, total_fen=total_fen, orders=orders,
                                       recorded_by=actor, updated_at=now)
        except IntegrityError:  # a twin created it meanwhile: replace what it wrote
            await StoreSalesDay.filter(store_id=store_id, local_date=local_date).update(
                total_fen=total_fen, orders=orders, recorded_by=actor, updated_at=now
            )
    return await StoreSalesDay.get(store_id=store_id, local_date=local_date)
