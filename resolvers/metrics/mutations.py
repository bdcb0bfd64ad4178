"""Programme metrics mutations."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain import bounds, money
from domain.errors import DomainError
from domain.metrics import store_sales
from domain.metrics.models import StoreSalesDay
from resolvers.context import RequestContext
from resolvers.metrics.queries import store_pk


async def record_store_sales(ctx: RequestContext, store_id: str, day: date, total: tuple[Decimal, str], orders: int) -> StoreSalesDay:
    try:
        text = money.yuan_text(None, total, field="totalSales")  # checks the currency, range and decimals
    except DomainError as exc:  # its field names the <field>Money input; here the input is totalSales itself
        raise DomainError(exc.code, exc.message, field=(exc.field or "").replace("totalSalesMoney", "totalSales")) from None
    return await store_sales.record(ctx.viewer, store_pk(store_id), day, bounds.fen_from_yuan(text), orders, clock=ctx.clock)
