"""Till lines that sell a partner bundle for cash: they take the bundle's stock in the purchase's
transaction. Bundles live above earning (domain/partners, on the mall), so the seller is set from
there at start-up (`set_seller`) and earning calls it without importing it."""

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


Seller = Callable[..., Awaitable[None]]  # (conn, purchase, store, lines: list[BundleLine], clock) -> None
_seller: list[Seller] = []


def set_seller(seller: Seller) -> None:
    _seller[:] = [seller]


async def sell(conn, purchase, store, lines: list[BundleLine], clock) -> None:
    if not _seller:
        raise DomainError("BUNDLE_NOT_FOUND", "Bundles are not sold here.", field=f"lines.{lines[0].line_no}.bundleId")
    await _seller[0](conn, purchase, store, lines, clock)
