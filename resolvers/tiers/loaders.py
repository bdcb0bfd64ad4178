"""The tier context's loaders: tiers, members' tier changes and their progress to the next tier."""

from __future__ import annotations

from strawberry.dataloader import DataLoader

from domain.tiers import activity, admin
from domain.tiers import service as tiers
from resolvers.loading import LoaderSet


class TierLoaders(LoaderSet):
    @property
    def tier(self) -> DataLoader:
        return self._get("tier", admin.tiers_by_ids)

    @property
    def tier_history(self) -> DataLoader:
        return self._get("tier_history", admin.changes_of)

    @property
    def tier_progress(self) -> DataLoader:
        """A member's tiers.Progress; the member must be one the viewer sees (the member loader)."""

        async def batch(ids: list[int]) -> dict[int, tiers.Progress]:
            since = await activity.window_start(self.clock)
            found = await activity.activity_in_window(ids, since)
            result = {}
            for member in await self.member.load_many(ids):  # type: ignore[attr-defined]
                if member is not None:
                    result[member.id] = await tiers.progress(member.tier_id, found[member.id])
            return result

        return self._get("tier_progress", batch)
