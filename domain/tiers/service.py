"""Tier catalogue, evaluation after activity, periodic review, manual floors and history."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from tortoise.transactions import in_transaction

from domain import decimals
from domain.access import Viewer, require_chain_admin
from domain.bounds import MAX_BALANCE
from domain.errors import DomainError
from domain.members.models import Member
from domain.text import clean_text, column_text
from domain.tiers import rules
from domain.tiers.models import Tier, TierChange
from domain.webhooks import outbox
from domain.webhooks.events import EventType, api_id, iso
from infra import cache
from infra.clock import Clock

log = logging.getLogger("orchard.tiers")
CACHE_KEY = "tiers:all"
CACHE_TTL = 300
MAX_BENEFIT_CODE = 32
MAX_BENEFIT_DESCRIPTION = 255

DEFAULT_TIERS = [
    # code, name, rank, min points, min purchases, multiplier, redemption discount %, benefits
    ("REGULAR", "Regular", 0, 0, 0, "1.00", 0, [
        ("POINTS_OFFSET", "Pay part of an order with points"),
        ("BIRTHDAY_GIFT", "A birthday gift"),
    ]),
    ("SILVER", "Silver", 1, 1000, 4, "1.20", 0, [
        ("POINTS_OFFSET", "Pay part of an order with points"),
        ("BIRTHDAY_GIFT", "A birthday gift"),
        ("FREE_WASHING", "Free fruit washing"),
    ]),
    ("GOLD", "Gold", 2, 5000, 12, "1.50", 5, [
        ("BIRTHDAY_GIFT_BOX", "A birthday gift box"),
        ("FREE_DELIVERY", "Free delivery"),
        ("PRIORITY_PURCHASE", "Priority purchase of limited new items"),
    ]),
    ("DIAMOND", "Diamond", 3, 15000, 24, "2.00", 10, [
        ("FREE_FRESH_CUT", "Free fresh-cut fruit"),
        ("BIRTHDAY_GIFT_BOX", "A birthday gift box"),
        ("DEDICATED_SERVICE", "A dedicated service line"),
        ("PRIORITY_PURCHASE", "Priority purchase of limited new items"),
        ("FREE_DELIVERY", "Free delivery"),
    ]),
]


class TierError(DomainError):
    pass


ActivitySource = Callable[[list[int], datetime], Awaitable[dict[int, rules.Activity]]]


@dataclass(frozen=True)
class Progress:
    next_tier: Tier | None
    activity: rules.Activity
    points_needed: int
    purchases_needed: int


async def ensure_default_tiers() -> None:
    if await Tier.exists():
        return
    async with in_transaction() as conn:
        for code, name, rank, points, purchases, multiplier, discount, benefits in DEFAULT_TIERS:
            await Tier.get_or_create(
                code=code,
                defaults={
                    "name": name, "rank": rank, "min_points": points, "min_purchases": purchases,
                    "earn_multiplier": Decimal(multiplier), "redemption_discount_percent": discount,
                    "benefits": [{"code": c, "description": d} for c, d in benefits],
                },
                using_db=conn,
            )
    await cache.delete(CACHE_KEY)


async def all_tiers() -> list[Tier]:
    """Read-mostly: cached, and invalidated on every admin change."""

    async def load() -> list[Tier]:
        return list(await Tier.all().order_by("rank"))

    tiers = await cache.get_or_load(CACHE_KEY, load, ttl=CACHE_TTL)
    if not tiers:
        await ensure_default_tiers()
        tiers = await load()
    return tiers


async def lowest_tier() -> Tier:
    return (await all_tiers())[0]


def _by_id(tiers: Sequence[Tier], tier_id: int | None) -> Tier | None:
    return next((t for t in tiers if t.id == tier_id), None)


def _checked_values(values: dict) -> dict:
    if "code" in values:
        values["code"] = column_text(Tier, "code", values["code"]).upper()
        if not values["code"]:
            raise TierError("INVALID_CODE", "A tier code is 1-32 characters.", field="code")
    if "name" in values:
        values["name"] = column_text(Tier, "name", values["name"])
    for i, benefit in enumerate(values.get("benefits") or ()):
        benefit["code"] = clean_text(benefit["code"], f"benefits.{i}.code", MAX_BENEFIT_CODE)
        benefit["description"] = clean_text(benefit["description"], f"benefits.{i}.description", MAX_BENEFIT_DESCRIPTION)
    for key, field in (("min_points", "minPoints"), ("min_purchases", "minPurchases")):
        if key in values and not 0 <= values[key] <= MAX_BALANCE:
            raise TierError("INVALID_THRESHOLD", f"Thresholds are 0 to {MAX_BALANCE:,}.", field=field)
    if "earn_multiplier" in values:
        try:
            multiplier = Decimal(str(values["earn_multiplier"]))
        except InvalidOperation:
            multiplier = Decimal(0)
        if not decimals.finite_between(multiplier, Decimal("0.01"), 100):
            raise TierError("INVALID_MULTIPLIER", "The earn multiplier is between 0.01 and 100.", field="earnMultiplier")
        values["earn_multiplier"] = multiplier
    if "redemption_discount_percent" in values and not 0 <= values["redemption_discount_percent"] <= 100:
        raise TierError("INVALID_DISCOUNT", "The redemption discount is 0 to 100 percent.", field="redemptionDiscountPercent")
    return values


async def create_tier(viewer: Viewer, **values) -> Tier:
    require_chain_admin(viewer)
    values = _checked_values(values)
    if await Tier.filter(code=values["code"]).exists():
        raise TierError("CODE_TAKEN", "A tier with that code exists.", field="code")
    if await Tier.filter(rank=values["rank"]).exists():
        raise TierError("RANK_TAKEN", "Another tier has that rank.", field="rank")
    tier = await Tier.create(**values)
    await cache.delete(CACHE_KEY)
    return tier


async def update_tier(viewer: Viewer, tier_id: int, **changes) -> Tier:
    require_chain_admin(viewer)
    tier = await Tier.get_or_none(id=tier_id)
    if tier is None:
        raise TierError("TIER_NOT_FOUND", "No such tier.", field="id")
    changes = _checked_values({k: v for k, v in changes.items() if v is not None})
    if "rank" in changes and await Tier.filter(rank=changes["rank"]).exclude(id=tier_id).exists():
        raise TierError("RANK_TAKEN", "Another tier has that rank.", field="rank")
    if "code" in changes and await Tier.filter(code=changes["code"]).exclude(id=tier_id).exists():
        raise TierError("CODE_TAKEN", "A tier with that code exists.", field="code")
    if changes:
        await Tier.filter(id=tier_id).update(**changes)
        await cache.delete(CACHE_KEY)
    return await Tier.get(id=tier_id)


async def _record_change(member: Member, to: Tier, reason: str, actor: str, clock: Clock, note: str | None = None, connection=None) -> None:
    """The member's new tier, its history row and the member.tier_changed webhook event, in one transaction."""
    if connection is None:
        async with in_transaction() as conn:
            return await _record_change(member, to, reason, actor, clock, note, connection=conn)
    from_id = member.tier_id  # type: ignore[attr-defined]
    await Member.filter(id=member.id).using_db(connection).update(tier_id=to.id, updated_at=clock.now())
    await TierChange.create(
        member_id=member.id, from_tier_id=from_id, to_tier_id=to.id, reason=reason, note=note, actor=actor,
        created_at=clock.now(), using_db=connection,
    )
    member.tier_id = to.id  # type: ignore[attr-defined]
    before = _by_id(await all_tiers(), from_id)
    await outbox.emit(connection, EventType.MEMBER_TIER_CHANGED, {
        "member": {"id": api_id("Member", member.id), "code": member.code},
        "fromTier": before.code if before else None, "toTier": to.code, "reason": reason, "changedAt": iso(clock.now()),
    }, clock=clock)


