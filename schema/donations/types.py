"""Charity projects with their progress, donations with their certificates, settlements."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import strawberry
from strawberry.types import Info

from domain.donations import history
from domain.donations.projects import ProjectView
from domain.donations.shards import Totals
from schema.members.types import Member
from schema.relay import Node, maybe, to_global_id
from schema.scalars import Money


@strawberry.enum(description="Where a charity project stands.")
class CharityProjectStatus(Enum):
    DRAFT = strawberry.enum_value("DRAFT", description="Being prepared; seen by chain admins only.")
    OPEN = strawberry.enum_value("OPEN", description="Takes donations between opensAt and closesAt.")
    CLOSED = strawberry.enum_value("CLOSED", description="Takes no more donations; its totals are frozen.")
    SETTLED = strawberry.enum_value("SETTLED", description="The chain paid the beneficiary; see settlement.")
    CANCELLED = strawberry.enum_value("CANCELLED", description="Cancelled: every donation went back to its donor.")


@strawberry.enum(description="Where a donation stands.")
class DonationStatus(Enum):
    ACCEPTED = strawberry.enum_value("ACCEPTED", description="The points went to the project.")
    REFUNDED = strawberry.enum_value("REFUNDED", description="The project was cancelled and the points came back.")


@strawberry.type(description="The chain's matching of donations: points added per point donated, up to a cap.")
class CharityMatching:
    ratio: Decimal = strawberry.field(description='Points the chain adds per point donated, e.g. "1" for 1:1, rounded down per donation.')
    cap_points: int = strawberry.field(description="The most the chain adds over the whole project, from its matching budget.")


@strawberry.type(description="A share of the goal: reached once raisedPoints is at least points.")
class CharityMilestone:
    percent: int = strawberry.field(description="25, 50, 75 or 100.")
    points: int = strawberry.field(description="The raised points that reach it (the goal's share, rounded up).")
    reached: bool = strawberry.field(description="True once raisedPoints is at least points.")


@strawberry.type(description="A recent donor as everyone sees them.")
class CharityDonor:
    name: str = strawberry.field(description='The display name masked ("W***"), or "Anonymous" for an anonymous donation.')
    points: int = strawberry.field(description="Points donated.")
    donated_at: datetime = strawberry.field(description="When; ISO 8601 with offset.")


@strawberry.type(description="A record that the chain paid a settled project's beneficiary.")
class CharityPayment:
    amount: Money = strawberry.field(description="What the chain paid.")
    paid_on: date = strawberry.field(description="The day it paid.")
    reference: str = strawberry.field(description="The payment's reference (a bank transfer number, ...).")
    settled_at: datetime = strawberry.field(description="When it was recorded; ISO 8601 with offset.")


@strawberry.type(description="A charity project members donate points to, with its progress for everyone to see.")
class CharityProject(Node):
    name: str = strawberry.field(description="The project's name, at most 120 characters.")
    description: str = strawberry.field(description="What the points pay for; may be empty.")
    image_url: str | None = strawberry.field(description="An http(s) address of its picture; null: none.")
    beneficiary: str = strawberry.field(description="The organisation that receives the money; may be empty.")
    status: CharityProjectStatus = strawberry.field(description="Where the project stands.")
    goal_points: int = strawberry.field(description="The points members are asked to raise (matching comes on top).")
    opens_at: datetime = strawberry.field(description="Donations are taken from then; ISO 8601 with offset.")
    closes_at: datetime = strawberry.field(description="Donations are taken until then (exclusive).")
    minimum_points: int = strawberry.field(description="The smallest donation taken.")
    stop_at_goal: bool = strawberry.field(
        description="True: donations stop at the goal; one that would pass it is cut to what is left, then GOAL_REACHED."
    )
    points_per_yuan: int = strawberry.field(description="The chain's rate for this project: this many points make 1 yuan.")
    matching: CharityMatching | None = strawberry.field(description="The chain's matching; null: none.")
    raised_points: int = strawberry.field(description="Points members donated (refunded ones not counted).")
    matched_points: int = strawberry.field(description="Points the chain added by matching.")
    yuan_equivalent: Money = strawberry.field(description="raisedPoints + matchedPoints at the project's rate, rounded down to the fen.")
    donor_count: int = strawberry.field(description="Distinct members who donated.")
    donation_count: int = strawberry.field(description="Donations taken (refunded ones not counted).")
    progress: float = strawberry.field(
        description="raisedPoints / goalPoints, from 0 to 1; it exceeds 1 only when the project does not stop at its goal."
    )
    milestones: list[CharityMilestone] = strawberry.field(description="25, 50, 75 and 100 percent of the goal, and whether reached.")
    payment: CharityPayment | None = strawberry.field(description="The payment to the beneficiary; null until SETTLED.")
    pk: strawberry.Private[int]

    @strawberry.field(description="The latest donors, newest first, masked or Anonymous (at most the recentDonors setting).")
    async def recent_donors(self, info: Info) -> list[CharityDonor]:
        found = await info.context.loaders.recent_donors.load(self.pk)
        return [CharityDonor(name=d.name, points=d.points, donated_at=d.donated_at) for d in found or []]

    @classmethod
    def from_model(cls, shown: ProjectView) -> CharityProject:
        p, t = shown.project, shown.totals
        return cls(
            id=strawberry.ID(to_global_id("CharityProject", p.id)), name=p.name, description=p.description,
            image_url=p.image_url, beneficiary=p.beneficiary, status=CharityProjectStatus(p.status), goal_points=p.goal_points,
            opens_at=p.opens_at, closes_at=p.closes_at, minimum_points=p.minimum_points, stop_at_goal=p.stop_at_goal,
            points_per_yuan=p.points_per_yuan,
            matching=None if p.match_ratio is None else CharityMatching(ratio=p.match_ratio, cap_points=p.match_cap_points),
            raised_points=t.raised, matched_points=t.matched, yuan_equivalent=Money.from_minor(shown.yuan_fen),
            donor_count=t.donors, donation_count=t.donations, progress=shown.progress,
            milestones=[CharityMilestone(percent=m.percent, points=m.points, reached=m.reached) for m in shown.milestones],
            payment=None if p.settled_at is None else CharityPayment(
                amount=Money.from_minor(p.settlement_fen or 0), paid_on=p.settled_on, reference=p.settlement_reference or "",
                settled_at=p.settled_at,
            ),
            pk=p.id,
        )


@strawberry.type(description="Points a member gave a charity project, with a certificate code to share.")
class Donation(Node):
    certificate_code: str = strawberry.field(description="Anyone may look the certificate up with it (donationCertificate).")
    points: int = strawberry.field(description="Points taken: less than requestedPoints when a stop-at-goal project had less left.")
    requested_points: int = strawberry.field(description="Points the member asked to donate.")
    matched_points: int = strawberry.field(description="Points the chain added by matching.")
    anonymous: bool = strawberry.field(description="True: others see \"Anonymous\"; only the donor and chain admins see who.")
    status: DonationStatus = strawberry.field(description="Accepted, or refunded when the project was cancelled.")
    created_at: datetime = strawberry.field(description="When it was made; ISO 8601 with offset.")
    refunded_at: datetime | None = strawberry.field(description="When the points came back; null unless REFUNDED.")
    pk: strawberry.Private[int]
    project_pk: strawberry.Private[int]
    member_pk: strawberry.Private[int]
    model: strawberry.Private[Any]

    @strawberry.field(description="The project donated to; null when the viewer may not see it.")
    async def project(self, info: Info) -> CharityProject | None:
        return maybe(CharityProject.from_model, await info.context.loaders.charity_project.load(self.project_pk))

    @strawberry.field(description="Who donated: the donor and chain admins always; others never for an anonymous donation.")
    async def member(self, info: Info) -> Member | None:
        if not history.sees_donor(info.context.viewer, self.model):
            return None
        return maybe(Member.from_model, await info.context.loaders.member.load(self.member_pk))

    @classmethod
    def from_model(cls, d) -> Donation:
        return cls(
            id=strawberry.ID(to_global_id("Donation", d.id)), certificate_code=d.certificate_code, points=d.points,
            requested_points=d.requested_points, matched_points=d.matched_points, anonymous=d.anonymous,
            status=DonationStatus(d.status), created_at=d.created_at, refunded_at=d.refunded_at, pk=d.id,
            project_pk=d.project_id, member_pk=d.member_id, model=d,
        )


@strawberry.type(description="What anyone may see of a donation by its certificate code.")
class DonationCertificate:
    code: str = strawberry.field(description="The certificate code.")
    points: int = strawberry.field(description="Points donated.")
    matched_points: int = strawberry.field(description="Points the chain added by matching.")
    donor_name: str = strawberry.field(description='The donor\'s name masked ("W***"), or "Anonymous".')
    project_id: strawberry.ID = strawberry.field(description="The charity project's global ID.")
    project_name: str = strawberry.field(description="The charity project's name.")
    beneficiary: str = strawberry.field(description="The organisation that receives the money.")
    donated_at: datetime = strawberry.field(description="When; ISO 8601 with offset.")
    refunded: bool = strawberry.field(description="True when the project was cancelled and the points went back.")

    @classmethod
    def from_model(cls, c: history.Certificate) -> DonationCertificate:
        return cls(
            code=c.code, points=c.points, matched_points=c.matched_points, donor_name=c.donor_name,
            project_id=strawberry.ID(to_global_id("CharityProject", c.project_id)), project_name=c.project_name,
            beneficiary=c.beneficiary, donated_at=c.donated_at, refunded=c.refunded,
        )


@strawberry.type(description="One local day (Asia/Shanghai) of a settlement.")
class CharityDayTotal:
    day: date = strawberry.field(description="The chain's local date.")
    points: int = strawberry.field(description="Points donated that day.")
    matched_points: int = strawberry.field(description="Points matched that day.")
    donations: int = strawberry.field(description="Donations that day.")


@strawberry.type(description="The statement a charity can audit: what was given, what it is worth, and the signed list.")
class CharitySettlement:
    project: CharityProject = strawberry.field(description="The project, with its payment once SETTLED.")
    points_donated: int = strawberry.field(description="Points of the accepted donations.")
    points_matched: int = strawberry.field(description="Points the chain added by matching.")
    yuan_due: Money = strawberry.field(description="(pointsDonated + pointsMatched) at the project's rate, rounded down to the fen.")
    donor_count: int = strawberry.field(description="Distinct members who donated.")
    donation_count: int = strawberry.field(description="Accepted donations.")
    days: list[CharityDayTotal] = strawberry.field(description="Per local day, oldest first.")
    csv: str = strawberry.field(
        description="The donation list as CSV: certificate_code, donated_at, points, matched_points, donor (masked or Anonymous)."
    )
    sha256: str = strawberry.field(description="The SHA-256 (hex) of csv's UTF-8 bytes: the charity checks its list against it.")

    @classmethod
    def from_model(cls, s) -> CharitySettlement:
        return cls(
            project=_bare(s),
            points_donated=s.points_donated, points_matched=s.points_matched, yuan_due=Money.from_minor(s.yuan_due_fen),
            donor_count=s.donor_count, donation_count=s.donation_count,
            days=[CharityDayTotal(day=d.day, points=d.points, matched_points=d.matched_points, donations=d.donations) for d in s.days],
            csv=s.csv, sha256=s.sha256,
        )


def _bare(s) -> CharityProject:
    """The project with the statement's totals (the same as its frozen totals once it is closed)."""
    return CharityProject.from_model(
        ProjectView(s.project, Totals(raised=s.points_donated, matched=s.points_matched, donations=s.donation_count, donors=s.donor_count))
    )


@strawberry.type(description="The donations' operator-changeable numbers.")
class CharitySettings:
    points_per_yuan: int = strawberry.field(
        description="The chain's rate for new projects: this many points make 1 yuan (1 to 100,000; default 100)."
    )
    recent_donors: int = strawberry.field(description="Recent donors a project shows (0 to 100; default 10).")

    @classmethod
    def from_values(cls, values: dict[str, Any]) -> CharitySettings:
        return cls(**{name: values[name] for name in cls.__dataclass_fields__})
