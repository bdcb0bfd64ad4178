"""Who sees which redemptions: the member their own, store staff and devices their store's, admins all."""

from __future__ import annotations

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from domain.access import CallerKind, Viewer
from domain.errors import AccessDenied
from domain.mall import codes
from domain.mall.models import Redemption
from domain.pagination import Page, PageRequest, keyset_page

STATUSES = frozenset({"PENDING", "FULFILLED", "CANCELLED", "EXPIRED"})


def _of_store(store_id: int) -> Q:
    return Q(store_id=store_id) | Q(fulfilled_store_id=store_id)


def visible(viewer: Viewer) -> QuerySet[Redemption]:
    if viewer.kind is CallerKind.MEMBER:
        return Redemption.filter(member_id=viewer.subject_id)
    if viewer.is_chain_admin:
        return Redemption.all()
    if viewer.is_store_bound and viewer.store_id and viewer.has_scope("redemptions:write"):
        return Redemption.filter(_of_store(viewer.store_id))
    raise AccessDenied("Only the member, their store and chain admins see redemptions.", unauthenticated=viewer.is_anonymous)


def _narrowed(query: QuerySet[Redemption], status: str | None) -> QuerySet[Redemption]:
    return query.filter(status=status) if status else query


async def of_member(viewer: Viewer, member_id: int, status: str | None, page: PageRequest) -> Page[Redemption]:
    """Newest first. Staff reach a member only through their visibility rules, and see their store's part."""
    if viewer.kind is CallerKind.MEMBER and viewer.subject_id != member_id:
        raise AccessDenied("Members see their own redemptions only.")
    return await keyset_page(_narrowed(visible(viewer).filter(member_id=member_id), status), page, descending=True)


async def of_stores(viewer: Viewer, store_id: int | None, status: str | None, page: PageRequest) -> Page[Redemption]:
    """Newest first: a store's redemptions to collect or collected there; chain admins may name any store."""
    if not viewer.is_staff:
        raise AccessDenied("Only staff list a store's redemptions.", unauthenticated=viewer.is_anonymous)
    query = visible(viewer)
    if store_id is not None:
        if not viewer.can_see_store(store_id):
            raise AccessDenied("You may not see that store's redemptions.")
        query = query.filter(_of_store(store_id))
    return await keyset_page(_narrowed(query, status), page, descending=True)


async def by_code(viewer: Viewer, code: str) -> Redemption | None:
    """At the counter the code is shown by the member: a redemption to collect at any store is found too."""
    query = visible(viewer)
    if viewer.is_store_bound:
        query = Redemption.filter(_of_store(viewer.store_id) | Q(store_id__isnull=True))  # type: ignore[arg-type]
    searched = codes.lookup_code(code)
    return None if searched is None else await query.filter(code=searched).first()


async def by_ids(viewer: Viewer, ids: list[int]) -> dict[int, Redemption]:
    try:
        query = visible(viewer)
    except AccessDenied:
        return {}
    return {r.id: r for r in await query.filter(id__in=ids)}
