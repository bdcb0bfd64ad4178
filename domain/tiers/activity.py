"""What counts towards tiers in the rolling window: points earned and purchases made."""

from __future__ import annotations

from datetime import datetime

from dateutil.relativedelta import relativedelta

from domain import db
from domain.clock import Clock
from domain.programme import service as programme_settings
from domain.tiers.rules import Activity


async def window_start(clock: Clock) -> datetime:
    months = await programme_settings.get("tier_window_months")
    return clock.now() - relativedelta(months=months)


# Points that count: what purchases and behaviour earned, less what returns took back.
QUALIFYING_KINDS = ("PURCHASE", "CAMPAIGN_BONUS", "CHECK_IN", "REFERRAL", "REVIEW", "SURVEY", "RETURN")


async def activity_in_window(member_ids: list[int], since: datetime) -> dict[int, Activity]:
    """Points earned (net of returns) and purchases made since `since`, per member."""
    if not member_ids:
        return {}
    n = len(member_ids)
    kinds = list(QUALIFYING_KINDS)
    since_mark = f"${n + len(kinds) + 1}"
    # One statement for both figures: after every purchase this runs outside its transaction,
    # where each statement takes and gives back a pooled connection.
    rows = await db.fetch(
        "SELECT m.id AS member_id,"
        " (SELECT COALESCE(SUM(e.amount), 0) FROM points_entry e"
        "  JOIN points_account a ON a.id = e.account_id JOIN points_journal j ON j.id = e.journal_id"
        f"  WHERE a.member_id = m.id AND j.kind IN ({db.placeholders(len(kinds), n + 1)}) AND j.occurred_at >= {since_mark}) AS points,"
        " (SELECT COUNT(*) FROM purchase p WHERE p.member_id = m.id"
        f"  AND p.occurred_at >= {since_mark} AND p.status IN ('COMPLETED', 'PARTIALLY_RETURNED')) AS purchases"
        f" FROM member m WHERE m.id IN ({db.placeholders(n)})",
        *member_ids, *kinds, since,
    )
    found = {int(r["member_id"]): Activity(points=max(int(r["points"]), 0), purchases=int(r["purchases"])) for r in rows}
    return {m: found.get(m, Activity(points=0, purchases=0)) for m in member_ids}
