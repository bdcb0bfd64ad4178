"""Relay conventions made once: global IDs, the Node interface, keyset connections."""

from __future__ import annotations

import base64
import json
from collections.abc import Awaitable, Callable
from enum import Enum
from typing import Any, Generic, TypeVar

import orjson
import strawberry

T = TypeVar("T")


class InvalidGlobalId(ValueError):
    pass


def to_global_id(type_name: str, pk: int | str) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


def from_global_id(global_id: str) -> tuple[str, str]:
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        type_name, _, pk = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        raise InvalidGlobalId(global_id) from None
    if not type_name or not pk:
        raise InvalidGlobalId(global_id)
    return type_name, pk


# Every primary key is an IntField: int4 on PostgreSQL, where a larger parameter fails the query.
MAX_PK = 2**31 - 1


def int_pk(pk: str) -> int | None:
    """The primary key a global ID's text names; None when it cannot name a row (not ASCII
    digits, or past the columns' range)."""
    if not (pk.isascii() and pk.isdigit()) or len(pk) > 10:
        return None
    value = int(pk)
    return value if value <= MAX_PK else None


def pk_of(global_id: str, expected_type: str) -> int:
    """The integer primary key inside a global ID of the expected type."""
    type_name, pk = from_global_id(global_id)
    value = int_pk(pk)
    if type_name != expected_type or value is None:
        raise InvalidGlobalId(global_id)
    return value


def encode_cursor(key: list[Any]) -> str:
    # orjson: one cursor per edge of every page. Dates and decimals are written as str() writes
    # them, as json.dumps(default=str) did, so cursors handed out before still decode the same.
    return base64.urlsafe_b64encode(orjson.dumps(key, default=str, option=orjson.OPT_PASSTHROUGH_DATETIME)).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> list[Any] | None:
    if cursor is None:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))
    except (ValueError, UnicodeDecodeError):
        raise InvalidGlobalId(cursor) from None
    if not isinstance(key, list) or not key:
        raise InvalidGlobalId(cursor)
    return key


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
