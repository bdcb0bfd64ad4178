"""Store root queries."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from resolvers.stores import queries
from schema.permissions import IsStaff
from schema.relay import Connection, connection_of
from schema.stores.types import Store, Viewer


@strawberry.type
class StoreQuery:
    @strawberry.field(description="Who is calling.")
    def viewer(self, info: Info) -> Viewer:
        return Viewer.from_viewer(info.context.viewer)

    @strawberry.field(permission_classes=[IsStaff], description="Stores the caller may see.")
    async def stores(
        self, info: Info,
        first: Annotated[
            int | None, strawberry.argument(description="At most this many stores, 0 to 100; null means 20.")
        ] = None,
        after: Annotated[str | None, strawberry.argument(description="The `endCursor` of the previous page.")] = None,
    ) -> Connection[Store]:
        return connection_of(await queries.stores_page(info.context, first, after), Store.from_model)
