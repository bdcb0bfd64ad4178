"""Money as clients send it: an amount and a currency. Orchard takes CNY, and keeps fen inside."""

from __future__ import annotations

from decimal import Decimal

from domain.errors import DomainError

CURRENCY = "CNY"


def yuan_text(text: str | None, money: tuple[Decimal, str] | None, *, field: str) -> str | None:
    """The yuan text of a price given as a decimal string (`field`, deprecated) or as money
    (`<field>Money`: amount and currency); None when neither is given. The amount's range and
    decimals are checked where the text is read, as for the string."""
    if text is not None and money is not None:
        raise DomainError("INVALID_PRICE", f"Give {field} or {field}Money, not both.", field=field)
    if money is None:
        return text
    amount, currency = money
    if currency.strip().upper() != CURRENCY:
        raise DomainError("INVALID_CURRENCY", f"Amounts are in {CURRENCY}.", field=f"{field}Money.currency")
    return str(amount)
