"""The demo chain: loaded once into an empty development database, never in production."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from devtools import coupon_demo, demo, metrics_demo
from domain.coupons.models import Coupon, CouponTemplate
from domain.donations.check import check_projects
from domain.earning.models import CampaignRule, Purchase
from domain.ledger.check import check_ledger
from domain.ledger.models import PointsJournal
from domain.lotteries.models import Lottery, LotteryDraw, LotteryPrize
from domain.lotteries.verify import verify
from domain.mall.check import check_stock
from domain.mall.models import Redemption
from domain.members.models import Member
from domain.stores.models import ApiKey, StaffUser, Store
from infra.settings import PRODUCTION


async def test_demo_loads_once_and_the_admin_can_sign_in(api, settings):
    lines = await demo.load_if_empty(settings)
    assert sum("kiosk key" in line for line in lines) == 3
    partner_key = next(line for line in lines if "partner key" in line).rsplit(" ", 1)[1]
    assert partner_key.startswith("orch_partner_")
    shown = await api.data("{ bundles(first: 5) { edges { node { name partner { name } pointsRedeemable } } } }",
                           token=partner_key)
    assert [e["node"]["name"] for e in shown["bundles"]["edges"]] == ["Fruit + cake"]
    assert len((await api.data("{ bundles(first: 5) { edges { node { id } } } }"))["bundles"]["edges"]) == 2
    assert await Store.all().count() == 3
    assert await StaffUser.filter(role="STORE_MANAGER").count() == 3 and await StaffUser.filter(role="CLERK").count() == 3
    assert await ApiKey.filter(device_type="KIOSK").count() == 3
    assert await Member.all().count() == 20 + metrics_demo.HISTORY_MEMBERS
    assert await Purchase.all().count() > 2_000 and await Redemption.all().count() > 300
    assert await PointsJournal.filter(kind="EXPIRY").count() > 10
    assert len(set(await Member.all().values_list("tier_id", flat=True))) >= 3
    assert len({b.month for b in await Member.all().values_list("birthday", flat=True)}) == 12
    assert await check_ledger() == []
    assert await check_stock() == []
    assert await CampaignRule.filter(code="MEMBER_DAY").exists()
    assert set(await CouponTemplate.all().values_list("kind", flat=True)) == {"PERCENT_OFF", "AMOUNT_OFF", "TASTING", "FREE_DELIVERY"}
    assert await Coupon.filter(source="ADMIN").count() == 7  # the demo wallets; lottery prizes add more
    open_lottery, closed = await Lottery.get(status="OPEN"), await Lottery.get(status="CLOSED")
    assert len(open_lottery.seed_commitment or "") == 64 and open_lottery.revealed_seed is None
    assert {p.kind for p in await LotteryPrize.filter(lottery_id=open_lottery.id)} == {"TASTING", "COUPON", "POINTS", "NO_PRIZE"}
    assert await LotteryDraw.filter(lottery_id=closed.id).count() == 18
    assert (await verify(closed.id)).mismatch is None
    assert await check_projects() == []
    assert await demo.load_if_empty(settings) == []
    token = await api.login(demo.ADMIN_EMAIL, demo.ADMIN_PASSWORD)
    stores = await api.data("{ stores(first: 10) { totalCount } }", token=token)
    assert stores == {"stores": {"totalCount": 3}}
    charity = await api.data("{ charityProjects(first: 10) { edges { node { name status raisedPoints matchedPoints donorCount } } } }")
    shown = {e["node"]["name"]: e["node"] for e in charity["charityProjects"]["edges"]}
    assert shown["Orchard school appeal"]["status"] == "OPEN" and shown["Orchard school appeal"]["matchedPoints"] > 0
    assert shown["Spring orchard clean-up"]["status"] == "SETTLED" and shown["Spring orchard clean-up"]["donorCount"] > 0


async def test_production_refuses_demo_data(settings):
    with pytest.raises(demo.DemoRefused):
        await demo.load_if_empty(settings.with_(env=PRODUCTION))
    assert await Store.all().count() == 0


async def test_the_coupon_demo_templates_are_made_once(clock):
    first = await coupon_demo.coupon_templates(clock)
    again = await coupon_demo.coupon_templates(clock)
    assert set(first) == {"free-order", "twenty-off", "tasting", "free-delivery"}
    assert {k: t.id for k, t in first.items()} == {k: t.id for k, t in again.items()}
    assert (first["free-order"].kind, first["free-order"].percent, first["free-order"].cap_fen) == ("PERCENT_OFF", 100, 5000)


async def test_the_demo_rush_is_live_just_after_midnight(api, settings, clock):
    clock.set(datetime(2026, 12, 4, 16, 0, 30, tzinfo=UTC))  # half a minute into the day in Shanghai
    await demo.load_if_empty(settings, clock)
    token = await api.login(demo.ADMIN_EMAIL, demo.ADMIN_PASSWORD)
    rush = await api.data("{ redemptionRush { day total } }", token=token)
    assert rush["redemptionRush"]["day"] == "2026-12-05" and rush["redemptionRush"]["total"] > 0
