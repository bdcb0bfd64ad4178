"""Tier root queries."""

from __future__ import annotations

import strawberry

from resolvers.tiers import queries
from schema.tiers.types import Tier


@strawberry.type
class TierQuery:
    @strawberry.field(description="Tiers and their benefits, lowest first.")
    async def tiers(self) -> list[Tier]:
        return [Tier.from_model(t) for t in await queries.tiers_list()]
