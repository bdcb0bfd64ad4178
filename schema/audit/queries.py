"""The audit trail's root query."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from resolvers.audit import queries
from schema.audit.types import AuditLogFilter, AuditRecord
from schema.permissions import IsChainAdmin
from schema.relay import After, Connection, First, connection_of


@strawberry.type
class AuditQuery:
    @strawberry.field(permission_classes=[IsChainAdmin], description="The audit trail, newest first (chain admins only).")
    async def audit_log(
        self, info: Info, first: First = None, after: After = None,
        filter: Annotated[AuditLogFilter | None, strawberry.argument(description="Narrow the list; every field optional.")] = None,
    ) -> Connection[AuditRecord]:
        where = filter or AuditLogFilter()
        page = await queries.audit_page(
            info.context, first, after, actor_id=where.actor_id, store_id=where.store_id, operation=where.operation,
            since=where.from_, until=where.to,
        )
        return connection_of(page, AuditRecord.from_model)

    @strawberry.field(
        permission_classes=[IsChainAdmin],
        description="The daily digest of large points adjustments (chain admins): every adjustPoints of at least"
        " minimumPoints either way in the 24 hours up to dayEnding, oldest first, with who made it and why.",
    )
    async def large_adjustments(
        self, info: Info,
        minimum_points: Annotated[int | None, strawberry.argument(description="Points, either way; null: 10,000.")] = None,
        day_ending: Annotated[datetime | None, strawberry.argument(description="The digest's last moment; null: now.")] = None,
    ) -> list[AuditRecord]:
        return [AuditRecord.from_model(r) for r in await queries.large_adjustments(info.context, minimum_points, day_ending)]
