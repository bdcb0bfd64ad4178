"""Per-request DataLoaders. Each batch applies the viewer's access rules: what it may not see is None."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from strawberry.dataloader import DataLoader

from domain.access import Viewer
from infra.clock import Clock
from domain.members import services as members
from domain.tiers import activity
from domain.tiers import service as tiers
from domain.ledger.models import PointsAccount
from domain.tiers.models import Tier, TierChange
from resolvers.earning.loaders import EarningLoaders
from resolvers.ledger.loaders import LedgerLoaders
from resolvers.members.loaders import MemberLoaders
from resolvers.stores.loaders import StoreLoaders
from resolvers.tiers.loaders import TierLoaders


def _aligned(keys: Iterable[Any], found: dict[Any, Any], convert: Callable[[Any], Any]) -> list[Any]:
    return [convert(found[k]) if k in found else None for k in keys]


def loader(batch: Callable[[list[Any]], Awaitable[dict[Any, Any]]], convert: Callable[[Any], Any]) -> DataLoader:
    async def load(keys: list[Any]) -> list[Any]:
        return _aligned(keys, await batch(keys), convert)

    return DataLoader(load_fn=load)


def _identity(value: Any) -> Any:
    return value


class Loaders(StoreLoaders, MemberLoaders, TierLoaders, LedgerLoaders, EarningLoaders):
    def _old(self, name: str, make: Callable[[], DataLoader]) -> DataLoader:
        made = self._made.get(name)
        if made is None:
            made = self._made[name] = make()
        return made

    @property
    def mall_stock(self) -> DataLoader:
        from resolvers.mall import stock_remaining

        return self._old("mall_stock", lambda: loader(stock_remaining, _identity))

    @property
    def mall_item(self) -> DataLoader:
        """Items the viewer may see (retired ones are for staff), with the viewer's price."""
        from resolvers.mall import priced_items

        return self._old("mall_item", lambda: loader(
            lambda ids: priced_items(self.viewer, self.clock, ids, retired_too=False), _identity
        ))

    @property
    def redeemed_item(self) -> DataLoader:
        """The item of a redemption the viewer sees, retired or not."""
        from resolvers.mall import priced_items

        return self._old("redeemed_item", lambda: loader(
            lambda ids: priced_items(self.viewer, self.clock, ids, retired_too=True), _identity
        ))

    @property
    def redemption(self) -> DataLoader:
        from resolvers.mall import redemptions_by_ids

        return self._old("redemption", lambda: loader(lambda ids: redemptions_by_ids(self.viewer, ids), _identity))

    @property
    def mall_price_rule(self) -> DataLoader:
        from resolvers.mall import price_rules_by_ids

        return self._old("mall_price_rule", lambda: loader(lambda ids: price_rules_by_ids(self.viewer, ids), _identity))
