"""Periodic earning jobs a chain admin may run by hand, now."""

from __future__ import annotations

from domain.access import Viewer, require_chain_admin
from domain.earning import expiry
from infra.clock import Clock
from infra.settings import Settings


async def expire_points_now(viewer: Viewer, *, settings: Settings, clock: Clock) -> expiry.SweepReport:
    require_chain_admin(viewer)
    return await expiry.run_sweep(settings=settings, clock=clock)
