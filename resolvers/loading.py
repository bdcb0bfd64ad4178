"""The per-request DataLoader set every context's loaders build on.

A loader batches the keys of one request and returns domain objects (models, domain
dataclasses), aligned with the keys; what the viewer may not see is None. schema/ converts.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from strawberry.dataloader import DataLoader

from domain.access import Viewer
from infra.clock import Clock


def loader(batch: Callable[[list[Any]], Awaitable[dict[Any, Any]]]) -> DataLoader:
    async def load(keys: list[Any]) -> list[Any]:
        found = await batch(keys)
        return [found.get(key) for key in keys]

    return DataLoader(load_fn=load)


class LoaderSet:
    """Loaders are made lazily, once per request, so a request pays only for those it uses."""

    def __init__(self, viewer: Viewer, clock: Clock) -> None:
        self.viewer = viewer
        self.clock = clock
        self._made: dict[str, DataLoader] = {}

    def clear(self) -> None:
        """Forget every loader, and so every object they hold (see RequestContext.finish)."""
        self._made.clear()

    def _get(self, name: str, batch: Callable[[list[Any]], Awaitable[dict[Any, Any]]]) -> DataLoader:
        made = self._made.get(name)
        if made is None:
            made = self._made[name] = loader(batch)
        return made
