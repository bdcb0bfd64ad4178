"""Charity projects: created and moved through their states by chain admins, read by everyone.

States: DRAFT (being prepared, seen by chain admins only) -> OPEN (openCharityProject: takes
donations between opensAt and closesAt) -> CLOSED (closeCharityProject, or the `charity-close`
job once closesAt has passed: the totals are frozen) -> SETTLED (the chain paid the
beneficiary: amount, date, reference; domain/donations/settlement.py). DRAFT, OPEN or CLOSED
-> CANCELLED (cancelCharityProject): every donation goes back to its donor (refunds.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from tortoise.transactions import in_transaction

from domain.access import Viewer, require_chain_admin
from domain.bounds import MAX_BALANCE
from domain.donations import settings as donation_settings
from domain.donations import shards
from domain.donations.errors import DonationError, DonationErrorCode
from domain.donations.models import CharityProject
from domain.pagination import Page, PageRequest, keyset_page
from domain.text import clean_text, column_text
from infra import db, dialect
from infra.clock import Clock, utc

MAX_DESCRIPTION = 4_000
IMAGE_URL = re.compile(r"^https?://[^\s]{1,490}$")
MAX_RATIO = Decimal("10")
MILESTONES = (25, 50, 75, 100)


class ProjectStatus(StrEnum):
    DRAFT = "DRAFT"
    OPEN = "OPEN"
    CLOSED = "CLOSED"
    SETTLED = "SETTLED"
    CANCELLED = "CANCELLED"


def account_code(project_id: int) -> str:
    """The project's ledger account (sharded like the system accounts: `CHARITY-7`, `CHARITY-7#01`, ...)."""
    return f"CHARITY-{project_id}"


@dataclass(frozen=True)
class Milestone:
    percent: int
    points: int
    reached: bool


