"""Behaviour points: registration, referral, daily check-in, reviews; held under a daily cap.

The daily cap counts per member and store-local day in `behaviour_day`, raised by a conditional
update, so concurrent awards never pass it. Each award is a ledger credit in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from domain.access import CallerKind, Viewer
from domain.earning.models import ProductReview, PurchaseLine
from domain.errors import AccessDenied, DomainError
from domain.idempotency import run_once
from domain.ledger import service as ledger
from domain.ledger.models import JournalKind, PointsJournal
from domain.members.models import Member
from domain.programme import service as programme_settings
from domain.stores import services as stores
from domain.stores.models import DEFAULT_TIME_ZONE
from domain.text import clean_text
from infra import db
from infra.clock import Clock

MAX_REVIEW_TEXT = 2000


class BehaviourError(DomainError):
    pass


@dataclass(frozen=True)
class CheckInResult:
    points_awarded: int
    streak_days: int
    replayed: bool = False


@dataclass(frozen=True)
class ReviewOutcome:
    review: ProductReview
    replayed: bool = False


async def member_time_zone(member: Member) -> str:
    if member.home_store_id:  # type: ignore[attr-defined]
        store = await stores.store_by_id(member.home_store_id)  # type: ignore[attr-defined]
        if store:
            return store.time_zone
    return DEFAULT_TIME_ZONE


async def _capped(conn, member_id: int, local_date: date, wanted: int, cap: int) -> int:
    """Reserve up to `wanted` points of today's behaviour allowance; returns what was granted."""
    if wanted <= 0:
        return 0
    # The upsert opens the day's row or finds it, and locks it either way (a no-op update), so
    # concurrent awards of the member queue here and each reads what the one before left.
    rows = await db.fetch(
        "INSERT INTO behaviour_day (member_id, local_date, points) VALUES ($1, $2, 0)"
        " ON CONFLICT (member_id, local_date) DO UPDATE SET points = behaviour_day.points RETURNING id, points",
        member_id, local_date, connection=conn,
    )
    row = rows[0]
    grant = max(0, min(wanted, cap - int(row["points"])))
    if grant == 0:
        return 0
    updated = await db.execute(
        "UPDATE behaviour_day SET points = points + $1 WHERE id = $2 AND points + $1 <= $3", grant, row["id"], cap,
        connection=conn,
    )
    return grant if updated == 1 else 0


async def _award(conn, member_id: int, points: int, kind: JournalKind, *, local_date: date, reason: str,
                 actor: str, reference: str, clock: Clock, capped: bool = True) -> int:
    settings = await programme_settings.current()
    granted = await _capped(conn, member_id, local_date, points, settings["behaviour_daily_cap"]) if capped else points
    if granted > 0:
        await ledger.credit(
            member_id, granted, kind, reason=reason, actor=actor, reference=reference,
            expires_at=clock.now() + timedelta(days=settings["points_expiry_days"]),
            pending_days=settings["behaviour_pending_days"], clock=clock, connection=conn,
            savepoint=False,  # every caller's transaction rolls back whole on an error
        )
    return granted


async def welcome(member: Member, *, clock: Clock, connection=None) -> None:
    """New members get registration points; a referred friend and the referrer both get referral
    points, at once or, when the programme holds them, on the friend's first purchase."""
    settings = await programme_settings.current()
    local_date = clock.now().astimezone(ZoneInfo(await member_time_zone(member))).date()
    async with db.transaction(connection) as conn:
        if settings["registration_points"]:
            await _award(conn, member.id, settings["registration_points"], JournalKind.REGISTRATION,
                         local_date=local_date, reason="Welcome to the programme", actor="system:registration",
                         reference=f"registration:{member.id}", clock=clock, capped=False)
        if not settings["referral_held_until_first_purchase"]:
            await _reward_referral(conn, member, settings, local_date, clock)


REFERRAL_WINDOW = timedelta(hours=24)


