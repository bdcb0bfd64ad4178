"""Counter coupons (TASTING, FREE_ITEM) written off with useCoupon: once, by staff or a device of the store.

The write-off is one conditional UPDATE (AVAILABLE -> USED, still valid now) inside the
idempotency record's transaction (domain/idempotency run_once): the same key replays the first
answer, and of two counters scanning one code with different keys exactly one writes it off;
the other is told COUPON_ALREADY_USED. A device needs the counter scope it collects mall
redemptions with (`redemptions:write`).
"""

from __future__ import annotations

from dataclasses import dataclass

from domain import contended
from domain.access import CallerKind, Viewer
from domain.coupons import codes
from domain.coupons.errors import CouponError, CouponErrorCode
from domain.coupons.models import COUNTER_KINDS, Coupon, CouponKind, CouponTemplate
from domain.coupons.till import check_usable, closed
from domain.errors import AccessDenied
from domain.idempotency import run_once
from domain.idempotency.service import check_key
from domain.stores import services as stores
from infra import db
from infra.clock import Clock, utc

COUNTER_SCOPE = "redemptions:write"


@dataclass(frozen=True)
class CounterUse:
    coupon: Coupon
    replayed: bool


def require_counter(viewer: Viewer, store_id: int) -> None:
    """Staff of the store, a chain admin, or a device of the store with the counter scope."""
    if viewer.kind is CallerKind.DEVICE:
        if viewer.has_scope(COUNTER_SCOPE) and viewer.store_id == store_id:
            return
    elif viewer.is_chain_admin or (viewer.is_staff and viewer.store_id == store_id):
        return
    raise AccessDenied("Only staff or devices of the store hand counter coupons over.", unauthenticated=viewer.is_anonymous)


def used_ref(store_id: int) -> str:
    return f"counter:{store_id}"


def _busy() -> CouponError:
    return CouponError(CouponErrorCode.TRY_AGAIN, "The counter is very busy: send it again with the same key.")


async def use_coupon(viewer: Viewer, code: str, store_id: int, *, idempotency_key: str, clock: Clock) -> CounterUse:
    require_counter(viewer, store_id)
    check_key(idempotency_key)
    if await stores.store_by_id(store_id) is None:
        raise CouponError(CouponErrorCode.STORE_NOT_FOUND, "No such store.", field="storeId")
    wanted = codes.code_from_scan(code)

    async def action(conn) -> dict:
        coupon = await db.by_unique(Coupon, "code", wanted, connection=conn) if codes.is_well_formed(wanted) else None
        if coupon is None:
            raise CouponError(CouponErrorCode.COUPON_NOT_FOUND, "No coupon has that code.", field="code")
        template = await CouponTemplate.get(id=coupon.template_id).using_db(conn)  # type: ignore[attr-defined]
        if CouponKind(template.kind) not in COUNTER_KINDS:
            raise CouponError(
                CouponErrorCode.COUPON_NOT_APPLICABLE, "This coupon takes money off a purchase: use it at the till.", field="code"
            )
        now = utc(clock.now())
        check_usable(coupon, template, store_id, now, field="code")
        moved = await db.execute(
            "UPDATE coupon SET status = 'USED', used_at = $1, used_store_id = $2, used_ref = $3"
            " WHERE id = $4 AND status = 'AVAILABLE' AND valid_from <= $1 AND valid_until > $1",
            now, store_id, used_ref(store_id), coupon.id, connection=conn,
        )
        if moved != 1:
            raise closed(await Coupon.get(id=coupon.id).using_db(conn), now, field="code")
        return {"couponId": coupon.id}

    async with contended.translated(_busy):
        outcome = await run_once(
            scope=viewer.idempotency_scope, key=idempotency_key, operation="useCoupon",
            request={"code": wanted, "store": store_id}, action=action, clock=clock,
        )
    return CounterUse(await Coupon.get(id=outcome.result["couponId"]), outcome.replayed)
