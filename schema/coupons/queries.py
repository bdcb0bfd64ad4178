"""Coupon root queries."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from resolvers.coupons import queries
from schema.coupons.types import CouponTemplate
from schema.permissions import IsChainAdmin
from schema.relay import After, Connection, First, connection_of


@strawberry.type
class CouponQuery:
    @strawberry.field(permission_classes=[IsChainAdmin], description="Coupon templates, newest first, retired ones too (chain admin).")
    async def coupon_templates(self, info: Info, first: First = None, after: After = None) -> Connection[CouponTemplate]:
        return connection_of(await queries.coupon_templates(info.context, first, after), CouponTemplate.from_model)
