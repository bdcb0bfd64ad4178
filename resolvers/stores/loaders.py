"""The store context's loaders: stores, staff accounts and API keys, as the viewer may see them."""

from __future__ import annotations

from strawberry.dataloader import DataLoader

from domain.stores import services as stores
from domain.stores import visibility
from resolvers.loading import LoaderSet


class StoreLoaders(LoaderSet):
    @property
    def store(self) -> DataLoader:
        return self._get("store", lambda ids: stores.stores_by_ids(self.viewer, ids))

    @property
    def public_store(self) -> DataLoader:
        return self._get("public_store", visibility.public_stores_by_ids)

    @property
    def staff(self) -> DataLoader:
        return self._get("staff", lambda ids: visibility.staff_by_ids(self.viewer, ids))

    @property
    def api_key(self) -> DataLoader:
        return self._get("api_key", lambda ids: stores.api_keys_by_ids(self.viewer, ids))
