"""Which ledger entries a viewer may see: those of a member's history the viewer sees."""

from __future__ import annotations

from domain.access import Viewer
from domain.errors import AccessDenied
from domain.ledger.models import PointsEntry
from domain.members import services as members
from domain.members.models import Member


async def entries_by_ids(viewer: Viewer, ids: list[int]) -> dict[int, PointsEntry]:
    """Entries of members' accounts, by the rule of members.history_scope (the member, their home
    store and chain admins see all; another store only the entries made there)."""
    rows = [row for row in await PointsEntry.filter(id__in=ids).select_related("journal", "account") if row.account.member_id]
    homes = dict(await Member.filter(id__in={row.account.member_id for row in rows}).values_list("id", "home_store_id"))
    found = {}
    for row in rows:
        member_id = row.account.member_id
        if member_id not in homes:
            continue
        try:
            scope = members.history_scope(viewer, member_id, home_store_id=homes[member_id])
        except AccessDenied:
            continue
        if scope.is_full or row.journal.store_id == scope.store_id:  # type: ignore[attr-defined]
            found[row.id] = row
    return found
