"""`orchard seed`: load-test data that passes the ledger check and works through the API."""

from __future__ import annotations

import importlib.util
import json

import pytest

from devtools import seed
from domain import phones
from domain.ledger.check import check_ledger
from domain.ledger.models import JournalKind, LotConsumption, PointsAccount, PointsJournal, PointsLot
from domain.members import codes
from domain.members.models import Member
from domain.stores.models import ApiKey, StaffUser, Store
from domain.tiers.models import TierChange
from infra import db
from infra.settings import PRODUCTION
from schema.relay import to_global_id

MALL = importlib.util.find_spec("domain.mall.models") is not None
MEMBER = "query($c: String!) { member(code: $c) { code pointsBalance } }"
PURCHASE = """mutation($i: RecordPurchaseInput!) { recordPurchase(input: $i) {
  purchase { pointsEarned } member { pointsBalance } errors { code } } }"""


def _plan(tmp_path, **changes) -> seed.SeedPlan:
    values = dict(members=300, stores=3, items=10, history_days=200, batch=128, sample_members=50,
                  keys_file=tmp_path / "seed-keys.json")
    values.update(changes)
    return seed.SeedPlan(**values)


async def test_seeded_data_passes_the_ledger_check_and_serves_clerks_and_kiosks(api, settings, clock, tmp_path):
    plan = _plan(tmp_path)
    report = await seed.seed(plan, settings, clock=clock)

    assert report.counts["member"] == await Member.all().count() == 300
    assert await Store.filter(code__startswith="ST-").count() == 3
    assert await StaffUser.filter(role="CLERK").count() == 3 and await StaffUser.filter(email=seed.ADMIN_EMAIL).exists()
    assert await ApiKey.filter(device_type="KIOSK").count() == 3
    assert await PointsAccount.filter(kind="MEMBER").count() == 300
    assert await TierChange.filter(reason="REGISTRATION").count() == 300
    journals = await PointsJournal.all().count()
    assert 300 * 8 <= journals <= 300 * (plan.entries_per_member + 2)
    assert await PointsJournal.filter(kind=JournalKind.REDEMPTION).exists() and await LotConsumption.all().exists()
    assert len(set(await Member.all().values_list("tier_id", flat=True))) == 4
    assert await check_ledger() == []

    member_codes = await Member.all().values_list("code", flat=True)
    assert len(set(member_codes)) == 300 and all(codes.is_valid_member_code(code) for code in member_codes)
    assert len(set(await Member.all().values_list("referral_code", flat=True))) == 300

    keys = json.loads(plan.keys_file.read_text())
    assert len(keys["stores"]) == 3 and len(keys["members"]) == 50
    sampled = keys["members"][7]
    assert (await Member.get(id=sampled["id"])).phone_hash == phones.lookup_hash(sampled["phone"], settings.personal_data_key)

    store = keys["stores"][0]
    member = await Member.filter(home_store_id=store["id"]).order_by("id").first()
    balance = (await PointsAccount.get(member_id=member.id)).balance
    clerk = await api.login(store["clerk"]["email"], store["clerk"]["password"])
    assert (await api.data(MEMBER, {"c": member.code}, token=clerk))["member"] == {"code": member.code, "pointsBalance": balance}
    kiosk = store["kioskKey"]
    assert (await api.data(MEMBER, {"c": member.code}, token=kiosk))["member"]["pointsBalance"] == balance

    # The sequences moved past the seeded ids: new writes through the API do not collide.
    bought = (await api.data(PURCHASE, {"i": {
        "memberCode": member.code, "storeId": to_global_id("Store", store["id"]), "channel": "IN_STORE",
        "lines": [{"sku": "DOM-APPLE-1KG", "category": "DOMESTIC_FRUIT", "quantity": 1, "unitPrice": "15.90"}],
        "clientTxnId": "after-seed-1",
    }}, token=kiosk))["recordPurchase"]
    assert bought["errors"] == [] and bought["member"]["pointsBalance"] == balance + bought["purchase"]["pointsEarned"]
    assert await check_ledger() == []


@pytest.mark.skipif(not MALL, reason="there is no mall yet")
async def test_mall_items_are_seeded_with_limited_and_unlimited_stock(settings, clock, tmp_path):
    from domain.mall.models import MallItem, MallStockBucket

    report = await seed.seed(_plan(tmp_path, members=5), settings, clock=clock)
    assert not report.items_skipped
    items = await MallItem.all()
    assert len(items) == 10 and {item.band for item in items} == {"LOW", "MIDDLE", "HIGH"}
    assert {item.stock_limited for item in items} == {True, False}
    limited = [item for item in items if item.stock_limited]
    assert await MallStockBucket.filter(item_id__in=[item.id for item in limited]).count() == sum(i.stock_buckets for i in limited)


async def test_a_second_run_needs_append_and_then_keeps_the_ledger_clean(settings, clock, tmp_path):
    await seed.seed(_plan(tmp_path, members=40, items=0), settings, clock=clock)
    with pytest.raises(seed.SeedRefused):
        await seed.seed(_plan(tmp_path, members=10, items=0), settings, clock=clock)
    await seed.seed(_plan(tmp_path, members=25, items=0, append=True, seed=2), settings, clock=clock)
    assert await Member.all().count() == 65 and await Store.filter(code__startswith="ST-").count() == 3
    assert len(set(await Member.all().values_list("code", flat=True))) == 65
    assert await check_ledger() == []


async def test_a_history_longer_than_the_points_validity_expires_old_lots(settings, clock, tmp_path):
    await seed.seed(_plan(tmp_path, members=60, items=0, history_days=900), settings, clock=clock)
    assert await PointsJournal.filter(kind=JournalKind.EXPIRY).exists()
    assert not await PointsLot.filter(status="EXPIRED", remaining__gt=0).exists()
    assert not await PointsLot.filter(status="AVAILABLE", remaining__gt=0, expires_at__lte=clock.now()).exists()
    assert await check_ledger() == []


async def test_production_is_refused(settings, clock, tmp_path):
    with pytest.raises(seed.SeedRefused):
        await seed.seed(_plan(tmp_path, members=5), settings.with_(env=PRODUCTION), clock=clock)
    assert not await Store.exists() and not (tmp_path / "seed-keys.json").exists()


async def test_skipping_foreign_key_checks_is_for_postgres_superusers(settings, clock, tmp_path):
    plan = _plan(tmp_path, members=60, items=0, fk_checks=False)
    superuser = db.is_postgres() and (await db.fetch("SELECT current_setting('is_superuser') AS su"))[0]["su"] == "on"
    if not superuser:
        with pytest.raises(seed.SeedRefused):
            await seed.seed(plan, settings, clock=clock)
        assert not await Member.exists()
        return
    await seed.seed(plan, settings, clock=clock)
    assert await Member.all().count() == 60 and await check_ledger() == []
