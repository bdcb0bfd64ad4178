"""Members a viewer may list, narrowed by a filter."""

from __future__ import annotations

from tortoise.queryset import QuerySet

from domain.access import Viewer
from domain.members.models import Member
from domain.members.services import visible_members


def search(viewer: Viewer, *, tier_code: str | None, home_store_id: int | None, name_prefix: str | None) -> QuerySet[Member]:
    query = visible_members(viewer)
    if tier_code:
        query = query.filter(tier__code=tier_code.upper())
    if home_store_id:
        query = query.filter(home_store_id=home_store_id)
    if name_prefix:
        query = query.filter(name__istartswith=name_prefix)
    return query
