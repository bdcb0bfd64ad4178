"""Which stores and staff accounts a viewer may see: the rules of the store context's reads."""

from __future__ import annotations

from domain.access import Viewer
from domain.stores.models import StaffUser, Store


async def staff_by_ids(viewer: Viewer, ids: list[int]) -> dict[int, StaffUser]:
    """Chain admins see every account, other staff those of their store; nobody else sees any."""
    if viewer.is_chain_admin:
        rows = await StaffUser.filter(id__in=ids)
    elif viewer.is_staff:
        rows = await StaffUser.filter(id__in=ids, store_id=viewer.store_id)
    else:
        rows = []
    return {row.id: row for row in rows}


async def public_stores_by_ids(ids: list[int]) -> dict[int, Store]:
    """A store's name and code are public: a member sees their home store."""
    return {s.id: s for s in await Store.filter(id__in=ids)}
