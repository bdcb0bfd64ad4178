"""Mall prices as a pure calculation: what one unit costs a viewer on a local day, and why.

The order, always the same; each step works on the result of the step before and rounds down
to a whole point (a member never pays for a fraction):

1. The item's list price in points.
2. SEASONAL rules whose date range holds the local date: peak season up (a positive percent),
   off-season down (a negative one).
3. MEMBER_DAY rules whose day of the month is the local date's (the 8th at -20 percent: a
   1,000-point box for 800).
4. The viewer's tier redemption discount (Gold 5 percent, Diamond 10 percent by default).

A rule limited to some bands applies to items of those bands only. Several rules of one step
that hold apply one after another in code order. Every rule that applies, and the tier
discount, is a reason the viewer sees. Only the points part is priced here: the cash part of a points + cash
item is a fixed amount of fen. The local date is the store's (or the chain's) "today".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class RuleKind(StrEnum):
    SEASONAL = "SEASONAL"
    MEMBER_DAY = "MEMBER_DAY"


class ReasonKind(StrEnum):
    SEASONAL = "SEASONAL"
    MEMBER_DAY = "MEMBER_DAY"
    TIER = "TIER"


STEPS = (RuleKind.SEASONAL, RuleKind.MEMBER_DAY)


@dataclass(frozen=True)
class PriceRule:
    code: str
    name: str
    kind: RuleKind
    percent: int
    bands: frozenset[str] = frozenset()  # empty: every band
    day_of_month: int | None = None  # MEMBER_DAY
    date_from: date | None = None  # SEASONAL, both ends included
    date_to: date | None = None

    def holds(self, local_date: date, band: str) -> bool:
        if self.bands and band not in self.bands:
            return False
        if self.kind is RuleKind.MEMBER_DAY:
            return local_date.day == self.day_of_month
        return self.date_from is not None and self.date_to is not None and self.date_from <= local_date <= self.date_to


@dataclass(frozen=True)
class TierDiscount:
    code: str
    name: str
    percent: int  # 0 to 100


@dataclass(frozen=True)
class Reason:
    kind: ReasonKind
    code: str
    description: str
    percent: int
    points_before: int
    points_after: int


@dataclass(frozen=True)
class Price:
    list_points: int
    points: int
    cash_fen: int
    reasons: tuple[Reason, ...] = field(default_factory=tuple)

    def total_points(self, quantity: int) -> int:
        return self.points * quantity

    def total_cash_fen(self, quantity: int) -> int:
        return self.cash_fen * quantity


def apply_percent(points: int, percent: int) -> int:
    """Points changed by a signed percent, rounded down, never below zero. Integer arithmetic only."""
    return max(points * (100 + percent) // 100, 0)


def effective_price(
    list_points: int, cash_fen: int, band: str, local_date: date, rules: Iterable[PriceRule],
    tier: TierDiscount | None = None,
) -> Price:
    if list_points < 0 or cash_fen < 0:
        raise ValueError("prices are not negative")
    points = list_points
    reasons: list[Reason] = []
    ordered = sorted(rules, key=lambda r: (STEPS.index(r.kind), r.code))
    for rule in ordered:
        if not rule.holds(local_date, band):
            continue
        after = apply_percent(points, rule.percent)
        reasons.append(Reason(ReasonKind(rule.kind.value), rule.code, rule.name, rule.percent, points, after))
        points = after
    if tier is not None and tier.percent:
        after = apply_percent(points, -tier.percent)
        reasons.append(Reason(ReasonKind.TIER, tier.code, f"{tier.name} tier discount", -tier.percent, points, after))
        points = after
    return Price(list_points=list_points, points=points, cash_fen=cash_fen, reasons=tuple(reasons))
