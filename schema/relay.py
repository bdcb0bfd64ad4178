"""Relay conventions made once: global IDs, the Node interface, keyset connections."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import Enum
from typing import Annotated, Any, Generic, TypeVar

import strawberry

from domain.pagination import Page
from resolvers.global_ids import (
    MAX_PK,
    InvalidGlobalId,
    decode_cursor,
    encode_cursor,
    from_global_id,
    int_pk,
    pk_of,
    to_global_id,
)

# The codec is the resolvers' (they decode input IDs); schema/ encodes with it and re-exports it.
__all__ = [
    "MAX_PK", "Connection", "Edge", "InvalidGlobalId", "Node", "PageInfo", "SortDirection", "connection_of",
    "decode_cursor", "encode_cursor", "from_global_id", "int_pk", "maybe", "pk_of", "to_global_id",
]

T = TypeVar("T")

# The paging arguments of a connection field, described once.
First = Annotated[int | None, strawberry.argument(description="At most this many, 0 to 100; null means 20.")]
After = Annotated[str | None, strawberry.argument(description="The `endCursor` of the previous page; null starts at the top.")]


@strawberry.interface(description="An object with a global ID, refetchable through `node(id:)`.")
class Node:
    id: strawberry.ID = strawberry.field(description="The object's global ID: opaque, stable, for `node(id:)`.")


@strawberry.type(description="Where a page of a connection stands, to ask for the next or previous page.")
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="True when more items follow: ask again with `after: endCursor`."
    )
    has_previous_page: bool = strawberry.field(
        description="True when items come before this page: ask again with `before: startCursor` where a field takes it."
    )
    start_cursor: str | None = strawberry.field(
        description="The cursor of the page's first item; null for an empty page."
    )
    end_cursor: str | None = strawberry.field(description="The cursor of the page's last item; null for an empty page.")


@strawberry.type(description="One item of a connection's page, with the cursor to page on from it.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(description="An opaque cursor: pass it as `after` to get the items after this one.")
    node: T = strawberry.field(description="The item at this place in the list.")


@strawberry.type(description="One page of a list, in a stable order, paged by keyset cursors (`first` at most 100).")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The page's items, each with its cursor.")
    page_info: PageInfo = strawberry.field(description="Whether more pages follow or precede, and their cursors.")
    count_all: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="How many items the whole list has, across all pages; counted only when selected.")
    async def total_count(self) -> int:
        return await self.count_all()

    @strawberry.field(description="The page's items without their cursors: the same as `edges { node }`.")
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]


@strawberry.enum(description="The order of a sorted list.")
class SortDirection(Enum):
    ASC = strawberry.enum_value("ASC", description="Smallest, earliest or A first.")
    DESC = strawberry.enum_value("DESC", description="Largest, latest or Z first.")


def connection_of(page: Page[Any], convert: Callable[[Any], Any]) -> Connection[Any]:
    """A domain page as a connection, each item converted to its GraphQL type."""
    edges = [Edge(cursor=encode_cursor(key), node=convert(item)) for item, key in zip(page.items, page.keys, strict=True)]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.has_previous,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        count_all=page.count_all,
    )


def maybe(convert: Callable[[Any], T], value: Any) -> T | None:
    """`convert(value)`, or None for None: a loader's answer for what the viewer may not see."""
    return None if value is None else convert(value)
