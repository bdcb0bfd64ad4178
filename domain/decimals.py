"""Decimal input, checked before any arithmetic: the wire's Decimal scalar and yuan strings take
"NaN", "sNaN", "Infinity" and "1e30", and with those a comparison or a quantize raises
InvalidOperation instead of answering."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

CENT = Decimal("0.01")


def finite_between(value: Decimal, low: Decimal | int, high: Decimal | int) -> bool:
    """A finite number within [low, high]; False for NaN and infinities rather than raising."""
    return value.is_finite() and low <= value <= high


def yuan_to_fen(text: str, *, max_yuan: Decimal | int) -> int | None:
    """A decimal string of yuan, 0 to max_yuan with at most two decimals, in fen; None when it is not one."""
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, AttributeError):
        return None
    # The range first: past the context's 28 digits, quantize itself raises.
    if not finite_between(value, 0, max_yuan) or value != value.quantize(CENT):
        return None
    return int(value * 100)
