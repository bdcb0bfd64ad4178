"""The audit trail's append lock is taken after every row lock of its transaction, also on the
redemption's one-message commit: an audited redemption waiting for a stock row never holds the
append lock that the transaction holding that row waits for (a deadlock seen under PgBouncer load:
a kiosk redemption against an admin's restock)."""

from __future__ import annotations

import asyncio

from domain.audit.trail import _LOCK_KEY
from domain.stores import api_keys
from tests.conftest import requires_postgres
from tests.test_idempotent_twins import admin_connection, until_waiting_on_a_lock
from tests.test_mall import REDEEM, Mall, new_key, pk, units_left

pytestmark = requires_postgres("row locks and advisory locks of real PostgreSQL connections")


async def test_an_audited_redemption_waits_for_the_stock_row_before_the_audit_lock(api):
    mall = await Mall.open(api)
    item = await mall.item(pointsPrice=10, stock=5)
    shopper = await mall.member(balance=100)
    kiosk = (await api_keys.create_device_key(mall.store, api_keys.DeviceType.KIOSK, "kiosk")).secret
    request = {"itemId": item["id"], "memberCode": shopper.code, "idempotencyKey": new_key()}
    async with admin_connection(api) as other:
        held = other.transaction()
        await held.start()
        await other.execute("UPDATE mall_stock_bucket SET remaining = remaining WHERE item_id = $1",
                            pk(item["id"]))  # as a restock holds them
        redeeming = asyncio.ensure_future(api.data(REDEEM, {"i": request}, token=kiosk))
        await until_waiting_on_a_lock(other)  # the redemption waits for the stock row
        # The other transaction now takes the append lock, as an audited restock does at commit:
        # it must get it at once, because the waiting redemption does not hold it yet.
        await asyncio.wait_for(other.execute("SELECT pg_advisory_xact_lock($1)", _LOCK_KEY), timeout=5)
        await held.commit()
        done = (await redeeming)["redeemMallItem"]
    assert done["errors"] == [] and await units_left(item) == 4
