"""Tier queries."""

from __future__ import annotations

from domain.members import services as members
from domain.pagination import PageRequest
from domain.tiers import service as tiers
from domain.tiers.models import Tier, TierChange
from resolvers.context import RequestContext


async def tiers_list() -> list[Tier]:
    return await tiers.all_tiers()


async def tier_history(ctx: RequestContext, member_pk: int, home_store_pk: int | None, first: int) -> list[TierChange]:
    """Tier changes are chain-wide history: a store that is not the member's home sees none."""
    size = PageRequest(first=first).size()  # 0 to 100, as every connection takes
    if not members.history_scope(ctx.viewer, member_pk, home_store_id=home_store_pk).is_full:
        return []
    return (await ctx.loaders.tier_history.load(member_pk))[:size]