@dataclass(frozen=True)
class ProjectView:
    """A project with its totals, as everyone sees its progress."""

    project: CharityProject
    totals: shards.Totals = field(default_factory=shards.Totals)

    @property
    def progress(self) -> float:
        """Raised points over the goal: 0 to 1, past 1 only for a project that does not stop at its goal."""
        return self.totals.raised / self.project.goal_points

    @property
    def yuan_fen(self) -> int:
        """What the raised and matched points are worth at the project's rate, in fen, rounded down."""
        return (self.totals.raised + self.totals.matched) * 100 // self.project.points_per_yuan

    @property
    def milestones(self) -> list[Milestone]:
        goal = self.project.goal_points
        return [
            Milestone(percent, points := -(-goal * percent // 100), self.totals.raised >= points) for percent in MILESTONES
        ]


@dataclass(frozen=True)
class ProjectDraft:
    name: str
    goal_points: int
    opens_at: datetime
    closes_at: datetime
    minimum_points: int = 1
    stop_at_goal: bool = False
    description: str = ""
    image_url: str | None = None
    beneficiary: str = ""
    match_ratio: Decimal | None = None
    match_cap_points: int | None = None


def _not_found() -> DonationError:
    return DonationError(DonationErrorCode.PROJECT_NOT_FOUND, "There is no such charity project.", field="projectId")


def _checked(draft: ProjectDraft) -> dict:
    name = column_text(CharityProject, "name", draft.name)
    if not name:
        raise DonationError(DonationErrorCode.INVALID_NAME, "A project needs a name of at most 120 characters.", field="name")
    if not 1 <= draft.goal_points <= MAX_BALANCE:
        raise DonationError(DonationErrorCode.INVALID_AMOUNT, f"A goal is 1 to {MAX_BALANCE:,} points.", field="goalPoints")
    if not 1 <= draft.minimum_points <= draft.goal_points:
        raise DonationError(
            DonationErrorCode.INVALID_AMOUNT, "The minimum donation is 1 point up to the goal.", field="minimumPoints"
        )
    if draft.opens_at.tzinfo is None or draft.closes_at.tzinfo is None:
        raise DonationError(DonationErrorCode.INVALID_WINDOW, "Times need a time-zone offset.", field="opensAt")
    if draft.closes_at <= draft.opens_at:
        raise DonationError(DonationErrorCode.INVALID_WINDOW, "A project closes after it opens.", field="closesAt")
    if draft.image_url is not None and not IMAGE_URL.match(draft.image_url):
        raise DonationError(DonationErrorCode.INVALID_IMAGE_URL, "The image URL is an http(s) address.", field="imageUrl")
    ratio, cap = draft.match_ratio, draft.match_cap_points
    if (ratio is None) != (cap is None):
        raise DonationError(DonationErrorCode.INVALID_MATCHING, "Matching needs a ratio and a cap.", field="matching")
    if ratio is not None:
        try:
            ratio = Decimal(ratio)
            valid = ratio.is_finite() and Decimal("0.01") <= ratio <= MAX_RATIO and ratio == ratio.quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            valid = False
        if not valid:
            raise DonationError(
                DonationErrorCode.INVALID_MATCHING, "A matching ratio is 0.01 to 10 with at most two decimals.",
                field="matching.ratio",
            )
        if not 1 <= cap <= MAX_BALANCE:  # type: ignore[operator]
            raise DonationError(
                DonationErrorCode.INVALID_MATCHING, f"A matching cap is 1 to {MAX_BALANCE:,} points.", field="matching.capPoints"
            )
    return {
        "name": name, "goal_points": draft.goal_points, "opens_at": utc(draft.opens_at), "closes_at": utc(draft.closes_at),
        "minimum_points": draft.minimum_points, "stop_at_goal": draft.stop_at_goal,
        "description": clean_text(draft.description or "", "description", MAX_DESCRIPTION, multiline=True),
        "image_url": draft.image_url,
        "beneficiary": column_text(CharityProject, "beneficiary", draft.beneficiary or ""),
        "match_ratio": ratio, "match_cap_points": cap,
    }


async def create(viewer: Viewer, draft: ProjectDraft, *, clock: Clock) -> ProjectView:
    require_chain_admin(viewer)
    values = _checked(draft)
    rate = (await donation_settings.current())["points_per_yuan"]
    now = utc(clock.now())
    project = await CharityProject.create(
        **values, points_per_yuan=rate, status=ProjectStatus.DRAFT, created_at=now, updated_at=now
    )
    return ProjectView(project)


async def _locked(conn, project_id: int) -> CharityProject:
    rows = await db.fetch(
        "SELECT * FROM charity_project WHERE id = $1" + dialect.current().lock("UPDATE"), project_id, connection=conn
    )
    if not rows:
        raise _not_found()
    return CharityProject._init_from_db(**rows[0])


def _refused(project: CharityProject, doing: str) -> DonationError:
    return DonationError(
        DonationErrorCode.INVALID_TRANSITION, f"A {project.status.lower()} project cannot be {doing}.", field="projectId"
    )


async def open_project(viewer: Viewer, project_id: int, *, clock: Clock) -> ProjectView:
    """DRAFT -> OPEN: the shard rows are made, accepting, with the goal and the cap dealt over them.
    Opening an open project again answers it as it is."""
    require_chain_admin(viewer)
    now = utc(clock.now())
    async with in_transaction() as conn:
        project = await _locked(conn, project_id)
        if project.status == ProjectStatus.DRAFT:
            if project.closes_at <= now:
                raise DonationError(DonationErrorCode.INVALID_WINDOW, "The project's window has ended.", field="projectId")
            await shards.open_shards(
                conn, project.id, goal_left=project.goal_points if project.stop_at_goal else 0,
                match_left=project.match_cap_points or 0,
            )
            await _move(conn, project, ProjectStatus.OPEN, now, opened_at=now)
        elif project.status != ProjectStatus.OPEN:
            raise _refused(project, "opened")
    return await view(project.id)


async def close_project(viewer: Viewer | None, project_id: int, *, clock: Clock) -> ProjectView:
    """OPEN -> CLOSED: no more donations, the totals are frozen. Closing a closed project answers it."""
    if viewer is not None:
        require_chain_admin(viewer)
    now = utc(clock.now())
    async with in_transaction() as conn:
        project = await _locked(conn, project_id)
        if project.status == ProjectStatus.OPEN:
            await shards.stop_accepting(conn, project.id)
            await _move(conn, project, ProjectStatus.CLOSED, now, closed_at=now)
        elif project.status != ProjectStatus.CLOSED:
            raise _refused(project, "closed")
    return await view(project.id)


async def mark_cancelled(viewer: Viewer, project_id: int, *, clock: Clock) -> CharityProject:
    """DRAFT, OPEN or CLOSED -> CANCELLED, the gate shut; the refunds follow (refunds.py). A
    cancelled project answers as it is, so a retried cancel goes on with the refunds."""
    require_chain_admin(viewer)
    now = utc(clock.now())
    async with in_transaction() as conn:
        project = await _locked(conn, project_id)
        if project.status in (ProjectStatus.DRAFT, ProjectStatus.OPEN, ProjectStatus.CLOSED):
            await shards.stop_accepting(conn, project.id)
            await _move(conn, project, ProjectStatus.CANCELLED, now, cancelled_at=now)
        elif project.status != ProjectStatus.CANCELLED:
            raise _refused(project, "cancelled")
    return project


async def _move(conn, project: CharityProject, status: ProjectStatus, now: datetime, **stamps) -> None:
    project.status = status
    project.updated_at = now
    for name, value in stamps.items():
        setattr(project, name, value)
    await project.save(using_db=conn, update_fields=["status", "updated_at", *stamps])


async def close_due(clock: Clock) -> int:
    """Close the open projects whose window has ended (the `charity-close` job); how many."""
    now = utc(clock.now())
    due = await CharityProject.filter(status=ProjectStatus.OPEN, closes_at__lte=now).values_list("id", flat=True)
    for project_id in due:
        await close_project(None, project_id, clock=clock)
    return len(due)


# ---- reads ----------------------------------------------------------------------------------


def may_see(viewer: Viewer, project: CharityProject) -> bool:
    """Drafts are the chain admins'; every other project is public."""
    return project.status != ProjectStatus.DRAFT or viewer.is_chain_admin


async def views(projects: list[CharityProject]) -> list[ProjectView]:
    found = await shards.totals([p.id for p in projects])
    return [ProjectView(p, found[p.id]) for p in projects]


async def view(project_id: int) -> ProjectView:
    project = await CharityProject.get_or_none(id=project_id)
    if project is None:
        raise _not_found()
    return (await views([project]))[0]


async def by_ids(viewer: Viewer, ids: list[int]) -> dict[int, ProjectView]:
    projects = [p for p in await CharityProject.filter(id__in=ids) if may_see(viewer, p)]
    return {v.project.id: v for v in await views(projects)}


async def listed(viewer: Viewer, status: str | None, page: PageRequest) -> Page[ProjectView]:
    """Newest first; drafts only for chain admins."""
    query = CharityProject.all()
    if status is not None:
        query = query.filter(status=status)
    if not viewer.is_chain_admin:
        query = query.exclude(status=ProjectStatus.DRAFT)
    found = await keyset_page(query, page, descending=True)
    shown = await views(found.items)
    return Page(shown, found.keys, found.has_next, found.has_previous, found.count_all)
