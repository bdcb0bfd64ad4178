"""The demo chain's coupon templates and a few coupons in the demo members' wallets.

`coupon_templates(clock)` creates the four templates the demo uses (or returns them when they
exist): the lottery demo grants its prizes from them too.

- "free-order": PERCENT_OFF 100 with a 50-yuan cap, not stackable: the order is free up to 50
  yuan (no FREE_ORDER kind is needed: a full percentage with a cap says it);
- "twenty-off": 20 yuan off a spend of 88 yuan or more, not stackable;
- "tasting": a new-product tasting handed over at the counter (useCoupon);
- "free-delivery": the delivery fee of a DELIVERY order, stackable with the others' stackable kinds.
"""

from __future__ import annotations

from domain.coupons.issuing import issue_coupon
from domain.coupons.models import CouponSource, CouponTemplate
from domain.members.models import Member
from infra import db
from infra.clock import Clock, utc

TEMPLATES: dict[str, dict] = {
    "free-order": {
        "name": "Free order (up to 50 yuan)", "kind": "PERCENT_OFF", "percent": 100, "cap_fen": 5000, "valid_days": 30,
        "description": "Your whole order free, up to 50 yuan. Not combinable with other coupons.",
    },
    "twenty-off": {
        "name": "20 yuan off from 88 yuan", "kind": "AMOUNT_OFF", "value_fen": 2000, "minimum_spend_fen": 8800, "valid_days": 30,
        "description": "20 yuan off a purchase of 88 yuan or more. Not combinable with other coupons.",
    },
    "tasting": {
        "name": "New-fruit tasting", "kind": "TASTING", "item_name": "A tasting cup of this season's new fruit", "valid_days": 14,
        "description": "Show this at the counter of any store for a tasting cup.",
    },
    "free-delivery": {
        "name": "Free delivery", "kind": "FREE_DELIVERY", "valid_days": 30, "stackable": True,
        "description": "No delivery fee on one delivery order.",
    },
}

# Demo members (by their order of creation) and the templates whose coupons they hold.
WALLETS: list[tuple[int, tuple[str, ...]]] = [
    (0, ("twenty-off", "tasting", "free-delivery")),
    (1, ("free-order",)),
    (2, ("twenty-off", "free-delivery")),
    (3, ("tasting",)),
]


async def coupon_templates(clock: Clock) -> dict[str, CouponTemplate]:
    """The demo's templates by key, created unless a template of that name exists (and is not retired)."""
    found: dict[str, CouponTemplate] = {}
    for key, fields in TEMPLATES.items():
        template = await CouponTemplate.filter(name=fields["name"], retired_at__isnull=True).order_by("id").first()
        if template is None:
            template = await CouponTemplate.create(**fields, created_at=utc(clock.now()))
        found[key] = template
    return found


async def load_demo_coupons(clock: Clock) -> int:
    """The templates, and coupons in a few demo members' wallets (once: a grant is idempotent); how many granted."""
    templates = await coupon_templates(clock)
    members = await Member.all().order_by("id").limit(max(i for i, _ in WALLETS) + 1)
    granted = 0
    async with db.transaction() as conn:
        for index, keys in WALLETS:
            if index >= len(members):
                continue
            for key in keys:
                await issue_coupon(
                    conn, templates[key], members[index].id, source=CouponSource.ADMIN, source_ref=f"demo:{members[index].id}:{key}",
                    clock=clock,
                )
                granted += 1
    return granted
