"""The mall context's loaders: items with the viewer's price, stock, redemptions and price rules."""

from __future__ import annotations

from strawberry.dataloader import DataLoader

from domain.mall import history, stock, visibility
from resolvers.loading import LoaderSet


class MallLoaders(LoaderSet):
    @property
    def mall_stock(self) -> DataLoader:
        return self._get("mall_stock", stock.remaining)

    @property
    def mall_item(self) -> DataLoader:
        """Items the viewer may see (retired ones are for staff), with the viewer's price."""
        return self._get("mall_item", lambda ids: visibility.priced_items(self.viewer, self.clock, ids, retired_too=False))

    @property
    def redeemed_item(self) -> DataLoader:
        """The item of a redemption the viewer sees, retired or not."""
        return self._get("redeemed_item", lambda ids: visibility.priced_items(self.viewer, self.clock, ids, retired_too=True))

    @property
    def redemption(self) -> DataLoader:
        return self._get("redemption", lambda ids: history.by_ids(self.viewer, ids))

    @property
    def mall_price_rule(self) -> DataLoader:
        return self._get("mall_price_rule", lambda ids: visibility.price_rules_by_ids(self.viewer, ids))
