"""Stored price rules: read-mostly (cached), created and retired by chain admins."""

from __future__ import annotations

import re
from datetime import date

from domain.access import Viewer, require_chain_admin
from domain.mall.cache_slots import bounded
from domain.mall.errors import MallError, MallErrorCode
from domain.mall.models import MallPriceRule
from domain.mall.pricing import PriceRule, RuleKind
from domain.text import column_text
from infra import cache
from infra.clock import Clock

CACHE_KEY = "mall:price-rules"
CACHE_TTL = 60
BANDS = frozenset({"LOW", "MIDDLE", "HIGH"})
RULE_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,39}$")


def as_rule(row: MallPriceRule) -> PriceRule:
    return PriceRule(
        code=row.code, name=row.name, kind=RuleKind(row.kind), percent=row.percent, bands=frozenset(row.bands),
        day_of_month=row.day_of_month, date_from=row.date_from, date_to=row.date_to,
    )


async def active_rules() -> list[PriceRule]:
    async def load() -> list[PriceRule]:
        return [as_rule(row) for row in await MallPriceRule.filter(is_active=True).order_by("code")]

    async with bounded:
        return await cache.get_or_load(CACHE_KEY, load, ttl=CACHE_TTL)


async def all_rules() -> list[MallPriceRule]:
    return list(await MallPriceRule.all().order_by("-is_active", "code"))


def _checked_shape(kind: RuleKind, percent: int, day_of_month: int | None, date_from: date | None, date_to: date | None) -> None:
    if not -100 <= percent <= 500 or percent == 0:
        raise MallError(MallErrorCode.INVALID_RULE, "A rule changes the price by -100 to +500 percent, not 0.", field="percent")
    if kind is RuleKind.MEMBER_DAY:
        if day_of_month is None or not 1 <= day_of_month <= 31 or date_from or date_to:
            raise MallError(MallErrorCode.INVALID_RULE, "A member-day rule names a day of the month (1-31) and no dates.",
                            field="dayOfMonth")
        return
    if day_of_month is not None or date_from is None or date_to is None or date_to < date_from:
        raise MallError(MallErrorCode.INVALID_RULE, "A seasonal rule has a first and a last date, in order, and no day of the month.",
                        field="dateFrom")


async def create_rule(
    viewer: Viewer, *, code: str, name: str, kind: RuleKind, percent: int, bands: list[str] | None,
    day_of_month: int | None, date_from: date | None, date_to: date | None, clock: Clock,
) -> MallPriceRule:
    require_chain_admin(viewer)
    code = code.strip().upper()
    if not RULE_CODE.match(code):
        raise MallError(MallErrorCode.INVALID_RULE, "A rule code is 2-40 letters, digits, dashes or underscores.", field="code")
    name = column_text(MallPriceRule, "name", name)
    if not name:
        raise MallError(MallErrorCode.INVALID_NAME, "A rule needs a name of at most 120 characters.", field="name")
    chosen = sorted(set(bands or []))
    if not set(chosen) <= BANDS:
        raise MallError(MallErrorCode.INVALID_RULE, "Bands are LOW, MIDDLE and HIGH.", field="bands")
    _checked_shape(kind, percent, day_of_month, date_from, date_to)
    if await MallPriceRule.filter(code=code).exists():
        raise MallError(MallErrorCode.CODE_TAKEN, f"A price rule {code} exists.", field="code")
    rule = await MallPriceRule.create(
        code=code, name=name, kind=kind.value, percent=percent, bands=chosen, day_of_month=day_of_month,
        date_from=date_from, date_to=date_to, created_at=clock.now(),
    )
    await cache.delete(CACHE_KEY)
    return rule


async def retire_rule(viewer: Viewer, rule_id: int) -> MallPriceRule:
    require_chain_admin(viewer)
    rule = await MallPriceRule.get_or_none(id=rule_id)
    if rule is None:
        raise MallError(MallErrorCode.RULE_NOT_FOUND, "No such price rule.", field="id")
    await MallPriceRule.filter(id=rule_id).update(is_active=False)
    await cache.delete(CACHE_KEY)
    return await MallPriceRule.get(id=rule_id)
