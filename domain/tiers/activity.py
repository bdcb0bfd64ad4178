"""What counts towards tiers in the rolling window: points earned and purchases made."""

from __future__ import annotations

from datetime import datetime

from dateutil.relativedelta import relativedelta

from domain.programme import service as programme_settings
from domain.tiers.rules import Activity
from infra import db
from infra.clock import Clock


async def window_start(clock: Clock) -> datetime:
    months = await programme_settings.get("tier_window_months")
    return clock.now() - relativedelta(months=months)


# Points that count: what purchases and behaviour earned, less what returns took back.
QUALIFYING_KINDS = ("PURCHASE", "CAMPAIGN_BONUS", "CHECK_IN", "REFERRAL", "REVIEW", "SURVEY", "RETURN")
_KINDS = ", ".join(f"'{kind}'" for kind in QUALIFYING_KINDS)  # constants, written into the SQL


def points_sql(member: str, since: str) -> str:
    """A scalar subquery: the qualifying points of `member` (a column or a placeholder) since `since`."""
    return (
        "(SELECT COALESCE(SUM(e.amount), 0) FROM points_entry e"
        " JOIN points_account a ON a.id = e.account_id JOIN points_journal j ON j.id = e.journal_id"
        f" WHERE a.member_id = {member} AND j.kind IN ({_KINDS}) AND j.occurred_at >= {since})"
    )


def purchases_sql(member: str, since: str) -> str:
    """A scalar subquery: the purchases that count of `member` since `since`."""
    return (
        f"(SELECT COUNT(*) FROM purchase p WHERE p.member_id = {member}"
        f" AND p.occurred_at >= {since} AND p.status IN ('COMPLETED', 'PARTIALLY_RETURNED'))"
    )


async def activity_in_window(member_ids: list[int], since: datetime) -> dict[int, Activity]:
    """Points earned (net of returns) and purchases made since `since`, per member."""
    if not member_ids:
        return {}
    since_mark = f"${len(member_ids) + 1}"
    rows = await db.fetch(
        f"SELECT m.id AS member_id, {points_sql('m.id', since_mark)} AS points, {purchases_sql('m.id', since_mark)} AS purchases"
        f" FROM member m WHERE m.id IN ({db.placeholders(len(member_ids))})",
        *member_ids, since,
    )
    found = {int(r["member_id"]): Activity(points=max(int(r["points"]), 0), purchases=int(r["purchases"])) for r in rows}
    return {m: found.get(m, Activity(points=0, purchases=0)) for m in member_ids}
