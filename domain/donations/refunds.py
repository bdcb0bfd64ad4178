"""Cancelling a project gives every donation back to its donor, each exactly once.

`cancel` shuts the project's gate (projects.mark_cancelled: no donation commits after it), then
refunds its ACCEPTED donations one transaction each: the donation row flips to REFUNDED by a
conditional UPDATE (`status = 'ACCEPTED'`), and only the transaction that flipped it writes the
reversals: the member's points come back as new lots that keep the expiry of the lots the
donation used (a REVERSAL journal of the DONATION), the matching goes back to MATCHING_BUDGET
(a REVERSAL of the DONATION_MATCH), and the totals drop by both. Two cancels at once, or a
retried one, race for each row; the loser finds it REFUNDED and moves on. A cancel that stopped
half-way (a crash) is finished by the next cancel or by the `charity-refunds` job.
"""

from __future__ import annotations

from tortoise.transactions import in_transaction

from domain.access import Viewer
from domain.donations import projects, shards
from domain.donations.donating import reference
from domain.donations.models import CharityProject, Donation
from domain.donations.projects import ProjectStatus, ProjectView
from domain.ledger import service as ledger
from domain.ledger.models import JournalKind, PointsJournal, SystemAccount
from infra import db
from infra.clock import Clock, utc

ACTOR = "system:charity-cancel"
BATCH = 500


async def cancel(viewer: Viewer, project_id: int, *, clock: Clock) -> tuple[ProjectView, int]:
    """Cancel the project and refund what is left to refund; the project and how many this call refunded."""
    await projects.mark_cancelled(viewer, project_id, clock=clock)
    refunded = await refund_cancelled(project_id, clock=clock)
    return await projects.view(project_id), refunded


async def refund_cancelled(project_id: int, *, clock: Clock) -> int:
    """Refund the ACCEPTED donations of a cancelled project; how many this call refunded."""
    refunded = 0
    last_id = 0
    while True:
        ids = await db.fetch(
            "SELECT id FROM donation WHERE project_id = $1 AND status = 'ACCEPTED' AND id > $2 ORDER BY id LIMIT $3",
            project_id, last_id, BATCH,
        )
        if not ids:
            return refunded
        for row in ids:
            refunded += await _refund(row["id"], clock)
        last_id = ids[-1]["id"]


async def _refund(donation_id: int, clock: Clock) -> int:
    now = utc(clock.now())
    async with in_transaction() as conn:
        rows = await db.fetch(
            "UPDATE donation SET status = 'REFUNDED', refunded_at = $2 WHERE id = $1 AND status = 'ACCEPTED' RETURNING *",
            donation_id, now, connection=conn,
        )
        if not rows:
            return 0  # refunded by another cancel already
        donation = Donation._init_from_db(**rows[0])
        ref = reference(donation.id)
        journals = {
            j.kind: j
            for j in await PointsJournal.filter(
                reference=ref, kind__in=[JournalKind.DONATION, JournalKind.DONATION_MATCH]
            ).using_db(conn)
        }
        reason = "Charity project cancelled: donation returned"
        await ledger.reverse(
            journals[JournalKind.DONATION].id, reason=reason, actor=ACTOR, reference=ref, clock=clock, connection=conn
        )
        if donation.matched_points:
            await ledger.transfer(
                donation.matched_points, JournalKind.REVERSAL, source=projects.account_code(donation.project_id),  # type: ignore[attr-defined]
                target=SystemAccount.MATCHING_BUDGET, shard_member_id=donation.member_id,  # type: ignore[attr-defined]
                reason=reason, actor=ACTOR, reference=ref, reverses_id=journals[JournalKind.DONATION_MATCH].id,
                clock=clock, connection=conn,
            )
        await shards.take_back(
            conn, donation.project_id, donation.member_id, donation.points, donation.matched_points,  # type: ignore[attr-defined]
        )
    return 1


async def refund_all_cancelled(*, clock: Clock) -> int:
    """The `charity-refunds` job: finish the refunds of every cancelled project."""
    done = 0
    for project_id in await CharityProject.filter(status=ProjectStatus.CANCELLED).values_list("id", flat=True):
        if await Donation.filter(project_id=project_id, status="ACCEPTED").exists():
            done += await refund_cancelled(project_id, clock=clock)
    return done
