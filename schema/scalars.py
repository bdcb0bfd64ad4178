"""Shared scalars and value types: Money on the wire is a decimal amount plus currency."""

from __future__ import annotations

from decimal import Decimal

import strawberry


@strawberry.type(description="An amount of money; inside Orchard it is integer minor units (fen).")
class Money:
    amount: Decimal
    currency: str

    @classmethod
    def from_minor(cls, minor: int, currency: str = "CNY") -> Money:
        return cls(amount=Decimal(minor).scaleb(-2), currency=currency)  # exact for whole fen: 1234 -> 12.34, 100 -> 1.00
