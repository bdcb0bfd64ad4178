"""The stock invariant the load tests end with: in stock + open and fulfilled redemptions = received."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from domain.mall.check import check_stock
from domain.mall.models import MallStockBucket
from infra import db
from tests.test_mall import Mall, pk


async def test_stock_balances_through_redeem_restock_cancel_and_fulfil(api):
    mall = await Mall.open(api)
    item = await mall.item(pointsPrice=10, stock=5, stockBuckets=2)
    shopper = await mall.member(balance=1000)
    kept = await mall.redeem(shopper, item, quantity=2, storeId=mall.store_gid)
    dropped = await mall.redeem(shopper, item, quantity=1, storeId=mall.store_gid)
    restock = "mutation($i: RestockMallItemInput!) { restockMallItem(input: $i) { item { stockRemaining } errors { code } } }"
    restocked = await api.data(restock, {"i": {"itemId": item["id"], "quantity": 7, "idempotencyKey": "re-1"}}, token=mall.admin)
    assert restocked["restockMallItem"] == {"item": {"stockRemaining": 9}, "errors": []}
    assert (await mall.cancel(dropped["redemption"]["id"], shopper.token))["errors"] == []
    assert (await mall.fulfil(kept["redemption"]["code"]))["errors"] == []
    assert await check_stock() == []

    bucket = await MallStockBucket.filter(item_id=pk(item["id"])).first()
    await db.execute("UPDATE mall_stock_bucket SET remaining = remaining + 1 WHERE id = $1", bucket.id)
    problems = await check_stock()
    assert len(problems) == 1 and "in stock 11 + redeemed 2 != received 12" in problems[0]


def test_orchard_mall_check_exit_status(tmp_path):
    url = f"sqlite://{tmp_path}/check.db"
    orchard = str(Path(sys.executable).with_name("orchard"))
    env = {"ORCHARD_DATABASE_URL": url, "PATH": "/usr/bin:/bin"}
    subprocess.run([orchard, "migrate"], env=env, check=True, capture_output=True)
    done = subprocess.run([orchard, "mall", "check"], env=env, capture_output=True, text=True)
    assert done.returncode == 0 and "stock check: clean" in done.stdout
