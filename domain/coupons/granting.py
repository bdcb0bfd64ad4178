"""A coupon granted by a chain admin (support, goodwill): source ADMIN, idempotent on the admin's key.

The grant runs in the idempotency record's transaction (run_once): a retry with the key answers
the first coupon, and the coupon's own (source, source_ref) is made of the caller and the key, so
even two processes that both get past the record grant it once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from domain import contended
from domain.access import Viewer, require_chain_admin
from domain.coupons.errors import CouponError, CouponErrorCode
from domain.coupons.issuing import issue_coupon, template_by_id
from domain.coupons.models import Coupon, CouponSource
from domain.idempotency import run_once
from domain.idempotency.service import check_key
from domain.members.models import Member
from infra import db
from infra.clock import Clock


@dataclass(frozen=True)
class Granted:
    coupon: Coupon
    replayed: bool


def admin_ref(scope: str, key: str) -> str:
    """The source_ref of an admin grant: the caller and its key, hashed to fit the column."""
    return "admin:" + hashlib.sha256(f"{scope}\x00{key}".encode()).hexdigest()[:48]


def _busy() -> CouponError:
    return CouponError(CouponErrorCode.TRY_AGAIN, "The wallet is very busy: send it again with the same key.")


async def grant(viewer: Viewer, template_id: int, member_id: int, *, idempotency_key: str, clock: Clock) -> Granted:
    require_chain_admin(viewer)
    check_key(idempotency_key)
    scope = viewer.idempotency_scope

    async def action(conn) -> dict:
        try:
            template = await template_by_id(template_id, connection=conn)
        except CouponError as exc:
            raise CouponError(CouponErrorCode(exc.code), exc.message, field="templateId") from None
        if template.retired_at is not None:
            raise CouponError(CouponErrorCode.TEMPLATE_RETIRED, "This template was retired: it issues no coupons.", field="templateId")
        if await db.by_id(Member, member_id, connection=conn) is None:
            raise CouponError(CouponErrorCode.MEMBER_NOT_FOUND, "No such member.", field="memberId")
        coupon = await issue_coupon(
            conn, template, member_id, source=CouponSource.ADMIN, source_ref=admin_ref(scope, idempotency_key), clock=clock
        )
        return {"couponId": coupon.id}

    async with contended.translated(_busy):
        outcome = await run_once(
            scope=scope, key=idempotency_key, operation="issueCoupon",
            request={"template": template_id, "member": member_id}, action=action, clock=clock,
        )
    return Granted(await Coupon.get(id=outcome.result["couponId"]), outcome.replayed)
