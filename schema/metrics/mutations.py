"""Programme metrics mutations: a store's day total of all sales."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry
from strawberry.types import Info

from domain.metrics.errors import MetricsErrorCode
from resolvers.metrics import mutations
from schema.errors import UserError, codes_listed, payload_of
from schema.permissions import IsAuthenticated
from schema.relay import to_global_id
from schema.scalars import Money, MoneyInput


@strawberry.type(description=codes_listed(MetricsErrorCode, "Why a store's day total was refused."))
class MetricsError(UserError):
    CODES = MetricsErrorCode


@strawberry.type(description="All sales of a store on a local day, members and others, as its POS closed the day.")
class StoreSalesDay:
    store_id: strawberry.ID = strawberry.field(description="The store's global ID.")
    date: date = strawberry.field(description="The store-local day.")
    total_sales: Money = strawberry.field(description="All sales that day.")
    orders: int = strawberry.field(description="Orders that day (members' and others'), as reported; 0 when not given.")


@strawberry.input(description="A store's day total; sending the same day again replaces it.")
class RecordStoreSalesInput:
    store_id: strawberry.ID = strawberry.field(description="The store.")
    date: date = strawberry.field(description="The store-local day: today or one of the past 366 days (INVALID_PERIOD).")
    total_sales: MoneyInput = strawberry.field(description="All sales that day, members' included.")
    orders: int = strawberry.field(default=0, description="Orders that day, if the POS counts them.")


@strawberry.type(description="The result of recordStoreSales.")
class RecordStoreSalesPayload:
    store_sales: StoreSalesDay | None = strawberry.field(default=None, description="The day as recorded; null when refused.")
    errors: list[MetricsError] = strawberry.field(default_factory=list, description="Why it was refused; empty on success.")


def _day(row) -> dict:
    return {"store_sales": StoreSalesDay(store_id=strawberry.ID(to_global_id("Store", row.store_id)), date=row.local_date,
                                         total_sales=Money.from_minor(row.total_fen), orders=row.orders)}


@strawberry.type
class MetricsMutation:
    @strawberry.mutation(
        permission_classes=[IsAuthenticated],
        description="Record a store's total sales of a day, members and others (its manager, its POS key, or a chain "
        "admin); the programme metrics count non-member sales from it (docs/metrics.md).",
    )
    async def record_store_sales(
        self, info: Info, input: Annotated[RecordStoreSalesInput, strawberry.argument(description="The store, day and total.")]
    ) -> RecordStoreSalesPayload:
        work = mutations.record_store_sales(info.context, input.store_id, input.date, input.total_sales.as_pair(), input.orders)
        return await payload_of(RecordStoreSalesPayload, work, _day)
