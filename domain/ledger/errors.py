"""The ledger's error codes: expected outcomes a payload reports, and the one that is a bug."""

from __future__ import annotations

from enum import StrEnum

from domain.errors import DomainError


class LedgerErrorCode(StrEnum):
    INSUFFICIENT_POINTS = "INSUFFICIENT_POINTS"
    BALANCE_LIMIT_EXCEEDED = "BALANCE_LIMIT_EXCEEDED"
    INVALID_AMOUNT = "INVALID_AMOUNT"
    INVALID_KIND = "INVALID_KIND"
    INVALID_EXPIRY = "INVALID_EXPIRY"
    INVALID_OCCURRED_AT = "INVALID_OCCURRED_AT"
    REASON_REQUIRED = "REASON_REQUIRED"
    MEMBER_NOT_FOUND = "MEMBER_NOT_FOUND"
    JOURNAL_NOT_FOUND = "JOURNAL_NOT_FOUND"
    NOT_REVERSIBLE = "NOT_REVERSIBLE"
    NOTHING_TO_REVERSE = "NOTHING_TO_REVERSE"
    REVERSAL_TOO_LARGE = "REVERSAL_TOO_LARGE"


class LedgerError(DomainError):
    def __init__(self, code: LedgerErrorCode, message: str, field: str | None = None) -> None:
        super().__init__(str(code), message, field)


class LedgerInconsistency(RuntimeError):
    """A guarded update that cannot fail under the account lock did fail: a bug, never a business outcome."""
