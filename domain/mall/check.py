"""The stock invariant: for every item with limited stock, the units still in stock plus the
units of open and fulfilled redemptions equal every unit ever received. Load tests end with it."""

from __future__ import annotations

from infra import db

OPEN_OR_DONE = ("PENDING", "FULFILLED")


async def check_stock() -> list[str]:
    rows = await db.fetch(
        "SELECT i.id AS id, i.name AS name, i.stock_received AS received,"
        " COALESCE((SELECT SUM(b.remaining) FROM mall_stock_bucket b WHERE b.item_id = i.id), 0) AS in_stock,"
        " COALESCE((SELECT SUM(r.quantity) FROM mall_redemption r WHERE r.item_id = i.id"
        "   AND r.status IN ($1, $2)), 0)"
        # Partner bundles sold for cash at the till take the same stock (domain/partners/sales.py).
        " + COALESCE((SELECT SUM(s.quantity) FROM partner_bundle_sale s WHERE s.item_id = i.id), 0)"
        " - COALESCE((SELECT SUM(x.quantity) FROM partner_bundle_sale_return x WHERE x.item_id = i.id), 0) AS redeemed"
        " FROM mall_item i WHERE i.stock_limited ORDER BY i.id",
        *OPEN_OR_DONE,
    )
    problems = []
    for row in rows:
        received, in_stock, redeemed = int(row["received"]), int(row["in_stock"]), int(row["redeemed"])
        if in_stock < 0 or in_stock + redeemed != received:
            problems.append(
                f"item {row['id']} ({row['name']}): in stock {in_stock} + redeemed {redeemed} != received {received}"
            )
    return problems
