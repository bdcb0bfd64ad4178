"""The coupon wallet's payloads and their error."""

from __future__ import annotations

import strawberry

from domain.coupons.errors import CouponErrorCode
from schema.coupons.types import Coupon, CouponTemplate
from schema.errors import UserError, codes_listed


@strawberry.type(description=codes_listed(CouponErrorCode, "Why a coupon template change, grant or counter write-off was refused."))
class CouponError(UserError):
    CODES = CouponErrorCode


@strawberry.type(description="The result of createCouponTemplate and retireCouponTemplate.")
class CouponTemplatePayload:
    template: CouponTemplate | None = strawberry.field(default=None, description="The template as it is now; null when refused.")
    errors: list[CouponError] = strawberry.field(default_factory=list, description="Why the change was refused; empty on success.")


@strawberry.type(description="The result of issueCoupon.")
class IssueCouponPayload:
    coupon: Coupon | None = strawberry.field(default=None, description="The coupon granted, with its code; null when refused.")
    replayed: bool = strawberry.field(default=False, description="True when this answers a retry of an earlier request.")
    errors: list[CouponError] = strawberry.field(default_factory=list, description="Why the grant was refused; empty on success.")


@strawberry.type(description="The result of useCoupon.")
class UseCouponPayload:
    coupon: Coupon | None = strawberry.field(default=None, description="The coupon written off (USED); null when refused.")
    replayed: bool = strawberry.field(default=False, description="True when this answers a retry of an earlier request.")
    errors: list[CouponError] = strawberry.field(default_factory=list, description="Why the write-off was refused; empty on success.")
