"""The member context's loaders: members as the viewer may see them."""

from __future__ import annotations

from strawberry.dataloader import DataLoader

from domain.members import services as members
from domain.members.models import Member
from resolvers.loading import LoaderSet


class MemberLoaders(LoaderSet):
    @property
    def member(self) -> DataLoader:
        async def batch(ids: list[int]) -> dict[int, Member]:
            found = await members.members_by_ids(self.viewer, ids)
            balances = self.points_balance  # type: ignore[attr-defined]
            for member_id, item in found.items():
                # The same statement read the balances: later balance lookups cost nothing.
                balances.prime(member_id, {"balance": item.balance, "pending_balance": item.pending, "debt": item.debt})
            return {member_id: item.member for member_id, item in found.items()}

        return self._get("member", batch)

    @property
    def legacy_ids(self) -> DataLoader:
        """Old member ids, for members the viewer already sees (the member was loaded through `member`)."""
        return self._get("legacy_ids", members.legacy_ids_of)
