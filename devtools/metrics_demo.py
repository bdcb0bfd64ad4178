"""Ninety days of history for the demo chain, so every dashboard chart has a shape on first start:
members joining over the period, a few thousand purchases (weekends and the member day busier),
redemptions of the demo mall's items, old points expiring week by week, and each store's daily
total of all sales (members and others). Written through the ledger service, so `orchard ledger
check` and `orchard mall check` stay clean; the rollups are rebuilt at the end."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from domain import phones
from domain.earning.models import Purchase, PurchaseLine
from domain.ledger import service as ledger
from domain.ledger.models import JournalKind
from domain.mall import codes as redemption_codes
from domain.mall.models import MallItem, Redemption
from domain.members import codes
from domain.members.models import Member
from domain.metrics import rollups
from domain.metrics.models import MetricsState, StoreSalesDay
from domain.stores.models import Store
from domain.tiers import service as tiers
from domain.tiers.models import TierChange
from infra.clock import Clock, FixedClock
from infra.db import execute
from infra.settings import Settings

DAYS = 90
HISTORY_MEMBERS = 160
SHANGHAI = ZoneInfo("Asia/Shanghai")
CATEGORIES = [("DOMESTIC_FRUIT", 1), ("IMPORTED_FRUIT", 2), ("FRESH_CUT", 1), ("GIFT_BOX", 1)]
ACTOR = "system:demo-history"


async def load_demo_history(settings: Settings, stores: list[Store], clock: Clock) -> int:
    """Write the history; returns the number of purchases."""
    rng = random.Random(90)
    now = clock.now()
    today = now.astimezone(SHANGHAI).date()
    first_day = today - timedelta(days=DAYS)
    ladder = await tiers.all_tiers()
    items = [i for i in await MallItem.filter(retired_at=None).order_by("id") if i.points_price <= 1500]
    purchases = 0
    async with in_transaction() as conn:
        for item in items:  # the cost to the chain: about 60% of the points' face value
            await MallItem.filter(id=item.id).using_db(conn).update(cost_fen=item.points_price * 6 // 10)
        members: list[tuple[Member, date]] = [(m, first_day) for m in await Member.all().using_db(conn)]
        balances = {m.id: await ledger.balance(m.id) for m, _ in members}
        for n in range(HISTORY_MEMBERS):
            joined = first_day + timedelta(days=int(DAYS * (n / HISTORY_MEMBERS) ** 0.8))
            at = datetime(joined.year, joined.month, joined.day, 10, tzinfo=SHANGHAI) + timedelta(minutes=rng.randrange(600))
            phone = f"+86137{n:08d}"
            tier = ladder[0] if rng.random() < 0.7 else ladder[min(rng.randrange(1, 4), len(ladder) - 1)]
            member = await Member.create(
                code=codes.new_member_code(), phone_hash=phones.lookup_hash(phone, settings.personal_data_key),
                phone_encrypted=phones.encrypt(phone, settings.personal_data_key), phone_masked=phones.mask(phone),
                name=f"History member {n + 1}", birthday=date(1975 + n % 30, n % 12 + 1, 1 + n % 28), region="Shanghai",
                home_store=stores[n % len(stores)],
                marketing_consent=True, channel=rng.choice(["APP", "MINI_PROGRAM", "POS"]),
                referral_code=codes.new_referral_code(), tier=tier, created_at=at, updated_at=at, using_db=conn,
            )
            await TierChange.create(member=member, from_tier=None, to_tier=tier, reason="REGISTRATION", actor=ACTOR,
                                    created_at=at, using_db=conn)
            await ledger.credit(member.id, 50, JournalKind.REGISTRATION, reason="Welcome points", actor=ACTOR,
                                store_id=member.home_store_id, occurred_at=at, clock=clock, connection=conn)
            if n % 3 == 0:  # points from last year that run out during the period
                await ledger.credit(member.id, rng.randrange(50, 400), JournalKind.PURCHASE, reason="Older purchases",
                                    actor=ACTOR, store_id=member.home_store_id, occurred_at=at - timedelta(days=300),
                                    expires_at=at + timedelta(days=rng.randrange(1, 60)), clock=clock, connection=conn)
            members.append((member, joined))
            balances[member.id] = 50  # the older points may have run out by now: not counted as spendable
        weights = [rng.paretovariate(1.2) for _ in members]  # a few members buy much more often

        for offset in range(DAYS + 1):
            day = first_day + timedelta(days=offset)
            busy = 1.6 if day.weekday() >= 5 else 1.0
            busy *= 2.0 if day.day == 8 else 1.0
            count = int(rng.randint(34, 48) * busy)
            sales: dict[int, int] = {}
            for _ in range(count):
                member, joined = rng.choices(members, weights)[0]
                if joined > day:
                    continue
                store = member.home_store_id if rng.random() < 0.8 else rng.choice(stores).id
                at = datetime(day.year, day.month, day.day, 8, tzinfo=SHANGHAI) + timedelta(minutes=rng.randrange(13 * 60))
                if at > now:
                    continue
                category, rate = rng.choice(CATEGORIES)
                fen = rng.randrange(1_500, 30_000)
                points = fen // 100 * rate
                txn = f"demo-history-{offset}-{purchases}"
                purchase = await Purchase.create(
                    member=member, store_id=store, channel="IN_STORE", caller_scope=ACTOR, client_txn_id=txn,
                    fingerprint=txn, occurred_at=at, recorded_at=at, local_date=day, total_fen=fen, points_earned=points,
                    using_db=conn,
                )
                await PurchaseLine.create(purchase=purchase, line_no=0, sku=f"SKU-{category}", category=category, quantity=1,
                                          unit_price_fen=fen, total_fen=fen, points=points, using_db=conn)
                await ledger.credit(member.id, points, JournalKind.PURCHASE, reason=f"Purchase {purchase.id}", actor=ACTOR,
                                    store_id=store, reference=f"purchase:{purchase.id}", occurred_at=at, clock=clock,
                                    connection=conn)
                balances[member.id] += points
                sales[store] = sales.get(store, 0) + fen
                purchases += 1
                if items and rng.random() < 0.3:
                    item = rng.choice(items)
                    if balances[member.id] >= item.points_price:
                        await _redeem(member, item, store, at + timedelta(minutes=3), clock, conn)
                        balances[member.id] -= item.points_price
            for store, fen in sales.items():
                await StoreSalesDay.create(store_id=store, local_date=day, total_fen=fen * rng.randrange(140, 190) // 100,
                                           orders=0, recorded_by=ACTOR, updated_at=now, using_db=conn)
        # The live rush: redemptions over the last three quarters of an hour, as on a busy morning.
        # Just after midnight the window shrinks to what of today has passed, so the chart is never empty.
        midnight = datetime.combine(today, datetime.min.time(), SHANGHAI)
        window = min(45 * 60, int((now - midnight).total_seconds()))
        rich = [m for m, _ in members if balances[m.id] >= 200]
        cheap = [i for i in items if i.points_price <= 200]
        for _ in range(40 if cheap else 0):
            member, item = rng.choice(rich or [members[0][0]]), rng.choice(cheap)
            at = now - timedelta(seconds=rng.randint(0, window))
            if balances[member.id] >= item.points_price:
                await _redeem(member, item, member.home_store_id or stores[0].id, at, clock, conn)
                balances[member.id] -= item.points_price
    for week in range(DAYS // 7 + 1):  # the expiry sweep, as the worker would have run it each week
        moment = datetime.combine(first_day + timedelta(days=7 * week + 6), datetime.min.time(), SHANGHAI) + timedelta(hours=3)
        if moment < now:
            await ledger.expire_due(FixedClock(moment))
    await rollups.rebuild(first_day - timedelta(days=1), today)
    await MetricsState.filter(id=1).delete()
    await MetricsState.create(id=1, watermark=now, updated_at=now)
    return purchases


async def _redeem(member: Member, item: MallItem, store: int, at: datetime, clock: Clock, conn) -> None:
    code = redemption_codes.new_code()
    redemption = await Redemption.create(
        code=code, item=item, member=member, store_id=store, quantity=1, unit_points=item.points_price,
        points_spent=item.points_price, cash_fen=item.cash_fen, status="FULFILLED", caller_scope=ACTOR,
        idempotency_key=code, fingerprint=code, actor=ACTOR, created_at=at, expires_at=at + timedelta(days=7),
        fulfilled_at=at, fulfilled_store_id=store, fulfilled_by=ACTOR, using_db=conn,
    )
    await ledger.debit(member.id, item.points_price, JournalKind.REDEMPTION, reason=f"Redeemed {item.name}", actor=ACTOR,
                       store_id=store, reference=f"redemption:{redemption.id}", occurred_at=at, clock=clock, connection=conn)
    if item.stock_limited:  # the unit was received and went out: `orchard mall check` stays balanced
        await execute("UPDATE mall_item SET stock_received = stock_received + 1 WHERE id = $1", item.id, connection=conn)
