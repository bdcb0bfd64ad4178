"""Tier mutations."""

from __future__ import annotations

from typing import Any

from domain.members.models import Member
from domain.tiers import admin
from domain.tiers import service as tiers
from domain.tiers.models import Tier
from resolvers.context import RequestContext
from resolvers.global_ids import input_pk, optional_input_pk


async def create_tier(ctx: RequestContext, values: dict[str, Any]) -> Tier:
    return await tiers.create_tier(ctx.viewer, **values)


async def update_tier(ctx: RequestContext, tier_id: str, values: dict[str, Any]) -> Tier:
    return await tiers.update_tier(ctx.viewer, input_pk(tier_id, "Tier", "id"), **values)


async def set_member_tier_floor(ctx: RequestContext, member_id: str, tier_code: str | None, reason: str) -> Member:
    return await admin.set_member_floor(ctx.viewer, input_pk(member_id, "Member", "memberId"), tier_code, reason, clock=ctx.clock)


async def review_tiers(ctx: RequestContext, member_id: str | None) -> tiers.ReviewReport:
    member_pk = optional_input_pk(member_id, "Member", "memberId")
    return await admin.review(ctx.viewer, [member_pk] if member_pk is not None else None, clock=ctx.clock)
