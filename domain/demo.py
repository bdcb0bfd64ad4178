"""The demo fruit-shop chain for development: loaded once into an empty database."""

from __future__ import annotations

import logging

from tortoise.transactions import in_transaction

from domain.settings import Settings
from domain.stores import api_keys, passwords
from domain.stores.models import Chain, StaffUser, Store

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


async def load_if_empty(settings: Settings) -> list[str]:
    """Load the demo set unless any store exists; returns lines to print once (the kiosk keys)."""
    if settings.is_production:
        raise DemoRefused("Demo data is never loaded in production.")
    if await Store.exists():
        return []
    lines = ["Demo data loaded: chain 'Orchard Fruit'.", f"  chain admin: {ADMIN_EMAIL} / {ADMIN_PASSWORD}"]
    profile = settings.password_profile
    async with in_transaction() as conn:
        await Chain.create(name="Orchard Fruit", using_db=conn)
        await StaffUser.create(
            email=ADMIN_EMAIL, name="Demo Admin", role="CHAIN_ADMIN",
            password_hash=passwords.hash_password(ADMIN_PASSWORD, profile), using_db=conn,
        )
        staff_hash = passwords.hash_password(STAFF_PASSWORD, profile)
        for code, name in STORES:
            store = await Store.create(code=code, name=name, using_db=conn)
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
    lines.append(f"  store managers and clerks: manager.<store>@demo.orchard, clerk.<store>@demo.orchard / {STAFF_PASSWORD}")
    log.info("demo data loaded", extra={"stores": len(STORES)})
    return lines