async def _reward_referral(conn, member: Member, settings: dict, local_date: date, clock: Clock) -> None:
    """Both sides' referral points, once per friend; a referrer rewarded for
    `referrals_rewarded_per_referrer_per_day` friends in 24 hours gets no more (sign-up farming)."""
    referrer_id = member.referred_by_id  # type: ignore[attr-defined]
    if not referrer_id or not settings["referral_points"]:
        return
    if await PointsJournal.filter(reference=f"referral:{member.id}:{referrer_id}").using_db(conn).exists():
        return
    rewarded = await db.fetch(  # through the referrer's own entries: a member's handful, by index
        "SELECT COUNT(*) AS n FROM points_entry e JOIN points_account a ON a.id = e.account_id"
        " JOIN points_journal j ON j.id = e.journal_id"
        " WHERE a.member_id = $1 AND j.kind = $2 AND j.reference LIKE 'referral:%' AND j.created_at >= $3",
        referrer_id, JournalKind.REFERRAL.value, clock.now() - REFERRAL_WINDOW, connection=conn,
    )
    if rewarded[0]["n"] >= settings["referrals_rewarded_per_referrer_per_day"]:
        return
    for beneficiary in (member.id, referrer_id):
        await _award(conn, beneficiary, settings["referral_points"], JournalKind.REFERRAL,
                     local_date=local_date, reason=f"Referral of member {member.id}",
                     actor="system:referral", reference=f"referral:{member.id}:{beneficiary}", clock=clock)


async def reward_referrer_for_first_order(member: Member, purchase_id: int, *, clock: Clock) -> int:
    settings = await programme_settings.current()
    points = settings["referral_first_order_points"]
    referrer_id = member.referred_by_id  # type: ignore[attr-defined]
    reference = f"referral-first-order:{member.id}"
    if referrer_id is None:
        return 0
    async with in_transaction() as conn:
        if settings["referral_held_until_first_purchase"]:
            local_date = clock.now().astimezone(ZoneInfo(await member_time_zone(member))).date()
            await _reward_referral(conn, member, settings, local_date, clock)
        if not points or await PointsJournal.filter(reference=reference).using_db(conn).exists():
            return 0
        referrer = await Member.get(id=referrer_id).using_db(conn)
        local_date = clock.now().astimezone(ZoneInfo(await member_time_zone(referrer))).date()
        return await _award(conn, referrer_id, points, JournalKind.REFERRAL, local_date=local_date,
                            reason=f"First order of referred member {member.id}", actor=f"purchase:{purchase_id}",
                            reference=reference, clock=clock)


def _member_id(viewer: Viewer) -> int:
    if viewer.kind is not CallerKind.MEMBER or viewer.subject_id is None:
        raise AccessDenied("Only a signed-in member does this.", unauthenticated=viewer.is_anonymous)
    return viewer.subject_id


async def check_in(viewer: Viewer, *, clock: Clock, idempotency_key: str | None = None) -> CheckInResult:
    """Once per store-local day; every Nth consecutive day (default 7th) earns a bonus too.

    With an idempotency key, a retry answers the first check-in again instead of ALREADY_CHECKED_IN.
    """
    if idempotency_key is None:
        return await _check_in(viewer, clock, connection=None)

    async def action(conn) -> dict:
        done = await _check_in(viewer, clock, connection=conn)
        return {"points": done.points_awarded, "streak": done.streak_days}

    outcome = await run_once(scope=viewer.idempotency_scope, key=idempotency_key, operation="checkIn", request={},
                             action=action, clock=clock)
    return CheckInResult(outcome.result["points"], outcome.result["streak"], replayed=outcome.replayed)


