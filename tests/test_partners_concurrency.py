"""The last units of a bundle, raced by points redemptions and cash sales at tills at once: the
one stock never oversells. Real parallel connections on PostgreSQL; smaller on every database."""

from __future__ import annotations

from domain.ledger.check import check_ledger
from domain.mall.check import check_stock
from domain.mall.models import Redemption
from domain.partners.models import BundleSale
from tests.concurrently import all_at_once
from tests.partners_support import Partners
from tests.points_support import ensure_default_rules
from tests.test_mall import codes_of, units_left
from tests.test_mall_concurrency import ON_POSTGRES, many_members, redeem


async def _sell(shop: Partners, member_code: str, bundle: dict) -> dict:
    """As a till does: TRY_AGAIN is sent again with the same clientTxnId."""
    sale = shop.sale_input(member_code, bundle)
    for _ in range(5):
        body = (await shop.api.data(
            "mutation($i: RecordPurchaseInput!) { recordPurchase(input: $i) { purchase { id } errors { code } } }",
            {"i": sale}, token=shop.mall.clerk))["recordPurchase"]
        if codes_of([body]) != ["TRY_AGAIN"]:
            return body
    return body


async def test_points_and_cash_sales_of_the_last_units_never_oversell(api, clock):
    await ensure_default_rules(clock)
    shop = await Partners.open(api)
    bakery = await shop.partner()
    units, racers = (5, 40) if ON_POSTGRES else (3, 8)
    bundle = await shop.bundle(bakery, pointsPrice=100, stock=units)
    redeemers = await many_members(api, racers, 500)
    buyers = await many_members(api, racers, 1)

    results = await all_at_once(
        *(redeem(shop.mall, m, bundle) for m in redeemers), *(_sell(shop, m.code, bundle) for m in buyers)
    )
    won = [r for r in results if r["errors"] == []]
    assert len(won) == units
    assert set(codes_of(results)) == {"OUT_OF_STOCK"}
    assert await units_left(bundle) == 0
    assert await Redemption.all().count() + sum(s.quantity for s in await BundleSale.all()) == units
    assert await check_stock() == [] and await check_ledger() == []
