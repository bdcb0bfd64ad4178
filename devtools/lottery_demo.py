"""The demo chain's lotteries: one open (its seed committed), one closed whose draws verify."""

from __future__ import annotations

from datetime import timedelta

from devtools.coupon_demo import coupon_templates
from domain.access import CallerKind, StaffRole, Viewer
from domain.coupons.models import CouponTemplate
from domain.lotteries import catalogue, draws
from domain.lotteries.catalogue import LotteryDraft, PrizeDraft
from domain.members.models import Member
from infra.clock import Clock
from infra.settings import Settings

DEMO_ADMIN = Viewer(kind=CallerKind.STAFF, subject_id=0, role=StaffRole.CHAIN_ADMIN)


def _prizes(t: dict[str, CouponTemplate]) -> tuple[PrizeDraft, ...]:
    return (
        PrizeDraft("Pear tasting", "TASTING", weight=200, stock=300, coupon_template_id=t["tasting"].id),
        PrizeDraft("Free order", "COUPON", weight=5, stock=10, coupon_template_id=t["free-order"].id),
        PrizeDraft("20 yuan off", "COUPON", weight=100, stock=200, coupon_template_id=t["twenty-off"].id),
        PrizeDraft("50 points back", "POINTS", weight=300, points=50),
        PrizeDraft("Thanks for playing", "NO_PRIZE", weight=395),
    )


async def load_demo_lotteries(settings: Settings, clock: Clock) -> list[str]:
    """Lines to print: the open lottery's commitment and the closed one to verify."""
    templates = await coupon_templates(clock)
    now = clock.now()
    key = settings.personal_data_key
    closed = await catalogue.create(DEMO_ADMIN, LotteryDraft(
        name="Spring draw", description="Last season's draw: closed, every draw verifiable.", points_per_draw=20,
        opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=1), prizes=_prizes(templates), per_day_limit=5,
    ), clock=clock)
    await catalogue.open_lottery(DEMO_ADMIN, closed.id, data_key=key, clock=clock)
    for n, member in enumerate(await Member.all().order_by("id").limit(6)):
        viewer = Viewer(kind=CallerKind.MEMBER, subject_id=member.id)
        for i in range(3):
            seed = f"demo-{n}-{i}" if i % 2 == 0 else None
            await draws.draw(viewer, draws.DrawRequest(closed.id, f"demo-draw-{n}-{i}", client_seed=seed), data_key=key, clock=clock)
    closed = await catalogue.close_lottery(DEMO_ADMIN, closed.id, data_key=key, clock=clock)

    opened = await catalogue.create(DEMO_ADMIN, LotteryDraft(
        name="Member day draw", description="20 points a draw, 3 a day: tastings, a free order, 20 yuan off, points back.",
        points_per_draw=20, opens_at=now, closes_at=now + timedelta(days=30), prizes=_prizes(templates), per_day_limit=3,
    ), clock=clock)
    opened = await catalogue.open_lottery(DEMO_ADMIN, opened.id, data_key=key, clock=clock)
    return [
        f"  open lottery 'Member day draw' (id {opened.id}), seed commitment {opened.seed_commitment}",
        f"  closed lottery 'Spring draw' (id {closed.id}): orchard lottery verify {closed.id}",
    ]
