"""The donations' invariants against the ledger; `orchard ledger check` runs them with the ledger's.

P1. A project's account (the sum over its `CHARITY-<id>` shard rows) holds exactly the points
    of its ACCEPTED donations plus their matching: Σ donations - reversals = project balance.
P2. Its totals (the sum over its shard rows) agree: raised = Σ points, matched = Σ matched
    points, donations = the count of ACCEPTED donations, donors = its distinct donors.
P3. Each ACCEPTED donation has one DONATION journal of its points and, when matched, one
    DONATION_MATCH of its matching; each REFUNDED one has one reversal of each, and no more.
P4. What is left to the goal and the cap plus what was taken is the goal and the cap:
    raised + goal_left = goal (stop-at-goal) and matched + match_left = cap, unless refunded.
"""

from __future__ import annotations

from domain.donations import shards
from domain.donations.models import CharityProject
from domain.donations.projects import ProjectStatus, account_code
from domain.ledger import accounts
from infra import db


async def check_projects() -> list[str]:
    found: list[str] = []
    projects = await CharityProject.all().order_by("id")
    totals = await shards.totals([p.id for p in projects])
    for project in projects:
        found += await _project(project, totals[project.id])
    found += await _journals()
    return found


async def _project(project: CharityProject, total: shards.Totals) -> list[str]:
    name = f"charity project {project.id}"
    sums = (await db.fetch(
        "SELECT COALESCE(SUM(points), 0) AS points, COALESCE(SUM(matched_points), 0) AS matched, COUNT(*) AS n"
        " FROM donation WHERE project_id = $1 AND status = 'ACCEPTED'", project.id,
    ))[0]
    points, matched, count = int(sums["points"]), int(sums["matched"]), int(sums["n"])
    donors = (await db.fetch("SELECT COUNT(*) AS n FROM charity_donor WHERE project_id = $1", project.id))[0]["n"]
    balance = await accounts.system_balance(account_code(project.id))
    found = []
    if balance != points + matched:
        found.append(f"{name}: account holds {balance} but its donations {points} + matching {matched} = {points + matched} (P1)")
    if project.status != ProjectStatus.DRAFT:
        if (total.raised, total.matched, total.donations) != (points, matched, count):
            found.append(
                f"{name}: totals raised {total.raised}, matched {total.matched}, donations {total.donations}"
                f" but its donations {points}, {matched}, {count} (P2)"
            )
        if total.donors != int(donors):
            found.append(f"{name}: totals count {total.donors} donors, but {donors} members donated (P2)")
        if project.status != ProjectStatus.CANCELLED:
            if project.stop_at_goal and total.raised + total.goal_left != project.goal_points:
                found.append(f"{name}: raised {total.raised} + left {total.goal_left} is not the goal {project.goal_points} (P4)")
            if project.match_cap_points and total.matched + total.match_left != project.match_cap_points:
                found.append(
                    f"{name}: matched {total.matched} + left {total.match_left} is not the cap {project.match_cap_points} (P4)"
                )
    return found


async def _journals() -> list[str]:
    """P3: per donation, its journals by the reference they carry."""
    rows = await db.fetch(
        "SELECT d.id, d.status, d.points, d.matched_points,"
        " (SELECT COUNT(*) FROM points_journal j WHERE j.reference = 'donation:' || CAST(d.id AS VARCHAR(12))"
        "  AND j.kind = 'DONATION') AS debits,"
        " (SELECT COUNT(*) FROM points_journal j WHERE j.reference = 'donation:' || CAST(d.id AS VARCHAR(12))"
        "  AND j.kind = 'DONATION_MATCH') AS matches,"
        " (SELECT COUNT(*) FROM points_journal j WHERE j.reference = 'donation:' || CAST(d.id AS VARCHAR(12))"
        "  AND j.kind = 'REVERSAL') AS reversals"
        " FROM donation d ORDER BY d.id"
    )
    found = []
    for row in rows:
        matched = 1 if int(row["matched_points"]) else 0
        reversals = (1 + matched) if row["status"] == "REFUNDED" else 0
        if (int(row["debits"]), int(row["matches"]), int(row["reversals"])) != (1, matched, reversals):
            found.append(
                f"donation {row['id']} ({row['status'].lower()}): {row['debits']} DONATION, {row['matches']} DONATION_MATCH"
                f" and {row['reversals']} REVERSAL journals, expected 1, {matched} and {reversals} (P3)"
            )
    return found
