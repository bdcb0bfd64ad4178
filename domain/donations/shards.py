"""A project's totals, spread over shard rows so that a hot project does not queue on one row.

Each project has `SHARDS` rows (charity_project_shard), the same count as the ledger's system
account shards: a donation of member m changes shard m % SHARDS of the totals, and its ledger
lines book on shard m % SHARDS of the project's account, so one donation locks one row of each,
and donors of different shards never wait on each other. A project's totals are the sums over
its rows (`totals`): raised, matched and donations are exact at every commit; donors counts
each member once (charity_donor's unique row decides which donation is the first).

What must hold over the whole project, a stop-at-goal project's goal and the matching cap, is
split over the shards too, as `goal_left` and `match_left`: the goal and the cap are dealt out
evenly when the project opens. A donation takes its part from its own shard in one conditional
UPDATE (`take_fast`). Only when its shard holds too little does it lock every shard of the
project in shard order and take from them in that order (`take_across`): the project's last
points to its goal, or the cap's last points, are decided exactly, by one transaction at a time.
Lock order: the fast path holds one shard row and takes no other; the slow path takes them all
in shard order before any other row, so the two never wait on each other in a cycle.

The `accepting` flag on every row is the gate of the project's state: opening sets it, closing
and cancelling clear it on every row (waiting for the donations in flight on them). A donation
changes its shard only while it is set, so a donation either commits before the close, and
is counted in the frozen totals (and refunded by a cancel), or is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from domain.ledger.accounts import SYSTEM_SHARDS, shard_of
from infra import db, dialect

SHARDS = SYSTEM_SHARDS


@dataclass(frozen=True)
class Totals:
    raised: int = 0
    matched: int = 0
    donations: int = 0
    donors: int = 0
    goal_left: int = 0
    match_left: int = 0


def dealt(total: int, shards: int = SHARDS) -> list[int]:
    """`total` dealt over the shards as evenly as whole points go, the first shards one more."""
    share, extra = divmod(total, shards)
    return [share + (1 if shard < extra else 0) for shard in range(shards)]


def match_for(points: int, ratio: Decimal | None) -> int:
    """What the chain adds to `points` at its ratio, rounded down to whole points."""
    if ratio is None:
        return 0
    return int((Decimal(points) * ratio).to_integral_value(rounding=ROUND_FLOOR))


async def open_shards(conn, project_id: int, *, goal_left: int, match_left: int) -> None:
    """Create the project's shard rows, accepting, with the goal and the cap dealt over them."""
    goals, matches = dealt(goal_left), dealt(match_left)
    await db.insert_rows(
        "charity_project_shard",
        ("project_id", "shard", "raised", "matched", "donations", "donors", "goal_left", "match_left", "accepting"),
        [(project_id, shard, 0, 0, 0, 0, goals[shard], matches[shard], True) for shard in range(SHARDS)],
        connection=conn,
    )


async def stop_accepting(conn, project_id: int) -> None:
    """Clear the gate on every shard, in shard order; waits for the donations in flight on them."""
    await db.fetch(
        "SELECT shard FROM charity_project_shard WHERE project_id = $1 ORDER BY shard" + dialect.current().lock("UPDATE"),
        project_id, connection=conn,
    )
    await db.execute("UPDATE charity_project_shard SET accepting = FALSE WHERE project_id = $1", project_id, connection=conn)


async def totals(project_ids: list[int], *, connection=None) -> dict[int, Totals]:
    """Each project's totals, summed over its shard rows; a project without rows (a draft) has none."""
    if not project_ids:
        return {}
    rows = await db.fetch(
        "SELECT project_id, SUM(raised) AS raised, SUM(matched) AS matched, SUM(donations) AS donations,"
        " SUM(donors) AS donors, SUM(goal_left) AS goal_left, SUM(match_left) AS match_left"
        f" FROM charity_project_shard WHERE project_id IN ({db.placeholders(len(project_ids))}) GROUP BY project_id",
        *project_ids, connection=connection,
    )
    found = {
        row["project_id"]: Totals(*(int(row[c]) for c in ("raised", "matched", "donations", "donors", "goal_left", "match_left")))
        for row in rows
    }
    return {project_id: found.get(project_id, Totals()) for project_id in project_ids}


