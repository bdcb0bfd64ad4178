"""The ledger context's loaders: members' stored balances and ledger entries."""

from __future__ import annotations

from strawberry.dataloader import DataLoader

from domain.ledger import visibility
from domain.ledger.balances import balances_of
from resolvers.loading import LoaderSet


class LedgerLoaders(LoaderSet):
    @property
    def points_balance(self) -> DataLoader:
        """balance, pending_balance and debt of a member (primed by the member loader)."""
        return self._get("points_balance", balances_of)

    @property
    def points_entry(self) -> DataLoader:
        return self._get("points_entry", lambda ids: visibility.entries_by_ids(self.viewer, ids))
