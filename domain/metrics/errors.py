"""The metrics context's error codes.

The GraphQL error codes are generated from these enums (schema/errors.py): add a code here."""

from __future__ import annotations

from enum import StrEnum


class MetricsErrorCode(StrEnum):
    INVALID_PERIOD = "INVALID_PERIOD"
    STORE_NOT_FOUND = "STORE_NOT_FOUND"
    INVALID_AMOUNT = "INVALID_AMOUNT"
    INVALID_PRICE = "INVALID_PRICE"  # a money amount out of range or with more than two decimals (domain/money.py)
    INVALID_CURRENCY = "INVALID_CURRENCY"
