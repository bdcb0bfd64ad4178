"""Per-member limits: units of an item per member per period, counted by a conditional upsert.

The period is the calendar day, ISO week or month of the redemption's local date, or the
member's lifetime. A cancelled or expired redemption gives its units back to its period.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from domain.mall.models import MallMemberQuota
from infra import db

LIFETIME_KEY = "LIFETIME"


class LimitPeriod(StrEnum):
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"
    LIFETIME = "LIFETIME"


def period_key(period: LimitPeriod, local_date: date) -> str:
    if period is LimitPeriod.DAY:
        return local_date.isoformat()
    if period is LimitPeriod.WEEK:
        year, week, _ = local_date.isocalendar()
        return f"{year}-W{week:02d}"
    if period is LimitPeriod.MONTH:
        return f"{local_date.year}-{local_date.month:02d}"
    return LIFETIME_KEY


def describe(period: LimitPeriod) -> str:
    return {LimitPeriod.DAY: "a day", LimitPeriod.WEEK: "a week", LimitPeriod.MONTH: "a month"}.get(period, "in all")


async def take(conn, *, item_id: int, member_id: int, period: str, quantity: int, limit: int) -> bool:
    """Count `quantity` units against the limit if, and only if, they fit. Concurrent takers queue on the row."""
    if quantity > limit:
        return False
    counted = await db.fetch(
        "INSERT INTO mall_member_quota (item_id, member_id, period_key, used) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (item_id, member_id, period_key)"
        " DO UPDATE SET used = mall_member_quota.used + excluded.used WHERE mall_member_quota.used + excluded.used <= $5"
        " RETURNING used",
        item_id, member_id, period, quantity, limit, connection=conn,
    )
    return bool(counted)


async def give_back(conn, *, item_id: int, member_id: int, period: str, quantity: int) -> None:
    changed = await db.execute(
        "UPDATE mall_member_quota SET used = used - $4 WHERE item_id = $1 AND member_id = $2 AND period_key = $3 AND used >= $4",
        item_id, member_id, period, quantity, connection=conn,
    )
    if changed != 1:
        raise RuntimeError(f"quota of member {member_id} for item {item_id} in {period} holds fewer than {quantity} units")


async def used(*, item_id: int, member_id: int, period: str) -> int:
    row = await MallMemberQuota.get_or_none(item_id=item_id, member_id=member_id, period_key=period)
    return row.used if row else 0
