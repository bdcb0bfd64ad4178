"""The ledger context's loaders: members' stored balances."""

from __future__ import annotations

from strawberry.dataloader import DataLoader

from domain.ledger.balances import balances_of
from resolvers.loading import LoaderSet


class LedgerLoaders(LoaderSet):
    @property
    def points_balance(self) -> DataLoader:
        """balance, pending_balance and debt of a member (primed by the member loader)."""
        return self._get("points_balance", balances_of)
