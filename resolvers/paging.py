"""GraphQL paging arguments -> domain page requests."""

from __future__ import annotations

from domain.pagination import PageRequest
from resolvers.global_ids import decode_cursor


def page_request(first: int | None, after: str | None, last: int | None = None, before: str | None = None) -> PageRequest:
    return PageRequest(first=first, after=decode_cursor(after), last=last, before=decode_cursor(before))
