"""The lotteries' loaders: lotteries with their prize tables, prize stock, and draws."""

from __future__ import annotations

from strawberry.dataloader import DataLoader

from domain.lotteries import catalogue, visibility
from resolvers.loading import LoaderSet


class LotteryLoaders(LoaderSet):
    @property
    def lottery(self) -> DataLoader:
        """Lotteries the viewer may see (drafts: chain admins), each with its prize table."""
        return self._get("lottery", lambda ids: catalogue.visible_tables(self.viewer, ids))

    @property
    def lottery_stock(self) -> DataLoader:
        return self._get("lottery_stock", catalogue.stock_by_lottery)

    @property
    def lottery_draw(self) -> DataLoader:
        return self._get("lottery_draw", lambda ids: visibility.draws_by_ids(self.viewer, ids))
