from __future__ import annotations

from datetime import datetime

from domain.audit import log
from domain.audit.models import AuditRecord
from domain.pagination import Page
from resolvers.context import RequestContext
from resolvers.global_ids import from_global_id, int_pk
from resolvers.paging import page_request


def _pk(global_id: str | None) -> int | None:
    if not global_id:
        return None
    try:
        return int_pk(from_global_id(global_id)[1]) or -1
    except ValueError:
        return -1  # names nothing: an empty page


async def audit_page(
    ctx: RequestContext, first: int | None, after: str | None, *, actor_id: str | None, store_id: str | None,
    operation: str | None, since: datetime | None, until: datetime | None,
) -> Page[AuditRecord]:
    where = log.AuditFilter(
        actor_id=_pk(actor_id), store_id=_pk(store_id), operation=operation, since=since, until=until
    )
    return await log.records_page(ctx.viewer, page_request(first, after), where)


async def large_adjustments(ctx: RequestContext, minimum_points: int | None, day_ending: datetime | None) -> list[AuditRecord]:
    return await log.digest_for(ctx.viewer, minimum_points or log.DIGEST_THRESHOLD, day_ending, ctx.clock)
