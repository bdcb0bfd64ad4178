"""The audit trail's root query."""

from __future__ import annotations

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
