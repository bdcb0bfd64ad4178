"""Donating points to a charity project: by the member in the app, or by a kiosk or clerk for a
scanned member code.

Before the transaction nothing is written: the project must exist, be OPEN and inside its
window (PROJECT_NOT_OPEN), and the points meet its minimum (BELOW_MINIMUM). One transaction
then writes, in this order:

1. the donation row, claimed by a unique insert on (caller, idempotency key): a concurrent retry
   with the same key waits on the unique index and then replays the first; a key used for
   another request is IDEMPOTENCY_KEY_REUSED;
2. for a project that stops at its goal or has matching, its goal and cap share: the member's
   shard row of the project's totals, or all of them in shard order when that shard holds too
   little (domain/donations/shards.py). The rule for a donation that would pass the goal of a
   stop-at-goal project: it is cut to the points left to the goal (`points` says what was
   taken, `requestedPoints` what was asked), even below the minimum, since it completes the
   goal; when nothing is left it is GOAL_REACHED. Matching is floor(points x ratio), cut to
   what is left of the cap;
3. the points, through the ledger: FIFO lots, one DONATION journal from the member to the
   project's account (`CHARITY-<id>`, the member's shard of it); INSUFFICIENT_POINTS when short;
4. the matching: one DONATION_MATCH journal from the chain's MATCHING_BUDGET to the project;
5. the donor row (charity_donor, unique per project and member), which makes donorCount count
   distinct members, and for a project without goal stop or matching, its totals last: the
   member's shard row, changed only while the project accepts (PROJECT_NOT_OPEN otherwise).

Any expected failure rolls the whole transaction back, the key included, so the caller may
retry with it. A retry whose first request went through replays the donation, whatever the
project's state is now.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.transactions import in_transaction

from domain import contended
from domain.access import Viewer
from domain.bounds import MAX_BALANCE
from domain.donations import projects, shards
from domain.donations.errors import DonationError, DonationErrorCode
from domain.donations.models import CharityProject, Donation
from domain.donations.projects import ProjectStatus
from domain.errors import AccessDenied
from domain.idempotency import in_flight
from domain.idempotency import service as idempotency
from domain.idempotency.service import check_key
from domain.ledger import service as ledger
from domain.ledger.errors import LedgerError, LedgerErrorCode
from domain.ledger.models import JournalKind, SystemAccount
from domain.mall import codes as short_codes
from domain.members.models import Member
from domain.members.served import member_served
from domain.members.services import MemberWithBalance
from domain.stores import services as stores
from infra import db
from infra.clock import Clock, utc

CODE_ATTEMPTS = 5


@dataclass(frozen=True)
class DonateRequest:
    project_id: int
    points: int
    idempotency_key: str
    anonymous: bool = False
    store_id: int | None = None
    member_code: str | None = None


@dataclass(frozen=True)
class DonateOutcome:
    donation: Donation
    replayed: bool
    member_after: MemberWithBalance | None = None  # the member as this donation left them (not on a replay)


def reference(donation_id: int) -> str:
    """The ledger reference of a donation: its DONATION and DONATION_MATCH journals and their reversals."""
    return f"donation:{donation_id}"


def fingerprint(project_id: int, points: int, anonymous: bool, store_id: int | None, member_id: int) -> str:
    return idempotency.fingerprint(
        "donatePoints", {"project": project_id, "points": points, "anonymous": anonymous, "store": store_id, "member": member_id}
    )


async def donate(viewer: Viewer, request: DonateRequest, *, clock: Clock) -> DonateOutcome:
    check_key(request.idempotency_key)
    if isinstance(request.points, bool) or not 1 <= request.points <= MAX_BALANCE:
        raise DonationError(DonationErrorCode.INVALID_AMOUNT, f"Donate 1 to {MAX_BALANCE:,} points.", field="points")
    sent = {
        "project": request.project_id, "points": request.points, "anonymous": request.anonymous,
        "store": request.store_id, "member": request.member_code,
    }
    return await in_flight.one_at_a_time(
        viewer.idempotency_scope, request.idempotency_key, sent, lambda: _donate(viewer, request, clock),
        in_progress=_in_progress,
    )


def _try_again() -> DonationError:
    return DonationError(DonationErrorCode.TRY_AGAIN, "Donations are very busy right now: send it again with the same key.")


async def _donate(viewer: Viewer, request: DonateRequest, clock: Clock) -> DonateOutcome:
    async with contended.translated(_try_again):
        member = await member_served(viewer, request.member_code, doing="donate")
        member_id = member.id if member is not None else viewer.subject_id
        assert member_id is not None
        store_id = await _store_for(viewer, request.store_id)
        print_ = fingerprint(request.project_id, request.points, request.anonymous, store_id, member_id)
        project = await CharityProject.get_or_none(id=request.project_id)
        try:
            if project is None or not projects.may_see(viewer, project):
                raise DonationError(DonationErrorCode.PROJECT_NOT_FOUND, "There is no such charity project.", field="projectId")
            _screen(project, request, clock)
            return await _write(viewer, project, member, member_id, store_id, print_, request, clock)
        except DonationError as exc:
            if exc.code not in _REPLAYABLE:
                raise
            return await _replay_or_raise(exc, viewer, request, print_)


# Refusals that a retry of a donation that went through must not get: it replays instead.
_REPLAYABLE = frozenset({
    DonationErrorCode.PROJECT_NOT_FOUND, DonationErrorCode.PROJECT_NOT_OPEN, DonationErrorCode.BELOW_MINIMUM,
    DonationErrorCode.GOAL_REACHED, DonationErrorCode.INSUFFICIENT_POINTS,
})


def _screen(project: CharityProject, request: DonateRequest, clock: Clock) -> None:
    now = utc(clock.now())
    if project.status != ProjectStatus.OPEN or not project.opens_at <= now < project.closes_at:
        when = "not open yet" if project.status == ProjectStatus.OPEN and now < project.opens_at else "not taking donations"
        raise DonationError(DonationErrorCode.PROJECT_NOT_OPEN, f"This project is {when}.", field="projectId")
    if request.points < project.minimum_points:
        raise DonationError(
            DonationErrorCode.BELOW_MINIMUM, f"This project takes donations of at least {project.minimum_points:,} points.",
            field="points",
        )


async def _store_for(viewer: Viewer, store_id: int | None) -> int | None:
    """Store staff and devices donate at their own store; others name one or none."""
    if viewer.is_store_bound:
        if store_id is not None and store_id != viewer.store_id:
            raise AccessDenied("You may not act for that store.")
        return viewer.store_id
    if store_id is not None and await stores.store_by_id(store_id) is None:
        raise DonationError(DonationErrorCode.STORE_NOT_FOUND, "No such store.", field="storeId")
    return store_id


async def _write(
    viewer: Viewer, project: CharityProject, member: Member | None, member_id: int, store_id: int | None, print_: str,
    request: DonateRequest, clock: Clock,
) -> DonateOutcome:
    now = utc(clock.now())
    ratio = project.match_ratio
    gated = project.stop_at_goal or ratio is not None
    async with in_transaction() as conn:
        if member is None:
            member = await db.by_id(Member, member_id, connection=conn)
            if member is None:
                raise AccessDenied("Sign in again.", unauthenticated=True)
        wanted_match = shards.match_for(request.points, ratio)
        if gated:
            # goal_left and match_left only ever go down: a read of 0 stays true, and saves the
            # donations after the goal or the cap from locking every shard only to learn it.
            left = (await shards.totals([project.id], connection=conn))[project.id]
            if project.stop_at_goal and left.goal_left == 0:
                raise _goal_reached(project)
            if left.match_left == 0:
                wanted_match = 0
        donation, replayed = await _claim(conn, project, member_id, store_id, print_, request, wanted_match, viewer, now)
        if replayed:
            return DonateOutcome(donation, True)
        points, matched = request.points, wanted_match
        if gated and not await shards.take_fast(conn, project.id, member_id, points, matched, stop_at_goal=project.stop_at_goal):
            grant = await shards.take_across(conn, project.id, member_id, points, ratio, stop_at_goal=project.stop_at_goal)
            if grant is None:
                raise _not_open()
            if grant.points == 0:
                raise _goal_reached(project)
            if (grant.points, grant.matched) != (points, matched):
                points, matched = grant.points, grant.matched
                await db.execute(
                    "UPDATE donation SET points = $1, matched_points = $2 WHERE id = $3", points, matched, donation.id,
                    connection=conn,
                )
                donation.points, donation.matched_points = points, matched
        account = await _spend(conn, project, member_id, store_id, donation, points, clock)
        if matched:
            await ledger.transfer(
                matched, JournalKind.DONATION_MATCH, source=SystemAccount.MATCHING_BUDGET,
                target=projects.account_code(project.id), shard_member_id=member_id,
                reason=f"Matched a donation to {project.name}"[:255], actor=donation.actor, reference=reference(donation.id),
                clock=clock, connection=conn, savepoint=False,
            )
        new_donor = bool(await db.fetch(
            "INSERT INTO charity_donor (project_id, member_id, created_at) VALUES ($1, $2, $3)"
            " ON CONFLICT (project_id, member_id) DO NOTHING RETURNING id",
            project.id, member_id, now, connection=conn,
        ))
        if gated:
            if new_donor:
                await shards.count_donor(conn, project.id, member_id)
        elif not await shards.add_ungated(conn, project.id, member_id, points, new_donor=new_donor):
            raise _not_open()
    return DonateOutcome(donation, False, MemberWithBalance(member, account.balance, account.pending, account.debt))


async def _claim(
    conn, project: CharityProject, member_id: int, store_id: int | None, print_: str, request: DonateRequest,
    matched: int, viewer: Viewer, now,
) -> tuple[Donation, bool]:
    """Insert the donation, or find the one this caller already made with this key."""
    scope = viewer.idempotency_scope
    for _ in range(CODE_ATTEMPTS):
        inserted = await db.fetch(
            "INSERT INTO donation (certificate_code, project_id, member_id, store_id, requested_points, points, matched_points,"
            " anonymous, status, caller_scope, idempotency_key, fingerprint, actor, created_at)"
            " VALUES ($1, $2, $3, $4, $5, $5, $6, $7, 'ACCEPTED', $8, $9, $10, $8, $11)"
            " ON CONFLICT DO NOTHING RETURNING *",
            short_codes.new_code(), project.id, member_id, store_id, request.points, matched, request.anonymous, scope,
            request.idempotency_key, print_, now, connection=conn,
        )
        if inserted:
            return Donation._init_from_db(**inserted[0]), False
        first = await Donation.get_or_none(caller_scope=scope, idempotency_key=request.idempotency_key).using_db(conn)
        if first is not None:
            if first.fingerprint != print_:
                raise _key_reused()
            return first, True
    raise RuntimeError("no free certificate code after several draws")


async def _spend(conn, project: CharityProject, member_id: int, store_id: int | None, donation: Donation, points: int, clock: Clock):
    try:
        spent = await ledger.debit(
            member_id, points, JournalKind.DONATION, reason=f"Donated to {project.name}"[:255], actor=donation.actor,
            store_id=store_id, reference=reference(donation.id), counter=projects.account_code(project.id),
            clock=clock, connection=conn, savepoint=False,
        )
    except LedgerError as exc:
        if exc.code != LedgerErrorCode.INSUFFICIENT_POINTS:
            raise
        raise DonationError(
            DonationErrorCode.INSUFFICIENT_POINTS, f"The member cannot spend {points:,} points.", field="points"
        ) from None
    return spent.account


async def _replay_or_raise(error: DonationError, viewer: Viewer, request: DonateRequest, print_: str) -> DonateOutcome:
    first = await Donation.get_or_none(caller_scope=viewer.idempotency_scope, idempotency_key=request.idempotency_key)
    if first is None:
        raise error
    if first.fingerprint != print_:
        raise _key_reused() from None
    return DonateOutcome(first, replayed=True)


def _not_open() -> DonationError:
    return DonationError(DonationErrorCode.PROJECT_NOT_OPEN, "This project is not taking donations.", field="projectId")


def _goal_reached(project: CharityProject) -> DonationError:
    return DonationError(
        DonationErrorCode.GOAL_REACHED, f"This project has reached its goal of {project.goal_points:,} points.", field="points"
    )


def _key_reused() -> DonationError:
    return DonationError(
        DonationErrorCode.IDEMPOTENCY_KEY_REUSED, "This idempotency key was already used for a different donation.",
        field="idempotencyKey",
    )


def _in_progress() -> DonationError:
    return DonationError(
        DonationErrorCode.IN_PROGRESS, "This donation is still being made: send it again with the same key in a moment.",
        field="idempotencyKey",
    )
