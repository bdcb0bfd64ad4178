"""Programme metrics queries: the figures of a period, today's rush."""

from __future__ import annotations

from datetime import date

from domain.errors import DomainError
from domain.metrics import figures
from resolvers.context import RequestContext
from resolvers.global_ids import InvalidGlobalId, pk_of


def store_pk(store_id: str | None) -> int | None:
    if store_id is None:
        return None
    try:
        return pk_of(store_id, "Store")
    except InvalidGlobalId:
        raise DomainError("STORE_NOT_FOUND", "No such store.", field="storeId") from None


async def programme_metrics(ctx: RequestContext, first: date, last: date, store_id: str | None, granularity: str) -> figures.Report:
    return await figures.report(ctx.viewer, first, last, store_pk(store_id), figures.Granularity(granularity))


async def redemption_rush(ctx: RequestContext, store_id: str | None) -> figures.Rush:
    return await figures.rush(ctx.viewer, store_pk(store_id), ctx.clock)
