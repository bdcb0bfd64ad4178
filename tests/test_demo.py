"""The demo chain: loaded once into an empty development database, never in production."""

from __future__ import annotations

import pytest

from devtools import demo
from domain.donations.check import check_projects
from domain.earning.models import CampaignRule
from domain.ledger.check import check_ledger
from domain.members.models import Member
from domain.stores.models import ApiKey, StaffUser, Store
from infra.settings import PRODUCTION


async def test_demo_loads_once_and_the_admin_can_sign_in(api, settings):
    lines = await demo.load_if_empty(settings)
    assert sum("kiosk key" in line for line in lines) == 3
    assert await Store.all().count() == 3
    assert await StaffUser.filter(role="STORE_MANAGER").count() == 3 and await StaffUser.filter(role="CLERK").count() == 3
    assert await ApiKey.filter(device_type="KIOSK").count() == 3
    assert await Member.all().count() == 20
    assert len(set(await Member.all().values_list("tier_id", flat=True))) >= 3
    assert len({b.month for b in await Member.all().values_list("birthday", flat=True)}) == 12
    assert await check_ledger() == []
    assert await CampaignRule.filter(code="MEMBER_DAY").exists()
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
