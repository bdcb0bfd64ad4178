"""Till lines that sell a partner bundle for cash: they take the bundle's stock in the purchase's
transaction, and a return puts it back. Bundles live above earning (domain/partners, on the
mall), so the partners context installs the two handlers at start-up (`install`) and earning
calls them without importing it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from domain.errors import DomainError


@dataclass(frozen=True)
class BundleLine:
    line_no: int  # the line's index in the purchase, for the error's field
    bundle_id: int
    quantity: int
    total_fen: int


# sell(conn, purchase, store, lines: list[BundleLine], clock); give_back(conn, purchase_id, {line_no: quantity}, clock)
_handlers: dict[str, Callable[..., Awaitable[None]]] = {}


def install(*, sell: Callable[..., Awaitable[None]], give_back: Callable[..., Awaitable[None]]) -> None:
    _handlers.update(sell=sell, give_back=give_back)


async def sell(conn, purchase, store, lines: list[BundleLine], clock) -> None:
    if "sell" not in _handlers:
        raise DomainError("BUNDLE_NOT_FOUND", "Bundles are not sold here.", field=f"lines.{lines[0].line_no}.bundleId")
    await _handlers["sell"](conn, purchase, store, lines, clock)


async def give_back(conn, purchase_id: int, returned: dict[int, int], clock) -> None:
    """Returned units of bundle lines go back to stock; lines that sold no bundle are ignored."""
    if "give_back" in _handlers:
        await _handlers["give_back"](conn, purchase_id, returned, clock)
