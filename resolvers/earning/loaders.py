"""The earning context's loaders: purchases, their lines and campaign extras as the viewer may see them, campaigns."""

from __future__ import annotations

from strawberry.dataloader import DataLoader

from domain.earning import explained, rulebook, visibility
from resolvers.loading import LoaderSet

RULEBOOK = "rulebook"


class EarningLoaders(LoaderSet):
    @property
    def purchase(self) -> DataLoader:
        return self._get("purchase", lambda ids: visibility.purchases_by_ids(self.viewer, ids))

    @property
    def purchase_lines(self) -> DataLoader:
        return self._get("purchase_lines", visibility.lines_of)

    @property
    def purchase_campaign_points(self) -> DataLoader:
        """The campaign extras of purchases already shown to the viewer."""
        return self._get("purchase_campaign_points", explained.campaign_points_of)

    @property
    def purchase_coupons(self) -> DataLoader:
        """The coupons used on purchases already shown to the viewer."""
        return self._get("purchase_coupons", visibility.coupons_of)

    @property
    def rulebook(self) -> DataLoader:
        """The cached rulebook, read once per request whatever the number of keys (load it with RULEBOOK)."""
        async def read(keys: list[str]) -> dict[str, rulebook.Rulebook]:
            book = await rulebook.load()
            return {key: book for key in keys}

        return self._get("rulebook", read)

    @property
    def purchase_line(self) -> DataLoader:
        return self._get("purchase_line", lambda ids: visibility.lines_by_ids(self.viewer, ids))

    @property
    def campaign(self) -> DataLoader:
        return self._get("campaign", lambda ids: visibility.campaigns_by_ids(self.viewer, ids))
