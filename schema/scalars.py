"""Shared scalars and value types: Money on the wire is a decimal amount plus currency."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

import strawberry
from strawberry.schema.types.base_scalars import DateDefinition, DateTimeDefinition, DecimalDefinition


@strawberry.type(description="An amount of money; inside Orchard it is integer minor units (fen).")
class Money:
    amount: Decimal = strawberry.field(description='Yuan as a Decimal string with two places, e.g. "12.50".')
    currency: str = strawberry.field(description="ISO 4217 code; always CNY today.")

    @classmethod
    def from_minor(cls, minor: int, currency: str = "CNY") -> Money:
        return cls(amount=Decimal(minor).scaleb(-2), currency=currency)  # exact for whole fen: 1234 -> 12.34, 100 -> 1.00


@strawberry.input(description="An amount of money as a client sends it; Orchard takes CNY.")
class MoneyInput:
    amount: Decimal = strawberry.field(description='Yuan as a Decimal string, at most two places, e.g. "12.50".')
    currency: str = strawberry.field(description="ISO 4217 code; only CNY is taken (INVALID_CURRENCY).")

    def as_pair(self) -> tuple[Decimal, str]:
        return self.amount, self.currency


def money_pair(money: MoneyInput | None) -> tuple[Decimal, str] | None:
    return None if money is None else money.as_pair()


# strawberry's own scalars, with the specification each follows (@specifiedBy) and the Decimal
# wire format written down; parsing and serializing stay strawberry's.
SCALAR_OVERRIDES = {
    datetime.date: dataclasses.replace(DateDefinition, specified_by_url="https://datatracker.ietf.org/doc/html/rfc3339#section-5.6"),
    datetime.datetime: dataclasses.replace(
        DateTimeDefinition, specified_by_url="https://datatracker.ietf.org/doc/html/rfc3339#section-5.6"
    ),
    Decimal: dataclasses.replace(
        DecimalDefinition,
        description=(
            "Decimal (fixed-point), sent as a JSON string such as \"12.50\", never a float, so no digit is lost. "
            "Output is written in plain notation with the scale the value has (money: two decimals). "
            "Input is a string, or a JSON number read from its text; exponents such as \"1E+2\" are read too."
        ),
        specified_by_url="https://speleotrove.com/decimal/daconvs.html#reftostr",
    ),
}
