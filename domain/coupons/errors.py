"""The coupon wallet's error codes: expected outcomes a payload reports."""

from __future__ import annotations

from enum import StrEnum

from domain.errors import DomainError


class CouponErrorCode(StrEnum):
    COUPON_NOT_FOUND = "COUPON_NOT_FOUND"
    COUPON_EXPIRED = "COUPON_EXPIRED"
    COUPON_ALREADY_USED = "COUPON_ALREADY_USED"
    COUPON_NOT_APPLICABLE = "COUPON_NOT_APPLICABLE"
    MINIMUM_SPEND_NOT_MET = "MINIMUM_SPEND_NOT_MET"
    TEMPLATE_NOT_FOUND = "TEMPLATE_NOT_FOUND"
    TEMPLATE_RETIRED = "TEMPLATE_RETIRED"


class CouponError(DomainError):
    def __init__(self, code: CouponErrorCode, message: str, field: str | None = None) -> None:
        super().__init__(str(code), message, field)
