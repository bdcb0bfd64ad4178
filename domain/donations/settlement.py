"""The settlement a charity can audit: what was given, what it is worth, and the list it came from.

The statement counts the project's ACCEPTED donations: points donated, points matched by the
chain, yuan due at the project's rate ((donated + matched) x 100 / pointsPerYuan fen, rounded
down), distinct donors, and per-day totals by the chain's local date (Asia/Shanghai). The donation
list is exported as CSV (certificate code, time, points, matched points, donor as the public
sees them: masked or "Anonymous") and its SHA-256 is printed with the statement, so the charity
can check that the list it received was not edited.

Settling records that the chain paid the beneficiary: amount (default: the yuan due), date and
reference, by whom; the project moves CLOSED -> SETTLED. Settling a settled project with the same
reference answers it as it is; with another reference it is refused.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from domain.access import Viewer, require_chain_admin
from domain.bounds import MAX_MONEY_FEN
from domain.donations import masking
from domain.donations.errors import DonationError, DonationErrorCode
from domain.donations.models import CharityProject, Donation
from domain.donations.projects import ProjectStatus
from domain.stores.models import DEFAULT_TIME_ZONE
from infra import db, dialect
from infra.clock import Clock, utc

CSV_COLUMNS = ("certificate_code", "donated_at", "points", "matched_points", "donor")


@dataclass(frozen=True)
class DayTotal:
    day: date
    points: int
    matched_points: int
    donations: int


@dataclass(frozen=True)
class Statement:
    project: CharityProject
    points_donated: int
    points_matched: int
    yuan_due_fen: int
    donor_count: int
    donation_count: int
    days: list[DayTotal]
    csv: str
    sha256: str


async def statement(viewer: Viewer | None, project_id: int) -> Statement:
    if viewer is not None:
        require_chain_admin(viewer)
    project = await CharityProject.get_or_none(id=project_id)
    if project is None:
        raise DonationError(DonationErrorCode.PROJECT_NOT_FOUND, "There is no such charity project.", field="projectId")
    rows = await Donation.filter(project_id=project_id, status="ACCEPTED").order_by("id").values(
        "certificate_code", "created_at", "points", "matched_points", "anonymous", "member_id", name="member__name"
    )
    zone = ZoneInfo(DEFAULT_TIME_ZONE)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    days: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0])
    donated = matched = 0
    for row in rows:
        at = utc(row["created_at"])
        points, match = int(row["points"]), int(row["matched_points"])
        donated, matched = donated + points, matched + match
        day = days[at.astimezone(zone).date()]
        day[0], day[1], day[2] = day[0] + points, day[1] + match, day[2] + 1
        writer.writerow((row["certificate_code"], at.isoformat(), points, match, masking.shown_name(row["name"], bool(row["anonymous"]))))
    text = out.getvalue()
    return Statement(
        project=project, points_donated=donated, points_matched=matched,
        yuan_due_fen=(donated + matched) * 100 // project.points_per_yuan,
        donor_count=len({row["member_id"] for row in rows}), donation_count=len(rows),
        days=[DayTotal(d, *days[d]) for d in sorted(days)], csv=text, sha256=hashlib.sha256(text.encode()).hexdigest(),
    )


async def settle(
    viewer: Viewer | None, project_id: int, *, reference: str, paid_on: date | None = None, amount_fen: int | None = None,
    actor: str, clock: Clock,
) -> Statement:
    """Record the payment to the beneficiary; `viewer` None is the command line (an operator)."""
    if viewer is not None:
        require_chain_admin(viewer)
    reference = (reference or "").strip()
    if not reference or len(reference) > 100 or not reference.isprintable():
        raise DonationError(DonationErrorCode.REASON_REQUIRED, "Give the payment's reference, up to 100 characters.", field="reference")
    if amount_fen is not None and not 0 <= amount_fen <= MAX_MONEY_FEN:
        raise DonationError(DonationErrorCode.INVALID_PRICE, "An amount is 0 to 10,000,000 yuan.", field="amount")
    now = utc(clock.now())
    due = await statement(None, project_id)
    async with in_transaction() as conn:
        rows = await db.fetch(
            "SELECT * FROM charity_project WHERE id = $1" + dialect.current().lock("UPDATE"), project_id, connection=conn
        )
        project = CharityProject._init_from_db(**rows[0])
        if project.status == ProjectStatus.SETTLED and project.settlement_reference == reference:
            return await statement(None, project_id)
        if project.status != ProjectStatus.CLOSED:
            raise DonationError(
                DonationErrorCode.INVALID_TRANSITION, f"Only a closed project can be settled; this one is {project.status.lower()}.",
                field="projectId",
            )
        project.status = ProjectStatus.SETTLED
        project.settled_at = project.updated_at = now
        project.settled_on = paid_on or now.astimezone(ZoneInfo(DEFAULT_TIME_ZONE)).date()
        project.settlement_fen = due.yuan_due_fen if amount_fen is None else amount_fen
        project.settlement_reference = reference
        project.settled_by = actor[:64]
        await project.save(
            using_db=conn,
            update_fields=["status", "settled_at", "updated_at", "settled_on", "settlement_fen", "settlement_reference", "settled_by"],
        )
    return await statement(None, project_id)
