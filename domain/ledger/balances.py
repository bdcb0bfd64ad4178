"""Members' stored balances, read in one statement for many members."""

from __future__ import annotations

from domain.ledger.models import PointsAccount


async def balances_of(member_ids: list[int]) -> dict[int, dict[str, int]]:
    """balance, pending_balance and debt by member, from the ledger's stored balances (never a cache);
    a member without an account has zeros."""
    found = {i: {"balance": 0, "pending_balance": 0, "debt": 0} for i in member_ids}
    for row in await PointsAccount.filter(member_id__in=member_ids).values("member_id", "balance", "pending_balance", "debt"):
        found[row["member_id"]] = row
    return found
