"""The earning context's loaders: purchases and their lines as the viewer may see them, campaigns."""

from __future__ import annotations

from strawberry.dataloader import DataLoader

from domain.earning import visibility
from resolvers.loading import LoaderSet


class EarningLoaders(LoaderSet):
    @property
    def purchase(self) -> DataLoader:
        return self._get("purchase", lambda ids: visibility.purchases_by_ids(self.viewer, ids))

    @property
    def purchase_lines(self) -> DataLoader:
        return self._get("purchase_lines", visibility.lines_of)

    @property
    def purchase_line(self) -> DataLoader:
        return self._get("purchase_line", lambda ids: visibility.lines_by_ids(self.viewer, ids))

    @property
    def campaign(self) -> DataLoader:
        return self._get("campaign", lambda ids: visibility.campaigns_by_ids(self.viewer, ids))
