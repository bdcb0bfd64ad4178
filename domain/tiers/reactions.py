"""Tiers' part in a member's registration: the starting tier, recorded in the tier history."""

from __future__ import annotations

from domain.members import events
from domain.tiers import service as tiers


async def _starting_tier_id() -> int:
    return (await tiers.lowest_tier()).id


async def _record_starting_tier(event: events.MemberRegistered) -> None:
    tier_id = event.member.tier_id  # type: ignore[attr-defined]
    tier = next(t for t in await tiers.all_tiers() if t.id == tier_id)
    await tiers.record_registration(event.member, tier, event.actor, event.clock, connection=event.connection)


events.provide_initial_tier(_starting_tier_id)
events.on_registered("tiers.starting-tier", _record_starting_tier)
