"""Tier use cases that start from ids: a manual floor, the review, the change history read."""

from __future__ import annotations

from domain.access import Viewer, require_chain_admin
from domain.members.models import Member
from domain.tiers import activity
from domain.tiers import service as tiers
from domain.tiers.models import Tier, TierChange
from infra.clock import Clock


async def set_member_floor(viewer: Viewer, member_id: int, tier_code: str | None, reason: str, *, clock: Clock) -> Member:
    require_chain_admin(viewer)
    target = await Member.get_or_none(id=member_id)
    if target is None:
        raise tiers.TierError("MEMBER_NOT_FOUND", "No such member.", field="memberId")
    return await tiers.set_floor(viewer, target, tier_code, reason, clock=clock)


async def review(viewer: Viewer, member_ids: list[int] | None, *, clock: Clock) -> tiers.ReviewReport:
    """The periodic review, run by a chain admin now: everyone, or the members named."""
    require_chain_admin(viewer)
    return await tiers.review_all(
        activity.activity_in_window, window_start=await activity.window_start(clock),
        actor=viewer.idempotency_scope, clock=clock, member_ids=member_ids,
    )


async def tiers_by_ids(ids: list[int]) -> dict[int, Tier]:
    return {t.id: t for t in await tiers.all_tiers() if t.id in ids}


async def changes_of(member_ids: list[int]) -> dict[int, list[TierChange]]:
    """Each member's tier changes, newest first. Who may see them is history_scope's to say."""
    found: dict[int, list[TierChange]] = {i: [] for i in member_ids}
    for change in await TierChange.filter(member_id__in=member_ids).order_by("-created_at", "-id"):
        found[change.member_id].append(change)  # type: ignore[attr-defined]
    return found
