"""The largest amounts the programme stores, defined once: every figure must fit what the API returns.

GraphQL's Int is a signed 32-bit number (at most 2,147,483,647). A stored value past it cannot
be answered: every read of it fails. So amounts are bounded well below it, where the services
take them in, and the ledger's conditional updates and CHECK constraints refuse the rest.

- MAX_BALANCE: what a member may hold (balance + pending points) and may owe (debt), and the
  largest single points figure anywhere (a credit, a debit, a threshold, a cap, a budget).
  1,000,000,000 points are 10,000,000 yuan at 100 points a yuan: no member comes near, and
  a purchase's points earned (what it settles of the debt + what it adds) stays below 2^31-1.
- MAX_ADJUSTMENT: one manual adjustment, either way: 100,000,000 points (1,000,000 yuan), a
  legacy balance or a large correction, not a typo's worth of extra digits.
- MAX_MONEY_FEN: a unit price, a line's total, a purchase's total, a cash part: 10,000,000 yuan.
- MAX_ITEM_POINTS and MAX_STOCK: a mall item's points price, and the units it holds or receives at once.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

GRAPHQL_INT_MAX = 2**31 - 1
MAX_BALANCE = 1_000_000_000
MAX_ADJUSTMENT = 100_000_000
MAX_MONEY_FEN = 1_000_000_000
MAX_ITEM_POINTS = 10_000_000
MAX_STOCK = 10_000_000

FEN = Decimal("0.01")


class BadMoney(ValueError):
    """A money text that is not 0 to MAX_MONEY_FEN fen with at most two decimals; the message says why."""


def fen_from_yuan(text: str) -> int:
    """A decimal text of yuan, e.g. "12.50", in fen; BadMoney unless 0 <= it <= MAX_MONEY_FEN fen, two decimals at most.

    The range is checked before the decimals: quantizing "1e30" to fen needs more digits than the
    decimal context holds and raises InvalidOperation.
    """
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, AttributeError, ValueError):
        raise BadMoney("is a decimal number of yuan, such as 12.50") from None
    if not value.is_finite() or not 0 <= value * 100 <= MAX_MONEY_FEN:
        raise BadMoney(f"is 0 to {MAX_MONEY_FEN // 100:,} yuan")
    if value != value.quantize(FEN):
        raise BadMoney("has at most two decimals")
    return int(value * 100)
