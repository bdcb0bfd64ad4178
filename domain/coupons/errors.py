"""The coupon wallet's error codes: expected outcomes a payload reports.

The GraphQL error codes are generated from these enums (schema/errors.py): add a code here, and
its description in schema/error_codes.py."""

from __future__ import annotations

from enum import StrEnum

from domain.errors import DomainError


class CouponErrorCode(StrEnum):
    COUPON_NOT_FOUND = "COUPON_NOT_FOUND"
    COUPON_EXPIRED = "COUPON_EXPIRED"
    COUPON_ALREADY_USED = "COUPON_ALREADY_USED"
    COUPON_NOT_APPLICABLE = "COUPON_NOT_APPLICABLE"
    MINIMUM_SPEND_NOT_MET = "MINIMUM_SPEND_NOT_MET"
    TOO_MANY_COUPONS = "TOO_MANY_COUPONS"
    TEMPLATE_NOT_FOUND = "TEMPLATE_NOT_FOUND"
    TEMPLATE_RETIRED = "TEMPLATE_RETIRED"
    INVALID_COUPON_TEMPLATE = "INVALID_COUPON_TEMPLATE"
    INVALID_NAME = "INVALID_NAME"
    MEMBER_NOT_FOUND = "MEMBER_NOT_FOUND"
    STORE_NOT_FOUND = "STORE_NOT_FOUND"
    # Raised by the shared input checks the wallet's mutations use:
    INVALID_ID = "INVALID_ID"
    INVALID_PRICE = "INVALID_PRICE"
    INVALID_CURRENCY = "INVALID_CURRENCY"
    TOO_LONG = "TOO_LONG"
    INVALID_TEXT = "INVALID_TEXT"
    INVALID_IDEMPOTENCY_KEY = "INVALID_IDEMPOTENCY_KEY"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    IN_PROGRESS = "IN_PROGRESS"
    TRY_AGAIN = "TRY_AGAIN"


class CouponError(DomainError):
    def __init__(self, code: CouponErrorCode, message: str, field: str | None = None) -> None:
        super().__init__(str(code), message, field)
