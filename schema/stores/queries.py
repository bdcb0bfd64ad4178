"""Store root queries."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from resolvers.stores import queries
from schema.permissions import IsStaff
from schema.relay import After, Connection, First, connection_of
from schema.stores.types import Store, Viewer


@strawberry.type
class StoreQuery:
    @strawberry.field(description="Who is calling.")
    def viewer(self, info: Info) -> Viewer:
        return Viewer.from_viewer(info.context.viewer)

    @strawberry.field(permission_classes=[IsStaff], description="Stores the caller may see.")
    async def stores(
        self, info: Info,
        first: First = None,
        after: After = None,
    ) -> Connection[Store]:
        return connection_of(await queries.stores_page(info.context, first, after), Store.from_model)
