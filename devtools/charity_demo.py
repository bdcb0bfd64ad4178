"""The demo charity projects: an open orchard-school appeal with 1:1 matching, and a closed,
settled spring clean-up, each with donations from the demo members (some anonymous)."""

from __future__ import annotations

from contextlib import suppress
from datetime import timedelta
from decimal import Decimal

from domain.access import CallerKind, StaffRole, Viewer
from domain.donations import donating, projects, settlement
from domain.donations.projects import ProjectDraft
from domain.members.models import Member
from infra.clock import Clock


async def load_demo_charity(admin_id: int, clock: Clock) -> None:
    admin = Viewer(kind=CallerKind.STAFF, subject_id=admin_id, role=StaffRole.CHAIN_ADMIN)
    now = clock.now()
    members = list(await Member.all().order_by("id").limit(12))
    school = await projects.create(admin, ProjectDraft(
        name="Orchard school appeal", goal_points=100_000, opens_at=now - timedelta(days=7), closes_at=now + timedelta(days=60),
        minimum_points=10, description="Books and a fruit garden for a village school; the chain matches every point 1:1.",
        beneficiary="Shanghai Children's Education Foundation", match_ratio=Decimal("1"), match_cap_points=20_000,
    ), clock=clock)
    await projects.open_project(admin, school.project.id, clock=clock)
    cleanup = await projects.create(admin, ProjectDraft(
        name="Spring orchard clean-up", goal_points=5_000, opens_at=now - timedelta(days=90),
        closes_at=now + timedelta(days=1), minimum_points=10, stop_at_goal=True,
        description="Volunteers and tools to clear the hill orchards after the winter storms.",
        beneficiary="Green Hills Volunteer Association",
    ), clock=clock)
    await projects.open_project(admin, cleanup.project.id, clock=clock)
    for i, member in enumerate(members):
        viewer = Viewer(kind=CallerKind.MEMBER, subject_id=member.id)
        for project_id, points in ((school.project.id, 50 + 25 * i), (cleanup.project.id, 30 + 10 * i)):
            request = donating.DonateRequest(
                project_id=project_id, points=points, idempotency_key=f"demo-{project_id}-{member.id}", anonymous=i % 4 == 3,
            )
            with suppress(donating.DonationError):  # a demo member with too few points simply does not donate
                await donating.donate(viewer, request, clock=clock)
    await projects.close_project(admin, cleanup.project.id, clock=clock)
    await settlement.settle(admin, cleanup.project.id, reference="DEMO-TRANSFER-0001", actor="system:demo", clock=clock)