async def record_registration(member: Member, tier: Tier, actor: str, clock: Clock, connection=None) -> None:
    await TierChange.create(
        member_id=member.id, from_tier_id=None, to_tier_id=tier.id, reason="REGISTRATION", actor=actor,
        created_at=clock.now(), using_db=connection,
    )


async def apply_activity(member: Member, activity: rules.Activity, *, actor: str, clock: Clock, connection=None) -> Tier:
    """Called after each purchase: upgrade at once when the member qualifies."""
    tiers = await all_tiers()
    current = _by_id(tiers, member.tier_id) or tiers[0]  # type: ignore[attr-defined]
    floor = _by_id(tiers, member.tier_floor_id)  # type: ignore[attr-defined]
    target = rules.after_activity(tiers, current, floor, activity)
    if target.id != current.id:
        await _record_change(member, target, "QUALIFIED", actor, clock, connection=connection)
    return target


async def review_member(member: Member, activity: rules.Activity, *, actor: str, clock: Clock) -> tuple[Tier, Tier]:
    tiers = await all_tiers()
    current = _by_id(tiers, member.tier_id) or tiers[0]  # type: ignore[attr-defined]
    floor = _by_id(tiers, member.tier_floor_id)  # type: ignore[attr-defined]
    target = rules.after_review(tiers, current, floor, activity)
    if target.id != current.id:
        await _record_change(member, target, "REVIEW", actor, clock)
    return current, target


