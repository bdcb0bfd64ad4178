"""Tier rules as pure functions: which tier a member's activity qualifies for, and where a change lands."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


class TierLike(Protocol):
    id: int
    rank: int
    min_points: int
    min_purchases: int


@dataclass(frozen=True)
class Activity:
    """What counts for tiers inside the rolling window."""

    points: int
    purchases: int


def qualifies(tier: TierLike, activity: Activity) -> bool:
    """Both dimensions together: points earned AND purchase frequency."""
    return activity.points >= tier.min_points and activity.purchases >= tier.min_purchases


def qualified_tier(tiers: Sequence[TierLike], activity: Activity) -> TierLike:
    ordered = sorted(tiers, key=lambda t: t.rank)
    best = ordered[0]
    for tier in ordered:
        if qualifies(tier, activity):
            best = tier
    return best


def _at_least(tier: TierLike, floor: TierLike | None) -> TierLike:
    return floor if floor is not None and floor.rank > tier.rank else tier


def after_activity(tiers: Sequence[TierLike], current: TierLike, floor: TierLike | None, activity: Activity) -> TierLike:
    """Upgrades apply as soon as a member qualifies; activity never lowers a tier."""
    target = _at_least(qualified_tier(tiers, activity), floor)
    return target if target.rank > current.rank else current


def after_review(tiers: Sequence[TierLike], current: TierLike, floor: TierLike | None, activity: Activity) -> TierLike:
    """At a periodic review a member may drop, but by one tier at most, and never below the floor."""
    target = _at_least(qualified_tier(tiers, activity), floor)
    if target.rank >= current.rank:
        return target
    ordered = sorted(tiers, key=lambda t: t.rank)
    below = [t for t in ordered if t.rank < current.rank]
    one_down = below[-1] if below else current
    return _at_least(one_down if one_down.rank > target.rank else target, floor)


def next_tier(tiers: Sequence[TierLike], current: TierLike) -> TierLike | None:
    above = sorted((t for t in tiers if t.rank > current.rank), key=lambda t: t.rank)
    return above[0] if above else None
