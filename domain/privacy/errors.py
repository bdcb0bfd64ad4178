"""The data-rights context's error codes: expected outcomes a payload reports."""

from __future__ import annotations

from enum import StrEnum

from domain.errors import DomainError


class PrivacyErrorCode(StrEnum):
    INVALID_ID = "INVALID_ID"
    INVALID_TEXT = "INVALID_TEXT"
    TOO_LONG = "TOO_LONG"
    INVALID_IDEMPOTENCY_KEY = "INVALID_IDEMPOTENCY_KEY"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    IN_PROGRESS = "IN_PROGRESS"
    TRY_AGAIN = "TRY_AGAIN"
    MEMBER_NOT_FOUND = "MEMBER_NOT_FOUND"
    REASON_REQUIRED = "REASON_REQUIRED"
    ALREADY_ERASED = "ALREADY_ERASED"


class PrivacyError(DomainError):
    pass
