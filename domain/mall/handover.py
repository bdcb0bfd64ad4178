"""Mall units another context keeps for a while: a lottery's MALL_ITEM prize.

The stock check (check.py) balances units in stock + open and fulfilled redemptions against
every unit received. Units handed over leave the buckets and the received count together, so
the check holds while the other context keeps them; each unit it then grants comes back as
received and leaves at once as a redemption (quantity 1, no points: the draw paid), collected
at the counter with its code like any other; units never granted come back as a restock.
An item without stock limit has nothing to hand over: only its redemptions are made.
"""

from __future__ import annotations

from datetime import timedelta

from domain.mall import codes, stock
from domain.mall import settings as mall_settings
from domain.mall.models import MallItem, Redemption
from infra import db
from infra.clock import Clock, utc

CODE_ATTEMPTS = 5


async def _received(conn, item_id: int, quantity: int) -> None:
    await db.execute(
        "UPDATE mall_item SET stock_received = stock_received + $1 WHERE id = $2", quantity, item_id, connection=conn
    )


async def take_out(conn, item: MallItem, quantity: int) -> bool:
    """Take `quantity` units out of the item's stock; False (nothing taken) when it holds fewer."""
    if not item.stock_limited or quantity == 0:
        return True
    levels = await stock.levels(item.id, connection=conn)
    if not await stock.take(conn, item.id, quantity, stock.plan(levels, quantity)):
        return False
    await _received(conn, item.id, -quantity)
    return True


async def put_back(conn, item: MallItem, quantity: int) -> None:
    """Units handed over and not granted go back to the item's stock."""
    if item.stock_limited and quantity:
        await stock.restock(conn, item.id, quantity)


async def grant(conn, item: MallItem, member_id: int, store_id: int | None, *, scope: str, key: str, actor: str,
                clock: Clock) -> Redemption:
    """A redemption of one handed-over unit for `member_id`, once per (scope, key)."""
    hours = (await mall_settings.current())["redemption_valid_hours"]
    now = utc(clock.now())
    for _ in range(CODE_ATTEMPTS):
        inserted = await db.fetch(
            "INSERT INTO mall_redemption (code, item_id, member_id, store_id, quantity, unit_points, points_spent, cash_fen,"
            " status, period_key, caller_scope, idempotency_key, fingerprint, actor, created_at, expires_at)"
            " VALUES ($1, $2, $3, $4, 1, 0, 0, 0, 'PENDING', NULL, $5, $6, $7, $8, $9, $10)"
            " ON CONFLICT DO NOTHING RETURNING *",
            codes.new_code(), item.id, member_id, store_id, scope, key, "-", actor, now, now + timedelta(hours=hours),
            connection=conn,
        )
        if inserted:
            if item.stock_limited:
                await _received(conn, item.id, 1)
            return Redemption._init_from_db(**inserted[0])
        first = await Redemption.get_or_none(caller_scope=scope, idempotency_key=key).using_db(conn)
        if first is not None:
            return first
    raise RuntimeError("no free redemption code after several draws")