async def _check_in(viewer: Viewer, clock: Clock, *, connection) -> CheckInResult:
    member = await db.by_id(Member, _member_id(viewer), connection=connection)
    if member is None:
        raise AccessDenied("Sign in again.", unauthenticated=True)
    settings = await programme_settings.current()
    today = clock.now().astimezone(ZoneInfo(await member_time_zone(member))).date()
    yesterday = await db.fetch(
        "SELECT streak_days FROM check_in WHERE member_id = $1 AND local_date = $2", member.id, today - timedelta(days=1),
        connection=connection,
    )
    streak = yesterday[0]["streak_days"] + 1 if yesterday else 1
    wanted = settings["check_in_points"]
    if streak % settings["check_in_streak_days"] == 0:
        wanted += settings["check_in_streak_bonus"]
    try:
        async with db.transaction(connection, savepoint=False) as conn:
            # The points first, then the day's row: a second check-in fails on the row's unique
            # (member, day) and rolls its points back with it.
            granted = await _award(conn, member.id, wanted, JournalKind.CHECK_IN, local_date=today,
                                   reason=f"Check-in, day {streak} of the streak", actor=viewer.idempotency_scope,
                                   reference=f"check-in:{member.id}:{today.isoformat()}", clock=clock)
            await db.execute(
                "INSERT INTO check_in (member_id, local_date, streak_days, points, created_at) VALUES ($1, $2, $3, $4, $5)",
                member.id, today, streak, granted, clock.now(), connection=conn,
            )
    except IntegrityError:
        raise BehaviourError("ALREADY_CHECKED_IN", "You have checked in today already.") from None
    return CheckInResult(points_awarded=granted, streak_days=streak)


async def submit_review(viewer: Viewer, purchase_line_id: int, rating: int, text: str, *, clock: Clock,
                        idempotency_key: str | None = None) -> ReviewOutcome:
    """Once per purchased line, by the member who bought it.

    With an idempotency key, a retry answers the first review again instead of ALREADY_REVIEWED.
    """
    member_id = _member_id(viewer)
    if not 1 <= rating <= 5:
        raise BehaviourError("INVALID_RATING", "A rating is 1 to 5.", field="rating")
    text = clean_text(text, "text", MAX_REVIEW_TEXT, multiline=True)
    if not text:
        raise BehaviourError("INVALID_TEXT", "A review has 1 to 2,000 characters.", field="text")
    if idempotency_key is None:
        return ReviewOutcome(await _review(viewer, member_id, purchase_line_id, rating, text, clock, connection=None))

    async def action(conn) -> dict:
        return {"review": (await _review(viewer, member_id, purchase_line_id, rating, text, clock, connection=conn)).id}

    outcome = await run_once(
        scope=viewer.idempotency_scope, key=idempotency_key, operation="submitReview",
        request={"line": purchase_line_id, "rating": rating, "text": text.strip()}, action=action, clock=clock,
    )
    return ReviewOutcome(await ProductReview.get(id=outcome.result["review"]), replayed=outcome.replayed)


async def _review(viewer: Viewer, member_id: int, purchase_line_id: int, rating: int, text: str, clock: Clock, *,
                  connection) -> ProductReview:
    line = await PurchaseLine.get_or_none(id=purchase_line_id).using_db(connection).prefetch_related("purchase")
    if line is None or line.purchase.member_id != member_id:  # type: ignore[attr-defined]
        raise BehaviourError("LINE_NOT_FOUND", "You did not buy that item.", field="purchaseLineId")
    member = await Member.get(id=member_id).using_db(connection)
    today = clock.now().astimezone(ZoneInfo(await member_time_zone(member))).date()
    points = await programme_settings.get("review_points")
    try:
        async with db.transaction(connection, savepoint=False) as conn:
            review = await ProductReview.create(
                member_id=member_id, purchase_line_id=line.id, rating=rating, text=text, points=0,
                created_at=clock.now(), using_db=conn,
            )
            granted = await _award(conn, member_id, points, JournalKind.REVIEW, local_date=today,
                                   reason=f"Review of {line.sku}", actor=viewer.idempotency_scope,
                                   reference=f"review:{line.id}", clock=clock)
            await ProductReview.filter(id=review.id).using_db(conn).update(points=granted)
    except IntegrityError:
        raise BehaviourError("ALREADY_REVIEWED", "You reviewed this item already.", field="purchaseLineId") from None
    return await ProductReview.get(id=review.id).using_db(connection)
