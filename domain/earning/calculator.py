"""Purchase points as a pure calculation: no database, every rule value comes in as data.

Money is integer fen (1 yuan = 100 fen); points are integers. The rules, in the order applied:

1. Base points, per line: floor(earning amount of the line in yuan * rate of its category).
   The earning amount is what the member paid for the line: its total, less its share of the
   coupons' discount (Line.discount_fen, domain/coupons/discounts.py), less its share of the
   cash offset (points used as cash do not earn); the offset is spread over the lines in
   proportion to what they cost after the discount, by largest remainder, so the shares add
   up to the offset exactly. Unknown categories earn at the default rate.
2. Tier points, per line: floor(base points * tier earn multiplier). The sum over the lines
   is the purchase's own points (ledger kind PURCHASE).
3. Campaigns whose conditions all hold (every condition left unset holds):
   - A multiplier campaign applies to the lines it matches (its category condition; no
     category condition matches every line). On a line, of the BEST_OF campaigns only the
     largest multiplier counts (a tie goes to the smaller code); every MULTIPLY campaign
     multiplies with it. The line's extra points are
     floor(tier points * (effective multiplier - 1)).
   - Attribution, exact and independent of the input order: the best-of campaign comes first,
     then the MULTIPLY campaigns in code order. Each gets the increase it causes in the
     line's cumulative extra, floor(tier points * (product so far - 1)); the shares add up to
     the line's extra. A campaign's extra is the sum of its shares over the lines.
   - A bonus campaign adds its bonus points once per purchase that has at least one line it
     matches (any line, without a category condition).
4. A campaign whose caps leave no room at all takes no part in step 3 (it cannot hide a
   smaller campaign that still has room). Each campaign's extra is cut to what its caps still allow: its per-member-per-day cap
   minus what the member already got from it today, and its remaining budget; never below 0.
   An award that was cut is marked capped.
5. The result: per line (sku, earning amount, base points, tier points), the purchase
   points, one award per campaign that applied (in code order; a best-of campaign that won
   no line is left out), and the total: purchase points plus awards, never negative.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_FLOOR, Decimal

FEN_PER_YUAN = 100
CHANNELS = frozenset({"IN_STORE", "ONLINE", "DELIVERY"})
BEST_OF = "BEST_OF"
MULTIPLY = "MULTIPLY"
STACKING_POLICIES = frozenset({BEST_OF, MULTIPLY})


def _floor(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_FLOOR))


def _require_non_negative(**values: int | Decimal | None) -> None:
    for name, value in values.items():
        if value is not None and value < 0:
            raise ValueError(f"{name} must not be negative, got {value}")


@dataclass(frozen=True)
class Line:
    sku: str
    category: str
    quantity: int
    unit_price_fen: int
    discount_fen: int = 0  # the line's share of the coupons' discount

    def __post_init__(self) -> None:
        if self.quantity <= 0:
            raise ValueError(f"quantity must be positive, got {self.quantity}")
        _require_non_negative(unit_price_fen=self.unit_price_fen, discount_fen=self.discount_fen)
        if self.discount_fen > self.total_fen:
            raise ValueError(f"a discount of {self.discount_fen} exceeds the line's total {self.total_fen}")

    @property
    def total_fen(self) -> int:
        return self.quantity * self.unit_price_fen

    @property
    def payable_fen(self) -> int:
        """What the member pays for the line after coupons (points used as cash included)."""
        return self.total_fen - self.discount_fen


@dataclass(frozen=True)
class EarnRates:
    """Points per yuan by category code, and the rate for any category not listed."""

    per_category: Mapping[str, Decimal]
    default: Decimal

    def __post_init__(self) -> None:
        _require_non_negative(default=self.default)
        for category, rate in self.per_category.items():
            if rate < 0:
                raise ValueError(f"the rate of {category} must not be negative, got {rate}")

    def rate_for(self, category: str) -> Decimal:
        return self.per_category.get(category, self.default)


@dataclass(frozen=True)
class PurchaseContext:
    """What the campaigns look at. local_date is the store-local day of the purchase."""

    local_date: date
    channel: str
    tier_code: str
    tier_multiplier: Decimal
    birthday: date | None = None
    is_first_order: bool = False
    store_flags: frozenset[str] = frozenset()
    cash_offset_fen: int = 0

    def __post_init__(self) -> None:
        if self.channel not in CHANNELS:
            raise ValueError(f"unknown channel {self.channel!r}")
        _require_non_negative(tier_multiplier=self.tier_multiplier, cash_offset_fen=self.cash_offset_fen)

    @property
    def weekday(self) -> int:
        """Monday is 0, Sunday is 6."""
        return self.local_date.weekday()


@dataclass(frozen=True)
class CampaignConditions:
    """All optional; a campaign applies when every condition that is set holds.

    birthday_month and first_order are requirements when True and no condition when False.
    """

    date_from: date | None = None
    date_to: date | None = None
    day_of_month: int | None = None
    weekdays: frozenset[int] | None = None
    channels: frozenset[str] | None = None
    categories: frozenset[str] | None = None
    tiers: frozenset[str] | None = None
    birthday_month: bool = False
    first_order: bool = False
    store_flag: str | None = None

    def hold_for(self, context: PurchaseContext) -> bool:
        """The purchase-level conditions; categories are checked per line."""
        today = context.local_date
        return (
            (self.date_from is None or self.date_from <= today)
            and (self.date_to is None or today <= self.date_to)
            and (self.day_of_month is None or today.day == self.day_of_month)
            and (self.weekdays is None or context.weekday in self.weekdays)
            and (self.channels is None or context.channel in self.channels)
            and (self.tiers is None or context.tier_code in self.tiers)
            and (not self.birthday_month or birthday_in_month(context.birthday, today))
            and (not self.first_order or context.is_first_order)
            and (self.store_flag is None or self.store_flag in context.store_flags)
        )

    def match_line(self, line: Line) -> bool:
        return self.categories is None or line.category in self.categories


@dataclass(frozen=True)
class CampaignRule:
    """A campaign with exactly one effect: a multiplier on matching lines, or bonus points once.

    Caps bound the extra points: cap_per_member_per_day counts per store-local day and
    already_given_today is what this member already got from the campaign today;
    cap_per_member counts over the whole campaign, against already_given_to_member;
    remaining_budget is what the campaign may still give in total. None means no cap.
    """

    code: str
    conditions: CampaignConditions = field(default_factory=CampaignConditions)
    multiplier: Decimal | None = None
    bonus_points: int | None = None
    stacking: str = BEST_OF
    cap_per_member_per_day: int | None = None
    cap_per_member: int | None = None
    remaining_budget: int | None = None
    already_given_today: int = 0
    already_given_to_member: int = 0

    def __post_init__(self) -> None:
        if (self.multiplier is None) == (self.bonus_points is None):
            raise ValueError(f"campaign {self.code}: give exactly one of multiplier and bonus_points")
        if self.multiplier is not None and self.multiplier < 1:
            raise ValueError(f"campaign {self.code}: a multiplier below 1 would take points away")
        if self.stacking not in STACKING_POLICIES:
            raise ValueError(f"campaign {self.code}: unknown stacking {self.stacking!r}")
        _require_non_negative(
            bonus_points=self.bonus_points,
            cap_per_member_per_day=self.cap_per_member_per_day,
            remaining_budget=self.remaining_budget,
            already_given_today=self.already_given_today,
            cap_per_member=self.cap_per_member,
            already_given_to_member=self.already_given_to_member,
        )

    @property
    def is_multiplier(self) -> bool:
        return self.multiplier is not None

    def room_left(self) -> int | None:
        """The most extra points the caps still allow, or None when uncapped."""
        limits = []
        if self.cap_per_member_per_day is not None:
            limits.append(max(0, self.cap_per_member_per_day - self.already_given_today))
        if self.cap_per_member is not None:
            limits.append(max(0, self.cap_per_member - self.already_given_to_member))
        if self.remaining_budget is not None:
            limits.append(self.remaining_budget)
        return min(limits) if limits else None


@dataclass(frozen=True)
class LinePoints:
    sku: str
    earning_fen: int
    base_points: int
    tier_points: int


@dataclass(frozen=True)
class CampaignAward:
    code: str
    points: int
    capped: bool


@dataclass(frozen=True)
class EarningResult:
    lines: tuple[LinePoints, ...]
    purchase_points: int
    awards: tuple[CampaignAward, ...]
    total: int


def calculate_earning(
    lines: Sequence[Line],
    rates: EarnRates,
    context: PurchaseContext,
    campaigns: Iterable[CampaignRule] = (),
) -> EarningResult:
    """Points for one purchase, by the rules in this module's docstring."""
    line_points = _points_per_line(lines, rates, context)
    applicable = _applicable_campaigns(campaigns, context)
    uncapped_extra = _multiplier_extras(lines, line_points, applicable)
    for campaign in applicable:
        if not campaign.is_multiplier and any(campaign.conditions.match_line(line) for line in lines):
            uncapped_extra[campaign.code] = campaign.bonus_points
    by_code = {campaign.code: campaign for campaign in applicable}
    awards = tuple(_capped_award(by_code[code], extra) for code, extra in sorted(uncapped_extra.items()))
    purchase_points = sum(points.tier_points for points in line_points)
    return EarningResult(
        lines=tuple(line_points),
        purchase_points=purchase_points,
        awards=awards,
        total=purchase_points + sum(award.points for award in awards),
    )


