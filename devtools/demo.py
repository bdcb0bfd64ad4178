"""The demo fruit-shop chain for development: loaded once into an empty database."""

from __future__ import annotations

import logging
import random
from datetime import date, timedelta

from tortoise.transactions import in_transaction

from domain import phones
from domain.earning.defaults import ensure_default_rules
from domain.ledger import service as ledger
from domain.members import codes
from domain.members.models import Member
from domain.stores import api_keys, passwords
from domain.stores.models import Chain, StaffUser, Store
from domain.tiers import service as tiers
from domain.tiers.models import TierChange
from infra.clock import SYSTEM_CLOCK, Clock
from infra.settings import Settings

log = logging.getLogger("orchard.demo")

ADMIN_EMAIL = "admin@demo.orchard"
ADMIN_PASSWORD = "demo-admin"
STAFF_PASSWORD = "demo-staff"
STORES = [
    ("SH-JINGAN", "Orchard Fruit Jing'an"),
    ("SH-XUHUI", "Orchard Fruit Xuhui"),
    ("SH-PUDONG", "Orchard Fruit Pudong"),
]


class DemoRefused(RuntimeError):
    pass


DEMO_NAMES = [
    "Li Na", "Wang Fang", "Zhang Wei", "Liu Yang", "Chen Jing", "Yang Min", "Zhao Lei", "Huang Li", "Zhou Tao",
    "Wu Xia", "Xu Ming", "Sun Hui", "Ma Jun", "Zhu Hong", "Hu Bin", "Guo Ying", "He Ping", "Lin Mei", "Gao Qiang",
    "Luo Yu",
]


async def _demo_members(settings: Settings, stores: list[Store], clock: Clock, conn) -> None:
    """Twenty members over the stores and tiers, birthdays across the year, some points each."""
    rng = random.Random(8)
    ladder = await tiers.all_tiers()
    now = clock.now()
    for i, name in enumerate(DEMO_NAMES):
        phone = f"+86139{i:08d}"
        tier = ladder[min(i // 6, len(ladder) - 1)]
        member = await Member.create(
            code=codes.new_member_code(), phone_hash=phones.lookup_hash(phone, settings.personal_data_key),
            phone_encrypted=phones.encrypt(phone, settings.personal_data_key), phone_masked=phones.mask(phone),
            name=name, birthday=date(1970 + i * 2, i % 12 + 1, 1 + (i * 3) % 28), gender=("FEMALE", "MALE")[i % 2],
            region="Shanghai", home_store=stores[i % len(stores)], marketing_consent=i % 3 != 0, channel="APP",
            referral_code=codes.new_referral_code(), tier=tier, created_at=now, updated_at=now, using_db=conn,
        )
        await TierChange.create(
            member=member, from_tier=None, to_tier=tier, reason="REGISTRATION", actor="system:demo", created_at=now,
            using_db=conn,
        )
        await ledger.credit(
            member.id, rng.randint(200, 5000), "PURCHASE", reason="Demo purchases", actor="system:demo",
            store_id=stores[i % len(stores)].id, occurred_at=now - timedelta(days=rng.randint(1, 300)),
            clock=clock, connection=conn,
        )


async def load_if_empty(settings: Settings, clock: Clock = SYSTEM_CLOCK) -> list[str]:
    """Load the demo set unless any store exists; returns lines to print once (the kiosk keys)."""
    if settings.is_production:
        raise DemoRefused("Demo data is never loaded in production.")
    if await Store.exists():
        return []
    lines = ["Demo data loaded: chain 'Orchard Fruit'.", f"  chain admin: {ADMIN_EMAIL} / {ADMIN_PASSWORD}"]
    profile = settings.password_profile
    await tiers.ensure_default_tiers()
    async with in_transaction() as conn:
        await Chain.create(name="Orchard Fruit", using_db=conn)
        admin = await StaffUser.create(
            email=ADMIN_EMAIL, name="Demo Admin", role="CHAIN_ADMIN",
            password_hash=passwords.hash_password(ADMIN_PASSWORD, profile), using_db=conn,
        )
        staff_hash = passwords.hash_password(STAFF_PASSWORD, profile)
        stores = []
        for code, name in STORES:
            store = await Store.create(code=code, name=name, using_db=conn)
            stores.append(store)
            slug = code.lower()
            await StaffUser.create(
                email=f"manager.{slug}@demo.orchard", name=f"Manager {name}", role="STORE_MANAGER",
                store=store, password_hash=staff_hash, using_db=conn,
            )
            await StaffUser.create(
                email=f"clerk.{slug}@demo.orchard", name=f"Clerk {name}", role="CLERK",
                store=store, password_hash=staff_hash, using_db=conn,
            )
            issued = await api_keys.create_device_key(store, api_keys.DeviceType.KIOSK, f"Kiosk {code}", connection=conn)
            lines.append(f"  kiosk key for {code} (shown once): {issued.secret}")
        await ensure_default_rules(clock, connection=conn)
        await _demo_members(settings, stores, clock, conn)
        try:
            from devtools.mall_demo import load_demo_mall
        except ImportError:
            load_demo_mall = None
        if load_demo_mall is not None:
            await load_demo_mall(conn)
    from devtools.coupon_demo import load_demo_coupons

    granted = await load_demo_coupons(clock)
    lines.append(f"  coupon templates: free order, 20 off, tasting, free delivery; {granted} coupons in demo wallets")

    from devtools.lottery_demo import load_demo_lotteries

    lines += await load_demo_lotteries(settings, clock)

    from devtools.charity_demo import load_demo_charity

    await load_demo_charity(admin.id, clock)
    lines.append("  charity projects: 'Orchard school appeal' (open, matched 1:1), 'Spring orchard clean-up' (settled)")
    from devtools.metrics_demo import HISTORY_MEMBERS, load_demo_history

    purchases = await load_demo_history(settings, stores, clock)
    lines.append(f"  90 days of history: {HISTORY_MEMBERS} more members, {purchases} purchases, redemptions, expiries (/dashboard)")
    from devtools.partner_demo import load_demo_partners

    lines += await load_demo_partners(clock)
    lines.append("  20 demo members with phones +8613900000000 .. +8613900000019 (sign in with requestLoginCode)")
    lines.append(f"  store managers and clerks: manager.<store>@demo.orchard, clerk.<store>@demo.orchard / {STAFF_PASSWORD}")
    log.info("demo data loaded", extra={"stores": len(STORES)})
    return lines
