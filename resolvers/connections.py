"""Domain pages -> GraphQL connections, and GraphQL paging arguments -> domain page requests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.pagination import Page, PageRequest
from schema.relay import Connection, Edge, PageInfo, decode_cursor, encode_cursor  # transitional


def page_request(first: int | None, after: str | None, last: int | None = None, before: str | None = None) -> PageRequest:
    return PageRequest(first=first, after=decode_cursor(after), last=last, before=decode_cursor(before))


def connection_from_page(page: Page[Any], convert: Callable[[Any], Any]) -> Connection[Any]:
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
