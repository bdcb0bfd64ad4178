"""Keyset pagination over tortoise querysets: stable under inserts, no OFFSET scans."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from domain.errors import DomainError
from infra import db

T = TypeVar("T")
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20


@dataclass(frozen=True)
class PageRequest:
    first: int | None = None
    after: list[Any] | None = None  # the sort key of the item to start after: [value, id] or [id]
    last: int | None = None
    before: list[Any] | None = None

    def size(self) -> int:
        size = self.last if self.last is not None and self.first is None else self.first
        if size is None:
            return DEFAULT_PAGE_SIZE
        if size < 0 or size > MAX_PAGE_SIZE:
            raise DomainError("INVALID_PAGE_SIZE", f"Ask for 0 to {MAX_PAGE_SIZE} items.", field="first")
        return size

    @property
    def backwards(self) -> bool:
        return self.last is not None and self.first is None


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    keys: list[list[Any]]
    has_next: bool
    has_previous: bool
    count_all: Callable[[], Awaitable[int]]  # run only when a client asks for the total


def counted(total: int) -> Callable[[], Awaitable[int]]:
    """`count_all` for a page whose total is known already."""
    async def count_all() -> int:
        return total

    return count_all


def _after(field: str, key: list[Any], descending: bool) -> Q:
    """Rows strictly after `key` in the (field, id) order."""
    op = "lt" if descending else "gt"
    if field == "id":
        return Q(**{f"id__{op}": key[0]})
    value, row_id = key
    return Q(**{f"{field}__{op}": value}) | (Q(**{field: value}) & Q(**{f"id__{op}": row_id}))


async def keyset_page(
    queryset: QuerySet[T], request: PageRequest, *, field: str = "id", descending: bool = False
) -> Page[T]:
    size = request.size()
    walk_descending = descending != request.backwards
    query = queryset
    cursor = request.before if request.backwards else request.after
    if cursor:
        query = query.filter(_after(field, cursor, walk_descending))
    order = [("-" if walk_descending else "") + f for f in ([field, "id"] if field != "id" else ["id"])]
    rows = list(await query.order_by(*order).limit(size + 1))
    return _page(
        rows, size, request,
        key=lambda row: [row.id] if field == "id" else [getattr(row, field), row.id],
        count_all=queryset.count,  # a COUNT over a member's whole history costs more than the page
    )


def _page(rows: list[Any], size: int, request: PageRequest, *, key: Callable[[Any], list[Any]],
          count_all: Callable[[], Awaitable[int]], build: Callable[[Any], Any] = lambda row: row) -> Page[Any]:
    """A page from up to `size + 1` rows read in walking order (the one more says a page follows)."""
    more = len(rows) > size
    rows = rows[:size]
    if request.backwards:
        rows.reverse()
    return Page(
        items=[build(row) for row in rows],
        keys=[key(row) for row in rows],
        has_next=more if not request.backwards else bool(request.before),
        has_previous=more if request.backwards else bool(request.after),
        count_all=count_all,
    )


async def keyset_page_by_id(
    select: str, params: tuple[Any, ...], request: PageRequest, *, id_column: str, count: str,
    build: Callable[[dict], T], descending: bool = False,
) -> Page[T]:
    """`keyset_page` over a hand-written statement, in `id_column` order (a hot list: no queryset built).

    `select` ends with its WHERE clause, which uses `params` as $1, $2, ...; the cursor's bound,
    the order and the limit are added here. `count` counts the same rows, with the same params.
    """
    size = request.size()
    walk_descending = descending != request.backwards
    cursor = request.before if request.backwards else request.after
    args = list(params)
    query = select
    if cursor:
        if not isinstance(cursor[0], int) or isinstance(cursor[0], bool):
            raise DomainError("INVALID_CURSOR", "That cursor is not one this list gave out.", field="after")
        args.append(cursor[0])
        query += f" AND {id_column} {'<' if walk_descending else '>'} ${len(args)}"
    args.append(size + 1)
    query += f" ORDER BY {id_column} {'DESC' if walk_descending else 'ASC'} LIMIT ${len(args)}"
    rows = await db.fetch(query, *args)

    async def count_all() -> int:
        return int((await db.fetch(count, *params))[0]["total"])

    return _page(rows, size, request, key=lambda row: [row["id"]], count_all=count_all, build=build)


def page_in_order(items: list[T], request: PageRequest, key: Callable[[T], list[Any]]) -> Page[T]:
    """Keyset paging over a short list held in memory, already in ascending `key` order.

    A key is unique and made of JSON values (ints, strings), so the cursor a page hands out
    compares with the keys when it comes back; one of another list is refused.
    """
    size = request.size()
    cursor = request.before if request.backwards else request.after
    chosen = list(items)
    if cursor:
        try:
            chosen = [item for item in items if (key(item) < cursor if request.backwards else key(item) > cursor)]
        except TypeError:
            raise DomainError("INVALID_CURSOR", "That cursor is not one this list gave out.", field="after") from None
    rows = list(reversed(chosen))[: size + 1] if request.backwards else chosen[: size + 1]
    return _page(rows, size, request, key=key, count_all=counted(len(items)))


def micros(at: Any) -> int:
    """A moment as a cursor can carry it: microseconds since the epoch."""
    return int(at.timestamp() * 1_000_000)
