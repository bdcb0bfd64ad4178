"""Programme metrics types: the totals of a period, its series, the cohort table and the breakdowns."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from domain.metrics import figures as metrics
from schema.mall.types import MallBand, MallItem
from schema.scalars import Money
from schema.tiers.types import Tier


@strawberry.enum(description="How the series of programmeMetrics is cut.")
class MetricsGranularity(Enum):
    DAY = strawberry.enum_value("DAY", description="One period per local day.")
    WEEK = strawberry.enum_value("WEEK", description="ISO weeks, starting on Monday.")
    MONTH = strawberry.enum_value("MONTH", description="Calendar months.")


@strawberry.enum(description="Where issued points came from (docs/metrics.md).")
class PointsSource(Enum):
    PURCHASE = strawberry.enum_value("PURCHASE", description="Purchases, net of returns.")
    BEHAVIOUR = strawberry.enum_value("BEHAVIOUR", description="Check-ins, referrals, reviews, surveys.")
    CAMPAIGN = strawberry.enum_value("CAMPAIGN", description="Campaign bonuses and the registration welcome.")
    ADJUSTMENT = strawberry.enum_value("ADJUSTMENT", description="Manual adjustments by chain admins (net).")
    LOTTERY = strawberry.enum_value("LOTTERY", description="Points won as lottery prizes.")
    MIGRATION = strawberry.enum_value("MIGRATION", description="Balances brought over from the legacy system.")


@strawberry.enum(description="What spent points paid for (docs/metrics.md).")
class PointsUse(Enum):
    MALL = strawberry.enum_value("MALL", description="Points mall redemptions, net of cancellations.")
    LOTTERY = strawberry.enum_value("LOTTERY", description="Lottery draws.")
    DONATION = strawberry.enum_value("DONATION", description="Donations to charity projects, net of refunds.")
    CASH_OFFSET = strawberry.enum_value("CASH_OFFSET", description="Points paying part of an order, net of returns.")


@strawberry.type(description="The figures of a period (docs/metrics.md has each definition).")
class MetricsTotals:
    sales: Money = strawberry.field(
        description="All sales: the store's recordStoreSales day total where reported, else members' sales."
    )
    member_sales: Money = strawberry.field(description="What members paid, after coupons, net of returns.")
    member_sales_share: float | None = strawberry.field(description="memberSales / sales; null without sales.")
    orders: int = strawberry.field(description="Members' purchases, fully returned ones excluded.")
    points_issued: int = strawberry.field(description="Points credited, net of returns, every source.")
    points_redeemed: int = strawberry.field(description="Points spent, every use, net of cancellations and refunds.")
    points_expired: int = strawberry.field(description="Points that expired.")
    reward_cost: Money = strawberry.field(description="Cost of rewards: mall items at cost, coupon discounts, cash offsets at face value.")
    points_cost_rate: float | None = strawberry.field(description="rewardCost / sales; null without sales.")
    liability_points: int = strawberry.field(description="Points members hold at the end of the period (balance + pending - debt).")
    liability: Money = strawberry.field(description="liabilityPoints at the cash-offset value of a point.")
    redemptions: int = strawberry.field(description="Mall units redeemed, cancelled and expired ones excluded.")
    new_members: int = strawberry.field(description="Members registered in the period (by home store).")
    active_members: int = strawberry.field(description="Members with at least one purchase in the period.")
    churned_members: int = strawberry.field(description="Active in the window just before, not active in this one.")
    repurchase_rate_30d: float | None = strawberry.field(
        description="Share of first-time buyers of the period who bought again within 30 days."
    )
    repurchase_rate_90d: float | None = strawberry.field(description="The same within 90 days.")
    repurchase_lift: float | None = strawberry.field(description="Purchase days per buyer who spent points / per buyer who did not.")
    breakage: float | None = strawberry.field(description="Points expired / points issued over the year ending at `to`.")


@strawberry.type(description="One period of the series.")
class MetricsPeriod:
    period_start: date = strawberry.field(description="First day of the period (Monday for weeks, the 1st for months).")
    sales: Money = strawberry.field(description="All sales in the period.")
    member_sales: Money = strawberry.field(description="Members' sales in the period.")
    member_sales_share: float | None = strawberry.field(description="memberSales / sales.")
    points_issued: int = strawberry.field(description="Points issued in the period.")
    points_redeemed: int = strawberry.field(description="Points spent in the period.")
    points_expired: int = strawberry.field(description="Points expired in the period.")
    points_cost_rate: float | None = strawberry.field(description="Reward cost / sales in the period.")
    liability_points: int = strawberry.field(description="Points members hold at the period's end.")
    new_members: int = strawberry.field(description="Members registered in the period.")
    active_members: int = strawberry.field(description="Members who bought in the period.")
    churned_members: int = strawberry.field(description="Active in the previous period, not in this one.")
    redemptions: int = strawberry.field(description="Mall units redeemed in the period.")


@strawberry.type(description="First-time buyers of one month and how many came back.")
class RepurchaseCohort:
    month: date = strawberry.field(description="The 1st of the month of their first purchase.")
    members: int = strawberry.field(description="First-time buyers that month (within the asked period).")
    repurchased_30d: int = strawberry.field(description="Of them, who bought again on a later day within 30 days.")
    repurchased_90d: int = strawberry.field(description="Within 90 days.")
    rate_30d: float | None = strawberry.field(description="repurchased30d / members.")
    rate_90d: float | None = strawberry.field(description="repurchased90d / members.")


@strawberry.type(description="Average order value of one tier's purchases.")
class TierOrderValue:
    tier: Tier = strawberry.field(description="The tier the member had when the purchase was recorded.")
    orders: int = strawberry.field(description="Purchases.")
    value: Money = strawberry.field(description="Members' sales / purchases.")


@strawberry.type(description="Redemptions of one mall item in the period.")
class ItemRedemptions:
    item_pk: strawberry.Private[int]
    count: int = strawberry.field(description="Units redeemed, cancelled and expired ones excluded.")
    points: int = strawberry.field(description="Points they took.")
    cost: Money = strawberry.field(description="What they cost the chain.")

    @strawberry.field(description="The item.")
    async def item(self, info: Info) -> MallItem:
        return MallItem.from_model(await info.context.loaders.redeemed_item.load(self.item_pk))


@strawberry.type(description="Redemptions of one band in the period.")
class BandRedemptions:
    band: MallBand = strawberry.field(description="The band.")
    count: int = strawberry.field(description="Units redeemed.")
    points: int = strawberry.field(description="Points they took.")
    cost: Money = strawberry.field(description="What they cost the chain.")


@strawberry.type(description="Points issued from one source.")
class PointsBySource:
    source: PointsSource = strawberry.field(description="The source.")
    points: int = strawberry.field(description="Points, net.")


@strawberry.type(description="Points spent on one use.")
class PointsByUse:
    use: PointsUse = strawberry.field(description="The use.")
    points: int = strawberry.field(description="Points, net.")


def _totals(report: metrics.Report) -> MetricsTotals:
    t = report.totals
    return MetricsTotals(
        sales=Money.from_minor(t.sales_fen), member_sales=Money.from_minor(t.member_sales_fen),
        member_sales_share=t.member_sales_share, orders=t.orders, points_issued=t.points_issued,
        points_redeemed=t.points_redeemed, points_expired=t.points_expired, reward_cost=Money.from_minor(t.reward_cost_fen),
        points_cost_rate=t.points_cost_rate, liability_points=t.liability_points, liability=Money.from_minor(report.liability_fen),
        redemptions=t.redemptions, new_members=t.new_members, active_members=t.active_members,
        churned_members=t.churned_members, repurchase_rate_30d=report.repurchase_rate_30d,
        repurchase_rate_90d=report.repurchase_rate_90d, repurchase_lift=report.repurchase_lift, breakage=report.breakage,
    )


def _period(start: date, f: metrics.Figures) -> MetricsPeriod:
    return MetricsPeriod(
        period_start=start, sales=Money.from_minor(f.sales_fen), member_sales=Money.from_minor(f.member_sales_fen),
        member_sales_share=f.member_sales_share, points_issued=f.points_issued, points_redeemed=f.points_redeemed,
        points_expired=f.points_expired, points_cost_rate=f.points_cost_rate, liability_points=f.liability_points,
        new_members=f.new_members, active_members=f.active_members, churned_members=f.churned_members,
        redemptions=f.redemptions,
    )


@strawberry.type(description="The programme's figures for a period and a store (or the chain): docs/metrics.md defines each.")
class ProgrammeMetrics:
    report: strawberry.Private[metrics.Report]
    from_: date = strawberry.field(name="from", description="First local day of the period.")
    to: date = strawberry.field(description="Last local day of the period.")
    granularity: MetricsGranularity = strawberry.field(description="How the series is cut.")
    totals: MetricsTotals = strawberry.field(description="The figures of the whole period.")
    series: list[MetricsPeriod] = strawberry.field(description="The figures period by period.")
    cohorts: list[RepurchaseCohort] = strawberry.field(description="First-time buyers by month of first purchase, and their repurchase.")
    average_order_value_by_tier: list[TierOrderValue] = strawberry.field(description="Average order value per tier, tiers by rank.")
    redemptions_by_band: list[BandRedemptions] = strawberry.field(description="Mall redemptions per band.")
    points_issued_by_source: list[PointsBySource] = strawberry.field(description="Points issued per source.")
    points_spent_by_use: list[PointsByUse] = strawberry.field(description="Points spent per use.")

    @strawberry.field(description="The most redeemed items: by count, then points.")
    def redemptions_by_item(
        self, first: Annotated[int, strawberry.argument(description="How many items, 0 to 100.")] = 10
    ) -> list[ItemRedemptions]:
        first = max(0, min(first, 100))
        return [
            ItemRedemptions(item_pk=f.item.id, count=f.count, points=f.points, cost=Money.from_minor(f.cost_fen))
            for f in self.report.by_item[:first]
        ]

    @classmethod
    def from_report(cls, report: metrics.Report) -> ProgrammeMetrics:
        t = report.totals
        return cls(
            report=report, from_=report.first, to=report.last, granularity=MetricsGranularity(report.granularity.value),
            totals=_totals(report), series=[_period(start, f) for start, f in report.series],
            cohorts=[
                RepurchaseCohort(month=c.month, members=c.members, repurchased_30d=c.repurchased_30d,
                                 repurchased_90d=c.repurchased_90d, rate_30d=c.rate_30d, rate_90d=c.rate_90d)
                for c in report.cohorts
            ],
            average_order_value_by_tier=[
                TierOrderValue(tier=Tier.from_model(v.tier), orders=v.orders, value=Money.from_minor(v.average_fen))
                for v in report.by_tier
            ],
            redemptions_by_band=[
                BandRedemptions(band=MallBand(band), count=v[0], points=v[1], cost=Money.from_minor(v[2]))
                for band, v in report.by_band.items() if band
            ],
            points_issued_by_source=[PointsBySource(source=PointsSource(s), points=p) for s, p in t.issued_by_source.items()],
            points_spent_by_use=[PointsByUse(use=PointsUse(u), points=p) for u, p in t.spent_by_use.items()],
        )


@strawberry.type(description="Redemptions in one minute.")
class RushMinute:
    minute: datetime = strawberry.field(description="The minute's start.")
    redemptions: int = strawberry.field(description="Redemptions made in it (cancelled ones too: the rush is the load).")


@strawberry.type(description="Today's redemptions minute by minute, the store's (or the chain's) local day.")
class RedemptionRush:
    day: date = strawberry.field(description="Today, local.")
    minutes: list[RushMinute] = strawberry.field(description="Minutes with at least one redemption, in order.")
    total: int = strawberry.field(description="Redemptions today.")