def _points_per_line(lines: Sequence[Line], rates: EarnRates, context: PurchaseContext) -> list[LinePoints]:
    totals = [line.payable_fen for line in lines]
    if context.cash_offset_fen > sum(totals):
        raise ValueError("the cash offset exceeds the order total after discounts")
    offset_shares = pro_rata(context.cash_offset_fen, totals)
    result = []
    for line, total, offset_share in zip(lines, totals, offset_shares, strict=True):
        earning_fen = total - offset_share
        base = _floor(Decimal(earning_fen) * rates.rate_for(line.category) / FEN_PER_YUAN)
        tier = _floor(base * context.tier_multiplier)
        result.append(LinePoints(line.sku, earning_fen, base, tier))
    return result


def _applicable_campaigns(campaigns: Iterable[CampaignRule], context: PurchaseContext) -> list[CampaignRule]:
    ordered = sorted(campaigns, key=lambda campaign: campaign.code)
    codes = [campaign.code for campaign in ordered]
    if len(set(codes)) != len(codes):
        raise ValueError("campaign codes must be unique")
    # A campaign with no room left under its caps steps aside, so it cannot hide a smaller one.
    return [
        campaign for campaign in ordered
        if campaign.conditions.hold_for(context) and campaign.room_left() != 0
    ]


