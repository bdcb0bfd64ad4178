"""Reading the trail: chain admins only; everyone else sees nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.access import Viewer, require_chain_admin
from domain.audit.models import AuditRecord
from domain.errors import DomainError
from domain.pagination import Page, PageRequest, keyset_page
from infra.clock import SYSTEM_CLOCK, Clock, utc


@dataclass(frozen=True)
class AuditFilter:
    actor_id: int | None = None
    store_id: int | None = None
    operation: str | None = None
    since: datetime | None = None
    until: datetime | None = None


async def records_page(viewer: Viewer, request: PageRequest, where: AuditFilter) -> Page[AuditRecord]:
    """Newest first."""
    require_chain_admin(viewer)
    query = AuditRecord.all()
    if where.actor_id is not None:
        query = query.filter(actor_id=where.actor_id)
    if where.store_id is not None:
        query = query.filter(store_id=where.store_id)
    if where.operation:
        query = query.filter(operation=where.operation)
    if where.since is not None:
        query = query.filter(at__gte=where.since)
    if where.until is not None:
        query = query.filter(at__lt=where.until)
    return await keyset_page(query, request, descending=True)


LARGE_ADJUSTMENT_OPERATION = "adjustPoints"


DIGEST_THRESHOLD = 10_000  # points, either way: an adjustment this large shows in the daily digest
MAX_DIGEST_THRESHOLD = 1_000_000_000


async def digest_for(viewer: Viewer, threshold: int, day_end: datetime | None, clock: Clock) -> list[AuditRecord]:
    """The daily digest, for chain admins."""
    require_chain_admin(viewer)
    if not 1 <= threshold <= MAX_DIGEST_THRESHOLD:
        raise DomainError("INVALID_AMOUNT", f"A threshold is 1 to {MAX_DIGEST_THRESHOLD:,} points.", field="minimumPoints")
    return await large_adjustments(threshold, day_end=day_end, clock=clock)


async def large_adjustments(
    threshold: int, *, day_end: datetime | None = None, clock: Clock = SYSTEM_CLOCK
) -> list[AuditRecord]:
    """The daily digest: points adjustments of at least `threshold` points (either way) in the
    24 hours up to `day_end` (default now), with who made them and why."""
    end = utc(day_end or clock.now())
    rows = await AuditRecord.filter(
        operation=LARGE_ADJUSTMENT_OPERATION, result="ok", at__gt=end - timedelta(days=1), at__lte=end,
        points__isnull=False,
    ).order_by("id")
    return [row for row in rows if abs(row.points) >= threshold]
