"""The donations context's loaders: projects with their totals, donations, recent donors."""

from __future__ import annotations

from strawberry.dataloader import DataLoader

from domain.donations import history, projects
from domain.donations import settings as donation_settings
from resolvers.loading import LoaderSet


class DonationLoaders(LoaderSet):
    @property
    def charity_project(self) -> DataLoader:
        """Projects the viewer may see (drafts are chain admins'), with their totals."""
        return self._get("charity_project", lambda ids: projects.by_ids(self.viewer, ids))

    @property
    def donation(self) -> DataLoader:
        return self._get("donation", lambda ids: history.by_ids(self.viewer, ids))

    @property
    def recent_donors(self) -> DataLoader:
        async def load(ids: list[int]) -> dict:
            shown = (await donation_settings.current())["recent_donors"]
            return await history.recent_donors(ids, shown)

        return self._get("recent_donors", load)
