"""The metrics rollups (see docs/metrics.md for what each column means) and the store day totals.

Rollups are derived data: `rollups.recompute_day` rewrites one local day from the ledger and the
facts, `orchard metrics rebuild` rewrites a range, the `metrics-rollup` job keeps them current.
"""

from tortoise import fields, models
from tortoise.migrations.constraints import CheckConstraint


class MetricsDay(models.Model):
    """One local day of one store (0: no store, e.g. expiry and adjustments) and tier ('' for the
    points figures, which are not split by tier)."""

    id = fields.BigIntField(primary_key=True)
    day = fields.DateField()
    store_id = fields.IntField()
    tier_code = fields.CharField(max_length=32, default="")
    orders = fields.BigIntField(default=0)
    member_sales_fen = fields.BigIntField(default=0)  # paid by members, net of coupons and returns
    store_total_fen = fields.BigIntField(null=True)  # recordStoreSales: all sales of the store that day
    points_purchase = fields.BigIntField(default=0)
    points_behaviour = fields.BigIntField(default=0)
    points_campaign = fields.BigIntField(default=0)
    points_adjustment = fields.BigIntField(default=0)
    points_lottery = fields.BigIntField(default=0)
    points_migration = fields.BigIntField(default=0)
    spent_mall = fields.BigIntField(default=0)
    spent_lottery = fields.BigIntField(default=0)
    spent_donation = fields.BigIntField(default=0)
    spent_cash_offset = fields.BigIntField(default=0)
    points_expired = fields.BigIntField(default=0)
    member_flow = fields.BigIntField(default=0)  # net change of what members hold (liability)
    redemptions = fields.BigIntField(default=0)  # units redeemed, cancellations excluded
    reward_cost_fen = fields.BigIntField(default=0)
    new_members = fields.BigIntField(default=0)

    class Meta:
        table = "metrics_day"
        unique_together = (("day", "store_id", "tier_code"),)
        indexes = (("store_id", "day"),)


class MetricsItemDay(models.Model):
    """Redemptions of one mall item at one store on one local day (cancelled ones excluded)."""

    id = fields.BigIntField(primary_key=True)
    day = fields.DateField()
    store_id = fields.IntField()
    item_id = fields.IntField()
    band = fields.CharField(max_length=8, default="")
    quantity = fields.BigIntField(default=0)
    points = fields.BigIntField(default=0)
    cost_fen = fields.BigIntField(default=0)

    class Meta:
        table = "metrics_item_day"
        unique_together = (("day", "store_id", "item_id"),)
        indexes = (("store_id", "day"),)


class MetricsMemberDay(models.Model):
    """A member's activity at one store on one local day: purchases and points spent."""

    id = fields.BigIntField(primary_key=True)
    day = fields.DateField()
    store_id = fields.IntField()
    member_id = fields.IntField()
    orders = fields.IntField(default=0)
    points_spent = fields.BigIntField(default=0)

    class Meta:
        table = "metrics_member_day"
        unique_together = (("day", "store_id", "member_id"),)
        indexes = (("member_id", "day"), ("store_id", "day"))


class MetricsState(models.Model):
    """The rollup job's watermark: facts created before it have been rolled up (one row, id 1)."""

    id = fields.IntField(primary_key=True)
    watermark = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField()

    class Meta:
        table = "metrics_state"


class StoreSalesDay(models.Model):
    """All sales of a store on a local day (members and non-members), as the POS reports them."""

    id = fields.IntField(primary_key=True)
    store = fields.ForeignKeyField("orchard.Store", related_name="sales_days", on_delete=fields.RESTRICT)
    local_date = fields.DateField()
    total_fen = fields.BigIntField()
    orders = fields.IntField(default=0)
    recorded_by = fields.CharField(max_length=64)
    updated_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "store_sales_day"
        unique_together = (("store", "local_date"),)
        constraints = (CheckConstraint(check="total_fen >= 0 AND orders >= 0", name="store_sales_day_nonneg"),)
