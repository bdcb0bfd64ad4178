"""Which coupons a viewer may see: a member their own, chain staff any, store staff and tills none by id
(they find a coupon by the code the member shows)."""

from __future__ import annotations

from domain.access import Viewer
from domain.coupons.models import Coupon, CouponTemplate


async def coupons_by_ids(viewer: Viewer, ids: list[int]) -> dict[int, Coupon]:
    if viewer.member_id is not None:
        query = Coupon.filter(id__in=ids, member_id=viewer.member_id)
    elif viewer.is_chain_admin:
        query = Coupon.filter(id__in=ids)
    else:
        return {}
    return {coupon.id: coupon for coupon in await query}


async def templates_by_ids(viewer: Viewer, ids: list[int]) -> dict[int, CouponTemplate]:
    """A template's terms are no secret, but they are for signed-in callers (a coupon shows its own)."""
    if viewer.is_anonymous:
        return {}
    return {template.id: template for template in await CouponTemplate.filter(id__in=ids)}