@dataclass(frozen=True)
class Grant:
    """What a gated project gave a donation: its points (maybe cut to the goal) and the matching."""

    points: int
    matched: int


async def add_ungated(conn, project_id: int, member_id: int, points: int, *, new_donor: bool) -> bool:
    """Count a donation of a project without goal stop or matching; False when the project no longer accepts."""
    changed = await db.execute(
        "UPDATE charity_project_shard SET raised = raised + $1, donations = donations + 1, donors = donors + $2"
        " WHERE project_id = $3 AND shard = $4 AND accepting",
        points, 1 if new_donor else 0, project_id, shard_of(member_id), connection=conn,
    )
    return changed == 1


async def take_fast(conn, project_id: int, member_id: int, points: int, matched: int, *, stop_at_goal: bool) -> bool:
    """The whole donation and its matching from the member's own shard; False when it holds too little
    (or the project no longer accepts: `take_across` tells which)."""
    goal = points if stop_at_goal else 0
    changed = await db.execute(
        "UPDATE charity_project_shard SET raised = raised + $1, matched = matched + $2, donations = donations + 1,"
        " goal_left = goal_left - $3, match_left = match_left - $2"
        " WHERE project_id = $4 AND shard = $5 AND accepting AND goal_left >= $3 AND match_left >= $2",
        points, matched, goal, project_id, shard_of(member_id), connection=conn,
    )
    return changed == 1


async def take_across(
    conn, project_id: int, member_id: int, points: int, ratio: Decimal | None, *, stop_at_goal: bool
) -> Grant | None:
    """Lock every shard of the project in shard order and take what is left from them in that order.

    The points are cut to what is left to the goal (stop-at-goal), the matching to what is left
    of the cap. None when the project does not accept donations; a Grant of 0 points when the goal
    is reached.
    """
    rows = await db.fetch(
        "SELECT shard, goal_left, match_left, accepting FROM charity_project_shard WHERE project_id = $1 ORDER BY shard"
        + dialect.current().lock("UPDATE"),
        project_id, connection=conn,
    )
    if not rows or not all(row["accepting"] for row in rows):
        return None
    granted = min(points, sum(int(row["goal_left"]) for row in rows)) if stop_at_goal else points
    if granted == 0:
        return Grant(0, 0)
    matched = min(match_for(granted, ratio), sum(int(row["match_left"]) for row in rows))
    goal_due, match_due = (granted if stop_at_goal else 0), matched
    own = shard_of(member_id)
    for row in rows:
        goal_part = min(goal_due, int(row["goal_left"]))
        match_part = min(match_due, int(row["match_left"]))
        goal_due, match_due = goal_due - goal_part, match_due - match_part
        mine = row["shard"] == own
        if not (goal_part or match_part or mine):
            continue
        changed = await db.execute(
            "UPDATE charity_project_shard SET goal_left = goal_left - $1, match_left = match_left - $2,"
            " raised = raised + $3, matched = matched + $4, donations = donations + $5"
            " WHERE project_id = $6 AND shard = $7 AND goal_left >= $1 AND match_left >= $2",
            goal_part, match_part, granted if mine else 0, matched if mine else 0, 1 if mine else 0,
            project_id, row["shard"], connection=conn,
        )
        if changed != 1:
            raise RuntimeError(f"shard {row['shard']} of project {project_id} changed under its lock")
    return Grant(granted, matched)


async def count_donor(conn, project_id: int, member_id: int) -> None:
    """A gated donation's first donor: counted on its shard (locked by the donation already)."""
    await db.execute(
        "UPDATE charity_project_shard SET donors = donors + 1 WHERE project_id = $1 AND shard = $2",
        project_id, shard_of(member_id), connection=conn,
    )


async def take_back(conn, project_id: int, member_id: int, points: int, matched: int) -> None:
    """A refunded donation leaves the totals (its shard); the goal and the cap do not come back:
    only a cancelled project refunds, and it takes no more donations."""
    changed = await db.execute(
        "UPDATE charity_project_shard SET raised = raised - $1, matched = matched - $2, donations = donations - 1"
        " WHERE project_id = $3 AND shard = $4 AND raised >= $1 AND matched >= $2",
        points, matched, project_id, shard_of(member_id), connection=conn,
    )
    if changed != 1:
        raise RuntimeError(f"project {project_id} cannot give back {points} + {matched} points")
