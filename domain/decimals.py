"""Decimal input, checked before any arithmetic: the wire's Decimal scalar takes "NaN", "sNaN",
"Infinity" and "1e30", and with those a comparison raises InvalidOperation instead of answering.
(Yuan strings are domain.bounds.fen_from_yuan's.)"""

from __future__ import annotations

from decimal import Decimal


def finite_between(value: Decimal, low: Decimal | int, high: Decimal | int) -> bool:
    """A finite number within [low, high]; False for NaN and infinities rather than raising."""
    return value.is_finite() and low <= value <= high
