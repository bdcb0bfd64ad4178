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
from schema import members as member_types
from resolvers.stores.loaders import StoreLoaders


def _aligned(keys: Iterable[Any], found: dict[Any, Any], convert: Callable[[Any], Any]) -> list[Any]:
    return [convert(found[k]) if k in found else None for k in keys]


def loader(batch: Callable[[list[Any]], Awaitable[dict[Any, Any]]], convert: Callable[[Any], Any]) -> DataLoader:
    async def load(keys: list[Any]) -> list[Any]:
        return _aligned(keys, await batch(keys), convert)

    return DataLoader(load_fn=load)


async def _tiers_by_id(ids: list[int]) -> dict[int, Tier]:
    return {t.id: t for t in await tiers.all_tiers() if t.id in ids}


async def _tier_histories(ids: list[int]) -> dict[int, list[member_types.TierChange]]:
    by_id = {t.id: member_types.Tier.from_model(t) for t in await tiers.all_tiers()}
    found: dict[int, list[member_types.TierChange]] = {i: [] for i in ids}
    for change in await TierChange.filter(member_id__in=ids).order_by("-created_at", "-id"):
        found[change.member_id].append(member_types.TierChange(  # type: ignore[attr-defined]
            from_tier=by_id.get(change.from_tier_id), to_tier=by_id[change.to_tier_id],  # type: ignore[attr-defined]
            reason=member_types.TierChangeReason(change.reason), note=change.note, changed_at=change.created_at,
        ))
    return found


async def _points_balances(ids: list[int]) -> dict[int, dict[str, int]]:
    """Read from the ledger's stored balances (never from a cache)."""
    found = {i: {"balance": 0, "pending_balance": 0, "debt": 0} for i in ids}
    for row in await PointsAccount.filter(member_id__in=ids).values("member_id", "balance", "pending_balance", "debt"):
        found[row["member_id"]] = row
    return found


def _identity(value: Any) -> Any:
    return value


class Loaders(StoreLoaders):
    def _old(self, name: str, make: Callable[[], DataLoader]) -> DataLoader:
        made = self._made.get(name)
        if made is None:
            made = self._made[name] = make()
        return made

    @property
    def member(self) -> DataLoader:
        async def batch(ids: list[int]) -> dict[int, member_types.Member]:
            found = await members.members_by_ids(self.viewer, ids)
            balances = self.points_balance
            for member_id, item in found.items():
                # The same statement read the balances: later balance lookups cost nothing.
                balances.prime(member_id, {"balance": item.balance, "pending_balance": item.pending, "debt": item.debt})
            return {member_id: item.member for member_id, item in found.items()}

        return self._old("member", lambda: loader(batch, member_types.Member.from_model))

    @property
    def tier(self) -> DataLoader:
        return self._old("tier", lambda: loader(_tiers_by_id, member_types.Tier.from_model))

    @property
    def tier_history(self) -> DataLoader:
        return self._old("tier_history", lambda: loader(_tier_histories, _identity))

    @property
    def points_balance(self) -> DataLoader:
        return self._old("points_balance", lambda: loader(_points_balances, _identity))

    @property
    def tier_progress(self) -> DataLoader:
        async def batch(ids: list[int]) -> dict[int, member_types.TierProgress]:
            since = await activity.window_start(self.clock)
            found = await activity.activity_in_window(ids, since)
            result = {}
            for member in await self.member.load_many(ids):
                if member is None:
                    continue
                progress = await tiers.progress(member.tier_pk, found[member.pk])
                result[member.pk] = member_types.TierProgress(
                    next_tier=member_types.Tier.from_model(progress.next_tier) if progress.next_tier else None,
                    points=progress.activity.points, purchases=progress.activity.purchases,
                    points_needed=progress.points_needed, purchases_needed=progress.purchases_needed,
                )
            return result

        return self._old("tier_progress", lambda: loader(batch, _identity))

    @property
    def purchase_lines(self) -> DataLoader:
        from resolvers.points import purchase_lines

        return self._old("purchase_lines", lambda: loader(purchase_lines, _identity))

    @property
    def purchase(self) -> DataLoader:
        from domain.access import CallerKind
        from domain.earning.models import Purchase
        from schema.points import Purchase as PurchaseType

        async def batch(ids: list[int]) -> dict[int, Purchase]:
            query = Purchase.filter(id__in=ids)
            if self.viewer.kind is CallerKind.MEMBER:
                query = query.filter(member_id=self.viewer.subject_id)
            elif self.viewer.is_store_bound and self.viewer.kind is CallerKind.STAFF:
                query = query.filter(store_id=self.viewer.store_id)
            elif not self.viewer.is_chain_admin:
                return {}
            return {p.id: p for p in await query}

        return self._old("purchase", lambda: loader(batch, PurchaseType.from_model))

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
