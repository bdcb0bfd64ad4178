"""The partners context's error codes: expected outcomes a payload reports."""

from __future__ import annotations

from enum import StrEnum

from domain.errors import DomainError


class PartnerErrorCode(StrEnum):
    INVALID_ID = "INVALID_ID"
    INVALID_NAME = "INVALID_NAME"
    INVALID_TEXT = "INVALID_TEXT"
    TOO_LONG = "TOO_LONG"
    INVALID_SHARE = "INVALID_SHARE"
    INVALID_PRICE = "INVALID_PRICE"
    INVALID_CURRENCY = "INVALID_CURRENCY"
    INVALID_STOCK = "INVALID_STOCK"
    INVALID_LIMIT = "INVALID_LIMIT"
    INVALID_PERIOD = "INVALID_PERIOD"
    INVALID_IDEMPOTENCY_KEY = "INVALID_IDEMPOTENCY_KEY"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    IN_PROGRESS = "IN_PROGRESS"
    TRY_AGAIN = "TRY_AGAIN"
    UNKNOWN_SCOPE = "UNKNOWN_SCOPE"
    STORE_NOT_FOUND = "STORE_NOT_FOUND"
    PARTNER_NOT_FOUND = "PARTNER_NOT_FOUND"
    PARTNER_SUSPENDED = "PARTNER_SUSPENDED"
    BUNDLE_NOT_FOUND = "BUNDLE_NOT_FOUND"
    OUT_OF_STOCK = "OUT_OF_STOCK"
    REDEMPTION_NOT_FOUND = "REDEMPTION_NOT_FOUND"
    ALREADY_FULFILLED = "ALREADY_FULFILLED"
    ALREADY_CANCELLED = "ALREADY_CANCELLED"
    REDEMPTION_EXPIRED = "REDEMPTION_EXPIRED"
    PERIOD_NOT_ENDED = "PERIOD_NOT_ENDED"
    PERIOD_CLOSED = "PERIOD_CLOSED"


class PartnerError(DomainError):
    def __init__(self, code: PartnerErrorCode, message: str, field: str | None = None) -> None:
        super().__init__(code.value, message, field=field)
