"""The member's wallet: their coupons, newest first, narrowed by status as it reads now."""

from __future__ import annotations

from datetime import datetime

from tortoise.expressions import Q

from domain.access import Viewer
from domain.coupons.models import Coupon, CouponStatus
from domain.errors import AccessDenied
from domain.pagination import Page, PageRequest, keyset_page


def _of_status(status: CouponStatus, now: datetime) -> Q:
    """As status_at reads it: a coupon past its validity is EXPIRED even before the sweep marked it."""
    if status is CouponStatus.AVAILABLE:
        return Q(status=CouponStatus.AVAILABLE.value, valid_until__gt=now)
    if status is CouponStatus.EXPIRED:
        return Q(status=CouponStatus.EXPIRED.value) | Q(status=CouponStatus.AVAILABLE.value, valid_until__lte=now)
    return Q(status=status.value)


async def of_member(viewer: Viewer, member_id: int, status: CouponStatus | None, page: PageRequest, *, now: datetime) -> Page[Coupon]:
    """The member sees their own wallet, a chain admin anyone's; store staff and devices find a
    coupon by the code the member shows, at the till or counter."""
    if viewer.member_id != member_id and not viewer.is_chain_admin:
        raise AccessDenied("Only the member and chain admins see a member's coupons.", unauthenticated=viewer.is_anonymous)
    query = Coupon.filter(member_id=member_id)
    if status is not None:
        query = query.filter(_of_status(status, now))
    return await keyset_page(query, page, descending=True)
