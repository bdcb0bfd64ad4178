"""Changing the earning rules: rates, campaigns, store flags, and the notice members get.

A change that lowers what members earn applies no earlier than the notice period (default
7 days) after it is announced; raises and new campaigns may apply at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from domain import decimals
from domain.access import StaffRole, Viewer, require_chain_admin
from domain.bounds import MAX_BALANCE
from domain.earning import calculator, rulebook
from domain.earning.models import CampaignRule, EarnRate, StoreFlag
from domain.errors import AccessDenied, DomainError
from domain.programme import service as programme_settings
from domain.stores.models import Store
from domain.text import column_text
from infra.clock import Clock, utc

CODE = re.compile(r"^[A-Z0-9_*][A-Z0-9_]{0,39}$")
MAX_POINTS_PER_YUAN = 1000
MAX_CAMPAIGN_MULTIPLIER = 100


class RuleError(DomainError):
    pass


@dataclass(frozen=True)
class RuleChange:
    description: str
    effective_from: datetime
    announced_at: datetime
    reduces_earning: bool


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


async def _notice_start(clock: Clock) -> datetime:
    return clock.now() + timedelta(days=await programme_settings.get("rule_notice_days"))


async def set_earn_rate(
    viewer: Viewer, category: str, points_per_yuan: Decimal, effective_from: datetime | None, *, clock: Clock
) -> EarnRate:
    require_chain_admin(viewer)
    category = category.strip().upper()
    if not CODE.match(category):
        raise RuleError("INVALID_RATE", "A category is letters, digits and underscores, or * for the default.", field="category")
    if not decimals.finite_between(points_per_yuan, 0, MAX_POINTS_PER_YUAN):
        raise RuleError("INVALID_RATE", f"Points per yuan are 0 to {MAX_POINTS_PER_YUAN:,}.", field="pointsPerYuan")
    now = clock.now()
    start = utc(effective_from) if effective_from else now
    book = await rulebook.load()
    current = book.rates_at(start)
    before = current.per_category.get(category, current.default)
    if points_per_yuan < before and start < await _notice_start(clock):
        raise RuleError(
            "NOTICE_PERIOD", "A lower rate applies no earlier than the notice period after it is announced.",
            field="effectiveFrom",
        )
    # A second change for the same moment replaces the first rather than failing.
    rate, _ = await EarnRate.update_or_create(
        category=category, effective_from=start,
        defaults={"points_per_yuan": points_per_yuan, "announced_at": now, "created_by": viewer.idempotency_scope},
    )
    await rulebook.invalidate()
    return rate


async def create_campaign(
    viewer: Viewer, *, code: str, name: str, multiplier: Decimal | None, bonus_points: int | None, stacking: str,
    conditions: dict, cap_per_member_per_day: int | None, budget: int | None, starts_at: datetime | None,
    ends_at: datetime | None, clock: Clock, trigger: str = "PURCHASE", cap_per_member: int | None = None,
) -> CampaignRule:
    require_chain_admin(viewer)
    code = code.strip().upper()
    if not CODE.match(code) or "*" in code:
        raise RuleError("INVALID_CAMPAIGN", "A campaign code is letters, digits and underscores.", field="code")
    for field, value in (("bonusPoints", bonus_points), ("capPerMemberPerDay", cap_per_member_per_day),
                         ("capPerMember", cap_per_member), ("budget", budget)):
        if value is not None and not 0 <= value <= MAX_BALANCE:
            raise RuleError("INVALID_CAMPAIGN", f"Points of a campaign are 0 to {MAX_BALANCE:,}.", field=field)
    name = column_text(CampaignRule, "name", name)
    if multiplier is not None and not decimals.finite_between(multiplier, 1, MAX_CAMPAIGN_MULTIPLIER):
        raise RuleError("INVALID_CAMPAIGN", f"A multiplier is 1 to {MAX_CAMPAIGN_MULTIPLIER}.", field="multiplier")
    try:
        calculator.CampaignRule(
            code=code, conditions=rulebook.conditions_of(conditions), multiplier=multiplier, bonus_points=bonus_points,
            stacking=stacking, cap_per_member_per_day=cap_per_member_per_day, cap_per_member=cap_per_member,
            remaining_budget=budget,
        )
    except ValueError as exc:
        raise RuleError("INVALID_CAMPAIGN", str(exc), field="multiplier") from None
    now = clock.now()
    start = utc(starts_at) if starts_at else now
    ends_at = utc(ends_at) if ends_at else None
    if ends_at is not None and ends_at <= start:
        raise RuleError("INVALID_CAMPAIGN", "A campaign ends after it starts.", field="endsAt")
    if ends_at is not None and ends_at < await _notice_start(clock):
        raise RuleError("NOTICE_PERIOD", "Members get notice before a campaign ends.", field="endsAt")
    if await CampaignRule.filter(code=code).exists():
        raise RuleError("CODE_TAKEN", "A campaign with that code exists.", field="code")
    campaign = await CampaignRule.create(
        code=code, name=name or code, trigger=trigger, multiplier=multiplier, bonus_points=bonus_points,
        stacking=stacking, conditions=conditions, cap_per_member_per_day=cap_per_member_per_day,
        cap_per_member=cap_per_member, budget=budget,
        starts_at=start, ends_at=ends_at, announced_at=now, created_at=now,
    )
    await rulebook.invalidate()
    return campaign


async def end_campaign(viewer: Viewer, campaign_id: int, ends_at: datetime | None, *, clock: Clock) -> CampaignRule:
    require_chain_admin(viewer)
    campaign = await CampaignRule.get_or_none(id=campaign_id)
    if campaign is None:
        raise RuleError("CAMPAIGN_NOT_FOUND", "No such campaign.", field="id")
    earliest = await _notice_start(clock)
    end = utc(ends_at) if ends_at else earliest
    if end < earliest:
        raise RuleError("NOTICE_PERIOD", "Members get notice before a campaign ends.", field="endsAt")
    await CampaignRule.filter(id=campaign_id).update(ends_at=end)
    await rulebook.invalidate()
    return await CampaignRule.get(id=campaign_id)


async def rates_in_force(at: datetime | None, *, clock: Clock) -> list[rulebook.StoredRate]:
    """The earn rates in force at `at` (default now), one per category, from the cached rulebook."""
    if at is not None and at.tzinfo is None:
        raise RuleError("INVALID_RATE", "`at` needs a time-zone offset.", field="at")
    return (await rulebook.load()).rates_in_force(utc(at) if at else clock.now())


async def list_campaigns() -> list[CampaignRule]:
    return list(await CampaignRule.all().order_by("starts_at", "id"))


async def upcoming_changes(clock: Clock) -> list[RuleChange]:
    now = clock.now()
    book = await rulebook.load()
    changes: list[RuleChange] = []
    for rate in sorted(book.rates, key=lambda r: r.effective_from):
        if rate.effective_from > now:
            before = book.rates_at(rate.effective_from - timedelta(microseconds=1))
            old = before.per_category.get(rate.category, before.default)
            changes.append(RuleChange(
                description=f"{rate.category}: {_plain(old)} -> {_plain(rate.points_per_yuan)} points per yuan",
                effective_from=rate.effective_from, announced_at=now, reduces_earning=rate.points_per_yuan < old,
            ))
    for c in book.campaigns:
        if c.starts_at > now:
            changes.append(RuleChange(f"Campaign {c.name} starts", c.starts_at, c.starts_at, False))
        if c.ends_at is not None and c.ends_at > now:
            changes.append(RuleChange(f"Campaign {c.name} ends", c.ends_at, c.starts_at, True))
    return sorted(changes, key=lambda c: c.effective_from)


async def set_store_flag(viewer: Viewer, store_id: int, flag: str, on_date: date | None, on: bool, *, clock: Clock) -> list[str]:
    """A store manager (or chain admin) marks the store's day, e.g. RAINY_DAY."""
    if not (viewer.is_chain_admin or (viewer.role is StaffRole.STORE_MANAGER and viewer.can_see_store(store_id))):
        raise AccessDenied("Only the store's manager or a chain admin sets store flags.")
    store = await Store.get_or_none(id=store_id)
    if store is None:
        raise RuleError("STORE_NOT_FOUND", "No such store.", field="storeId")
    flag = flag.strip().upper()
    if not CODE.match(flag) or "*" in flag:
        raise RuleError("INVALID_CAMPAIGN", "A flag is letters, digits and underscores.", field="flag")
    day = on_date or clock.now().astimezone(ZoneInfo(store.time_zone)).date()
    if on:
        await StoreFlag.get_or_create(store_id=store_id, flag=flag, local_date=day, defaults={"set_by": viewer.idempotency_scope})
    else:
        await StoreFlag.filter(store_id=store_id, flag=flag, local_date=day).delete()
    return sorted(await StoreFlag.filter(store_id=store_id, local_date=day).values_list("flag", flat=True))
