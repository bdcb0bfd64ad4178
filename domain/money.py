"""Money as clients send it: an amount and a currency. Orchard takes CNY, and keeps fen inside."""

from __future__ import annotations

from decimal import Decimal

from domain import bounds
from domain.errors import DomainError

CURRENCY = "CNY"


def yuan_text(text: str | None, money: tuple[Decimal, str] | None, *, field: str) -> str | None:
    """The yuan text of a price given as a decimal string (`field`, deprecated) or as money
    (`<field>Money`: amount and currency); None when neither is given. The amount's range and
    decimals are checked here too, so an error names the field the client sent."""
    if text is not None and money is not None:
        raise DomainError("INVALID_PRICE", f"Give {field} or {field}Money, not both.", field=field)
    if money is None:
        return text
    amount, currency = money
    if currency.strip().upper() != CURRENCY:
        raise DomainError("INVALID_CURRENCY", f"Amounts are in {CURRENCY}.", field=f"{field}Money.currency")
    try:
        bounds.fen_from_yuan(str(amount))
    except bounds.BadMoney as exc:
        raise DomainError("INVALID_PRICE", f"An amount {exc}.", field=f"{field}Money.amount") from None
    return str(amount)


def amount_text(money: tuple[Decimal, str] | None, *, field: str) -> str | None:
    """The yuan text of a MoneyInput named `field` (no deprecated text twin); None when not given."""
    if money is None:
        return None
    amount, currency = money
    if currency.strip().upper() != CURRENCY:
        raise DomainError("INVALID_CURRENCY", f"Amounts are in {CURRENCY}.", field=f"{field}.currency")
    try:
        bounds.fen_from_yuan(str(amount))
    except bounds.BadMoney as exc:
        raise DomainError("INVALID_PRICE", f"An amount {exc}.", field=f"{field}.amount") from None
    return str(amount)