def _multiplier_extras(
    lines: Sequence[Line], line_points: Sequence[LinePoints], campaigns: Sequence[CampaignRule]
) -> dict[str, int]:
    """Uncapped extra points per multiplier campaign that counted on at least one line."""
    extras: dict[str, int] = {}
    for line, points in zip(lines, line_points, strict=True):
        for code, share in _line_shares(points.tier_points, _stack_for_line(line, campaigns)):
            extras[code] = extras.get(code, 0) + share
    return extras


def _stack_for_line(line: Line, campaigns: Sequence[CampaignRule]) -> list[CampaignRule]:
    """The campaigns that count on a line, in attribution order: best-of first, then MULTIPLY by code."""
    matching = [c for c in campaigns if c.is_multiplier and c.conditions.match_line(line)]
    best_of = [c for c in matching if c.stacking == BEST_OF]
    # campaigns arrive in code order and max() keeps the first of equals: a tie goes to the smaller code
    stack = [max(best_of, key=lambda c: c.multiplier)] if best_of else []
    return stack + [c for c in matching if c.stacking == MULTIPLY]


def _line_shares(tier_points: int, stack: Sequence[CampaignRule]) -> list[tuple[str, int]]:
    shares = []
    product = Decimal(1)
    extra_so_far = 0
    for campaign in stack:
        product *= campaign.multiplier
        extra = _floor(tier_points * (product - 1))
        shares.append((campaign.code, extra - extra_so_far))
        extra_so_far = extra
    return shares


def _capped_award(campaign: CampaignRule, extra: int) -> CampaignAward:
    room = campaign.room_left()
    if room is None or extra <= room:
        return CampaignAward(campaign.code, extra, capped=False)
    return CampaignAward(campaign.code, room, capped=True)


def cash_offset(
    points_to_redeem: int,
    order_total_fen: int,
    points_per_yuan: int = 100,
    max_share: Decimal = Decimal("0.5"),
) -> tuple[int, int]:
    """How much of an order the member's points pay: (points_used, offset_fen).

    The offset is whole fen: the points' worth rounded down, and at most max_share of the
    order (rounded down). points_used is the points that buy exactly offset_fen; when a fen
    is not a whole number of points (points_per_yuan not a multiple of 100) it is rounded up,
    so no fen is given for points not paid. It never exceeds points_to_redeem, because the
    offset was itself rounded down from those points.
    """
    _require_non_negative(points_to_redeem=points_to_redeem, order_total_fen=order_total_fen)
    if points_per_yuan <= 0:
        raise ValueError(f"points_per_yuan must be positive, got {points_per_yuan}")
    if not 0 <= max_share <= 1:
        raise ValueError(f"max_share must be between 0 and 1, got {max_share}")
    worth_fen = points_to_redeem * FEN_PER_YUAN // points_per_yuan
    allowed_fen = _floor(order_total_fen * max_share)
    offset_fen = min(worth_fen, allowed_fen)
    points_used = -(-offset_fen * points_per_yuan // FEN_PER_YUAN)
    return points_used, offset_fen


def pro_rata(amount: int, weights: Sequence[int]) -> list[int]:
    """Split a whole amount over weights by largest remainder: the shares add up to amount.

    Each share is the floor of its exact proportion or one more. The leftover units go to
    the largest remainders; equal remainders go to the earlier weight. A zero weight gets 0.
    """
    _require_non_negative(amount=amount)
    for weight in weights:
        _require_non_negative(weight=weight)
    total_weight = sum(weights)
    if total_weight == 0:
        if amount:
            raise ValueError("cannot split a non-zero amount over zero weights")
        return [0] * len(weights)
    shares = [amount * weight // total_weight for weight in weights]
    remainders = [amount * weight % total_weight for weight in weights]
    leftover = amount - sum(shares)
    by_largest_remainder = sorted(range(len(weights)), key=lambda index: (-remainders[index], index))
    for index in by_largest_remainder[:leftover]:
        shares[index] += 1
    return shares


def birthday_in_month(birthday: date | None, local_date: date) -> bool:
    """Whether local_date falls in the member's birthday month; False when the birthday is unknown."""
    return birthday is not None and birthday.month == local_date.month
