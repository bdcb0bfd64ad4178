"""When the periodic tier review runs: on the first day of each month (00:00 UTC).

A review may drop a member one tier, so it must not run more often than its schedule: the
worker keeps the next review's time in the database (infra.worker), whichever host runs it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from domain.tiers import activity
from domain.tiers import service as tiers
from infra.clock import Clock, utc

REVIEW_ACTOR = "system:review"


def next_review(after: datetime) -> datetime:
    """The first review time strictly after `after`."""
    at = utc(after)
    year, month = (at.year + 1, 1) if at.month == 12 else (at.year, at.month + 1)
    return datetime(year, month, 1, tzinfo=UTC)


async def review_now(clock: Clock, progress: Callable[[int], None] | None = None) -> tiers.ReviewReport:
    """The review over every member; `progress(members_so_far)` after each batch."""
    reviewed = 0

    def counted(batch: int) -> None:
        nonlocal reviewed
        reviewed += batch
        if progress:
            progress(reviewed)

    return await tiers.review_all(
        activity.activity_in_window, window_start=await activity.window_start(clock),
        actor=REVIEW_ACTOR, clock=clock, progress=counted,
    )
