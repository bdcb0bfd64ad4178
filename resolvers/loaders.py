"""Per-request DataLoaders. Each batch applies the viewer's access rules: what it may not see is None."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from strawberry.dataloader import DataLoader

from domain.access import Viewer
from domain.stores import services as stores
from domain.stores.models import StaffUser
from schema.stores import StaffUser as StaffUserType
from schema.stores import Store as StoreType


def _aligned(keys: Iterable[Any], found: dict[Any, Any], convert: Callable[[Any], Any]) -> list[Any]:
    return [convert(found[k]) if k in found else None for k in keys]


def loader(batch: Callable[[list[Any]], Awaitable[dict[Any, Any]]], convert: Callable[[Any], Any]) -> DataLoader:
    async def load(keys: list[Any]) -> list[Any]:
        return _aligned(keys, await batch(keys), convert)

    return DataLoader(load_fn=load)


async def _visible_staff(viewer: Viewer, ids: list[int]) -> dict[int, StaffUser]:
    if viewer.is_chain_admin:
        rows = await StaffUser.filter(id__in=ids)
    elif viewer.is_staff:
        rows = await StaffUser.filter(id__in=ids, store_id=viewer.store_id)
    else:
        rows = []
    return {row.id: row for row in rows}


class Loaders:
    """Created lazily, once per request, so a request pays only for the loaders it uses."""

    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer
        self._made: dict[str, DataLoader] = {}

    def _get(self, name: str, make: Callable[[], DataLoader]) -> DataLoader:
        made = self._made.get(name)
        if made is None:
            made = self._made[name] = make()
        return made

    @property
    def store(self) -> DataLoader:
        return self._get("store", lambda: loader(lambda ids: stores.stores_by_ids(self.viewer, ids), StoreType.from_model))

    @property
    def staff(self) -> DataLoader:
        return self._get("staff", lambda: loader(lambda ids: _visible_staff(self.viewer, ids), StaffUserType.from_model))
