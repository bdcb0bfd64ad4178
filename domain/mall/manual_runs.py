"""Periodic mall jobs a chain admin may run by hand, now."""

from __future__ import annotations

from domain.access import Viewer, require_chain_admin
from domain.mall import cancellation
from infra.clock import Clock


async def expire_redemptions_now(viewer: Viewer, *, clock: Clock) -> int:
    """Uncollected redemptions past their time expire; the number expired."""
    require_chain_admin(viewer)
    return await cancellation.expire_overdue(clock=clock)
