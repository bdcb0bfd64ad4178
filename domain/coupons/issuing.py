"""Issuing a coupon into a member's wallet, inside the transaction of whatever grants it.

Idempotent on (source, source_ref): a lottery draw, a campaign or a partner bundle that is
retried gets the coupon it granted the first time, never a second one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.coupons import codes
from domain.coupons.errors import CouponError, CouponErrorCode
from domain.coupons.models import Coupon, CouponSource, CouponStatus, CouponTemplate
from infra import db
from infra.clock import Clock

CODE_ATTEMPTS = 5

_INSERT = (
    "INSERT INTO coupon (code, template_id, member_id, status, source, source_ref, issued_at, valid_from, valid_until)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING RETURNING id"
)


def validity(template: CouponTemplate, issued_at: datetime) -> tuple[datetime, datetime]:
    """When a coupon issued at `issued_at` from `template` may be used: the template's fixed dates,
    or valid_days from the issue."""
    if template.valid_days is not None:
        return issued_at, issued_at + timedelta(days=template.valid_days)
    assert template.valid_until is not None  # the template's CHECK: one of the two
    return template.valid_from or issued_at, template.valid_until


async def template_by_id(template_id: int, *, connection=None) -> CouponTemplate:
    template = await db.by_id(CouponTemplate, template_id, connection=connection)
    if template is None:
        raise CouponError(CouponErrorCode.TEMPLATE_NOT_FOUND, "No such coupon template.", field="couponTemplateId")
    return template


async def issue_coupon(connection, template: CouponTemplate, member_id: int, *, source: CouponSource, source_ref: str,
                       clock: Clock) -> Coupon:
    """The coupon `source_ref` granted `member_id` from `template`, issued now unless it was already.

    Runs in the caller's transaction (`connection`). A retired template still honours a grant
    that was promised before it retired: callers refuse a retired template up front when they must.
    """
    now = clock.now()
    valid_from, valid_until = validity(template, now)
    for _ in range(CODE_ATTEMPTS):
        rows = await db.fetch(
            _INSERT, codes.new_code(), template.id, member_id, str(CouponStatus.AVAILABLE), str(source), source_ref, now,
            valid_from, valid_until, connection=connection,
        )
        if rows:
            return await Coupon.get(id=rows[0]["id"]).using_db(connection)
        granted = await Coupon.filter(source=str(source), source_ref=source_ref).using_db(connection).first()
        if granted is not None:
            return granted
        # Otherwise the random code was taken: draw another.
    raise RuntimeError("Could not find a free coupon code.")
