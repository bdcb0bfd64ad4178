"""The store context's error codes: sign-in, stores and API keys, staff accounts.

The GraphQL error codes are generated from these enums (schema/errors.py): add a code here."""

from __future__ import annotations

from enum import StrEnum


class AuthErrorCode(StrEnum):
    """Why a sign-in or a session refresh failed."""

    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    INVALID_REFRESH_TOKEN = "INVALID_REFRESH_TOKEN"
    LOCKED_OUT = "LOCKED_OUT"
    RATE_LIMITED = "RATE_LIMITED"


class StoreErrorCode(StrEnum):
    """Outcomes of creating stores and managing API keys."""

    INVALID_ID = "INVALID_ID"
    INVALID_TEXT = "INVALID_TEXT"
    TOO_LONG = "TOO_LONG"
    INVALID_CODE = "INVALID_CODE"
    INVALID_NAME = "INVALID_NAME"
    INVALID_TIME_ZONE = "INVALID_TIME_ZONE"
    CODE_TAKEN = "CODE_TAKEN"
    STORE_NOT_FOUND = "STORE_NOT_FOUND"
    KEY_NOT_FOUND = "KEY_NOT_FOUND"
    UNKNOWN_SCOPE = "UNKNOWN_SCOPE"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    INVALID_IDEMPOTENCY_KEY = "INVALID_IDEMPOTENCY_KEY"
    IN_PROGRESS = "IN_PROGRESS"


class StaffErrorCode(StrEnum):
    """Outcomes of creating staff accounts."""

    INVALID_ID = "INVALID_ID"
    INVALID_TEXT = "INVALID_TEXT"
    TOO_LONG = "TOO_LONG"
    INVALID_EMAIL = "INVALID_EMAIL"
    WEAK_PASSWORD = "WEAK_PASSWORD"
    EMAIL_TAKEN = "EMAIL_TAKEN"
    STORE_NOT_FOUND = "STORE_NOT_FOUND"
