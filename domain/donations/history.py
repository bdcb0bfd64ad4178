"""Who sees which donations: the donor their own, chain admins all; others only public fields.

An anonymous donation never shows its member to anyone but the donor and chain admins: the
recent donors and certificates show "Anonymous", and a donation's member is null for others.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.access import CallerKind, Viewer
from domain.donations import masking
from domain.donations.models import CharityProject, Donation
from domain.errors import AccessDenied
from domain.mall import codes as short_codes
from domain.members.models import Member
from domain.pagination import Page, PageRequest, keyset_page


def sees_donor(viewer: Viewer, donation: Donation) -> bool:
    """May the viewer see who made this donation?"""
    if viewer.is_chain_admin:
        return True
    if viewer.kind is CallerKind.MEMBER and viewer.subject_id == donation.member_id:  # type: ignore[attr-defined]
        return True
    return not donation.anonymous and viewer.is_staff


async def of_member(viewer: Viewer, member_id: int, page: PageRequest) -> Page[Donation]:
    """Newest first: the member's own, or any member's for chain admins."""
    if not (viewer.is_chain_admin or (viewer.kind is CallerKind.MEMBER and viewer.subject_id == member_id)):
        raise AccessDenied("Only the member and chain admins see a member's donations.", unauthenticated=viewer.is_anonymous)
    return await keyset_page(Donation.filter(member_id=member_id), page, descending=True)


async def by_ids(viewer: Viewer, ids: list[int]) -> dict[int, Donation]:
    """Donations as nodes: the donor's own, and every one for chain admins."""
    query = Donation.filter(id__in=ids)
    if viewer.kind is CallerKind.MEMBER:
        query = query.filter(member_id=viewer.subject_id)
    elif not viewer.is_chain_admin:
        return {}
    return {d.id: d for d in await query}


@dataclass(frozen=True)
class PublicDonor:
    """A recent donor as everyone sees them."""

    name: str
    points: int
    donated_at: datetime


async def recent_donors(project_ids: list[int], per_project: int) -> dict[int, list[PublicDonor]]:
    """The latest accepted donations of each project, names masked or "Anonymous"."""
    found: dict[int, list[PublicDonor]] = {project_id: [] for project_id in project_ids}
    if per_project <= 0:
        return found
    for project_id in project_ids:
        rows = (
            await Donation.filter(project_id=project_id, status="ACCEPTED").order_by("-id").limit(per_project)
            .values("points", "anonymous", "created_at", name="member__name")
        )
        found[project_id] = [
            PublicDonor(masking.shown_name(r["name"], bool(r["anonymous"])), int(r["points"]), r["created_at"]) for r in rows
        ]
    return found


@dataclass(frozen=True)
class Certificate:
    """What anyone may see of a donation, by its certificate code."""

    code: str
    points: int
    matched_points: int
    donor_name: str
    project_id: int
    project_name: str
    beneficiary: str
    donated_at: datetime
    refunded: bool


async def certificate(code: str) -> Certificate | None:
    searched = short_codes.lookup_code(code)
    if searched is None:
        return None
    donation = await Donation.get_or_none(certificate_code=searched)
    if donation is None:
        return None
    project = await CharityProject.get(id=donation.project_id)  # type: ignore[attr-defined]
    member = await Member.get(id=donation.member_id)  # type: ignore[attr-defined]
    return Certificate(
        code=donation.certificate_code, points=donation.points, matched_points=donation.matched_points,
        donor_name=masking.shown_name(member.name, donation.anonymous), project_id=project.id, project_name=project.name,
        beneficiary=project.beneficiary, donated_at=donation.created_at, refunded=donation.status == "REFUNDED",
    )
