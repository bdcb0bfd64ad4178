"""The webhook events of the redemption path: what `redemption.*` events carry."""

from __future__ import annotations

from typing import Any

from domain.mall.models import Redemption
from domain.webhooks import events


def redemption_data(redemption: Redemption, **changed: Any) -> dict[str, Any]:
    """A redemption as its events show it; `changed` are the columns the event's write just set."""
    row = {**redemption.__dict__, **changed}
    store_id, fulfilled_store_id = row.get("store_id"), row.get("fulfilled_store_id")
    return {"redemption": {
        "id": events.api_id("Redemption", row["id"]),
        "code": row["code"],
        "status": row["status"],
        "itemId": events.api_id("MallItem", row["item_id"]),
        "memberId": events.api_id("Member", row["member_id"]),
        "storeId": events.api_id("Store", store_id) if store_id is not None else None,
        "quantity": row["quantity"],
        "pointsSpent": row["points_spent"],
        "cash": {"amount": f"{row['cash_fen'] // 100}.{row['cash_fen'] % 100:02d}", "currency": "CNY"},
        "createdAt": events.iso(row["created_at"]),
        "fulfilledAt": events.iso(row.get("fulfilled_at")),
        "fulfilledStoreId": events.api_id("Store", fulfilled_store_id) if fulfilled_store_id is not None else None,
        "cancelledAt": events.iso(row.get("cancelled_at")),
        "cancelReason": row.get("cancel_reason"),
    }}
