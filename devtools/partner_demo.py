"""Demo partners: a bakery and a florist with one bundle each, and a partner key printed once."""

from __future__ import annotations

from datetime import timedelta

from domain.access import CallerKind, StaffRole, Viewer
from domain.partners import bundles, partners
from domain.stores.models import Store
from infra.clock import Clock

_ADMIN = Viewer(kind=CallerKind.STAFF, subject_id=0, role=StaffRole.CHAIN_ADMIN)


async def load_demo_partners(clock: Clock) -> list[str]:
    offered = clock.now() - timedelta(days=3)
    stores = [s.id for s in await Store.all().order_by("id")]
    bakery = await partners.create_partner(_ADMIN, partners.PartnerDraft(
        name="Golden Crust Bakery", kind=partners.PartnerKind.BAKERY, contact="Ms Li, +86 21 5555 0101",
        store_ids=tuple(stores[:2]), share_percent=40,
    ))
    florist = await partners.create_partner(_ADMIN, partners.PartnerDraft(
        name="Bloom & Co Florist", kind=partners.PartnerKind.FLORIST, contact="Mr Zhou, +86 21 5555 0202",
        store_ids=tuple(stores), share_percent=35,
    ))
    await bundles.create_bundle(_ADMIN, bundles.BundleDraft(
        partner_id=bakery.id, name="Fruit + cake", points_price=800, cash_fen=1_500, stock=60, per_member_limit=2,
        share_fen=2_500, available_from=offered, description="A seasonal fruit box and a strawberry cream cake from Golden Crust.",
        components=(bundles.Component("Seasonal fruit box", "CHAIN"), bundles.Component("Strawberry cream cake", "PARTNER")),
    ), idempotency_key=None, clock=clock)
    await bundles.create_bundle(_ADMIN, bundles.BundleDraft(
        partner_id=florist.id, name="Flowers + fruit basket", points_price=None, cash_fen=16_800, stock=30,
        available_from=offered,
        description="A hand-tied bouquet with a fruit basket, sold at the till.",
        components=(bundles.Component("Fruit basket", "CHAIN"), bundles.Component("Hand-tied bouquet", "PARTNER")),
    ), idempotency_key=None, clock=clock)
    issued = await partners.create_key(_ADMIN, bakery.id, "Bakery shop tablet", None)
    return [
        "  partners: Golden Crust Bakery ('Fruit + cake', points + cash), Bloom & Co Florist ('Flowers + fruit basket', cash)",
        f"  partner key for Golden Crust Bakery (shown once): {issued.secret}",
    ]
