"""Programme metrics root queries (store managers: their store; chain admins: any store or the chain)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry
from strawberry.types import Info

from resolvers.metrics import queries
from schema.metrics.types import MetricsGranularity, ProgrammeMetrics, RedemptionRush, RushMinute
from schema.permissions import IsStaff


@strawberry.type
class MetricsQuery:
    @strawberry.field(
        permission_classes=[IsStaff],
        description="The programme's figures for a period: totals, a series, cohorts and breakdowns, from the daily "
        "rollups (docs/metrics.md). Store managers get their own store's; chain admins any store's, or the chain's "
        "without storeId.",
    )
    async def programme_metrics(
        self,
        info: Info,
        from_: Annotated[date, strawberry.argument(name="from", description="First local day, inclusive.")],
        to: Annotated[date, strawberry.argument(description="Last local day, inclusive (at most 1,098 days in all).")],
        store_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="One store; null: the viewer's scope (the chain for admins).")
        ] = None,
        granularity: Annotated[MetricsGranularity, strawberry.argument(description="How the series is cut.")] = MetricsGranularity.MONTH,
    ) -> ProgrammeMetrics:
        report = await queries.programme_metrics(info.context, from_, to, store_id, granularity.value)
        return ProgrammeMetrics.from_report(report)

    @strawberry.field(permission_classes=[IsStaff], description="Today's redemptions minute by minute (the live rush).")
    async def redemption_rush(
        self,
        info: Info,
        store_id: Annotated[strawberry.ID | None, strawberry.argument(description="One store; null: the viewer's scope.")] = None,
    ) -> RedemptionRush:
        rush = await queries.redemption_rush(info.context, store_id)
        return RedemptionRush(day=rush.day, minutes=[RushMinute(minute=m, redemptions=n) for m, n in rush.minutes], total=rush.total)
