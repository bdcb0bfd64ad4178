"""The tier context's error codes: tier administration, floors and reviews.

The GraphQL error codes are generated from these enums (schema/errors.py): add a code here."""

from __future__ import annotations

from enum import StrEnum


class TierErrorCode(StrEnum):
    INVALID_ID = "INVALID_ID"
    INVALID_TEXT = "INVALID_TEXT"
    TOO_LONG = "TOO_LONG"
    INVALID_CODE = "INVALID_CODE"
    INVALID_THRESHOLD = "INVALID_THRESHOLD"
    INVALID_MULTIPLIER = "INVALID_MULTIPLIER"
    INVALID_DISCOUNT = "INVALID_DISCOUNT"
    CODE_TAKEN = "CODE_TAKEN"
    RANK_TAKEN = "RANK_TAKEN"
    TIER_NOT_FOUND = "TIER_NOT_FOUND"
    MEMBER_NOT_FOUND = "MEMBER_NOT_FOUND"
    REASON_REQUIRED = "REASON_REQUIRED"
