"""Relay conventions made once: global IDs, the Node interface, keyset connections."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import Enum
from typing import Any, Generic, TypeVar

import strawberry

from domain.pagination import Page
from resolvers.global_ids import (
    MAX_PK, InvalidGlobalId, decode_cursor, encode_cursor, from_global_id, int_pk, pk_of, to_global_id,
)

# The codec is the resolvers' (they decode input IDs); schema/ encodes with it and re-exports it.
__all__ = [
    "MAX_PK", "Connection", "Edge", "InvalidGlobalId", "Node", "PageInfo", "SortDirection", "connection_of",
    "decode_cursor", "encode_cursor", "from_global_id", "int_pk", "maybe", "pk_of", "to_global_id",
]

T = TypeVar("T")


@strawberry.interface(description="An object with a global ID, refetchable through `node(id:)`.")
class Node:
    id: strawberry.ID


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    count_all: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field
    async def total_count(self) -> int:
        return await self.count_all()

    @strawberry.field
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]


@strawberry.enum
class SortDirection(Enum):
    ASC = "ASC"
    DESC = "DESC"


def connection_of(page: Page[Any], convert: Callable[[Any], Any]) -> Connection[Any]:
    """A domain page as a connection, each item converted to its GraphQL type."""
    edges = [Edge(cursor=encode_cursor(key), node=convert(item)) for item, key in zip(page.items, page.keys)]
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