@dataclass(frozen=True)
class ReviewReport:
    reviewed: int
    upgraded: int
    downgraded: int


async def review_all(
    activity_source: ActivitySource, *, window_start: datetime, actor: str, clock: Clock,
    member_ids: list[int] | None = None, batch_size: int = 500, progress: Callable[[int], None] | None = None,
) -> ReviewReport:
    reviewed = upgraded = downgraded = 0
    last_id = 0
    while True:
        query = Member.filter(id__gt=last_id).order_by("id").limit(batch_size)
        if member_ids is not None:
            query = query.filter(id__in=member_ids)
        batch = list(await query)
        if not batch:
            break
        activity = await activity_source([m.id for m in batch], window_start)
        for member in batch:
            before, after = await review_member(
                member, activity.get(member.id, rules.Activity(0, 0)), actor=actor, clock=clock
            )
            reviewed += 1
            upgraded += after.rank > before.rank
            downgraded += after.rank < before.rank
        last_id = batch[-1].id
        if progress:
            progress(len(batch))
    log.info("tier review done", extra={"reviewed": reviewed, "upgraded": upgraded, "downgraded": downgraded})
    return ReviewReport(reviewed, upgraded, downgraded)


async def set_floor(viewer: Viewer, member: Member, tier_code: str | None, reason: str, *, clock: Clock) -> Member:
    """A manual floor: the member never drops below it; a floor above the current tier lifts them now."""
    require_chain_admin(viewer)
    reason = column_text(Member, "tier_floor_reason", reason, "reason")
    if not reason:
        raise TierError("REASON_REQUIRED", "Say why the floor is set.", field="reason")
    tiers = await all_tiers()
    floor = None
    if tier_code is not None:
        floor = next((t for t in tiers if t.code == tier_code.strip().upper()), None)
        if floor is None:
            raise TierError("TIER_NOT_FOUND", "No tier with that code.", field="tierCode")
    await Member.filter(id=member.id).update(
        tier_floor_id=floor.id if floor else None, tier_floor_reason=reason, updated_at=clock.now()
    )
    member.tier_floor_id = floor.id if floor else None  # type: ignore[attr-defined]
    current = _by_id(tiers, member.tier_id) or tiers[0]  # type: ignore[attr-defined]
    if floor is not None and floor.rank > current.rank:
        await _record_change(member, floor, "MANUAL_FLOOR", f"staff:{viewer.subject_id}", clock, note=reason)
    return await Member.get(id=member.id)


async def progress(tier_id: int, activity: rules.Activity) -> Progress:
    tiers = await all_tiers()
    current = _by_id(tiers, tier_id) or tiers[0]
    upcoming = rules.next_tier(tiers, current)
    if upcoming is None:
        return Progress(None, activity, 0, 0)
    return Progress(
        upcoming, activity,
        points_needed=max(upcoming.min_points - activity.points, 0),
        purchases_needed=max(upcoming.min_purchases - activity.purchases, 0),
    )
