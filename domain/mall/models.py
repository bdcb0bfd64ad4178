from tortoise import fields, models
from tortoise.migrations.constraints import CheckConstraint


class MallItem(models.Model):
    """A reward in the points mall. A limited stock lives in its mall_stock_bucket rows.

    eligible_tiers holds tier codes and store_ids the stores where it can be collected: empty means all.
    """

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=120)
    description = fields.TextField(default="")
    image_url = fields.CharField(max_length=500, null=True)
    band = fields.CharField(max_length=8)
    kind = fields.CharField(max_length=20)
    points_price = fields.IntField()
    cash_fen = fields.BigIntField(default=0)
    # What one unit costs the chain, in fen, for the points cost rate (docs/metrics.md); null: count
    # the points at their cash-offset face value. Partner bundles put the partner's share here.
    cost_fen = fields.BigIntField(null=True)
    stock_limited = fields.BooleanField(default=True)
    stock_buckets = fields.IntField(default=1)
    # Every unit ever put in stock (initial stock and restocks): the stock check balances against it.
    stock_received = fields.BigIntField(default=0)
    per_member_limit = fields.IntField(null=True)
    # A partner bundle (domain/partners) is a mall item with its partner; a cash-only bundle is
    # sold at the till (a purchase line naming it) and cannot be redeemed with points.
    partner = fields.ForeignKeyField("orchard.Partner", related_name="bundles", null=True, on_delete=fields.RESTRICT)
    points_redeemable = fields.BooleanField(default=True)
    limit_period = fields.CharField(max_length=10, default="LIFETIME")
    eligible_tiers = fields.JSONField(default=list)
    store_ids = fields.JSONField(default=list)
    available_from = fields.DatetimeField()
    available_until = fields.DatetimeField(null=True)
    retired_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "mall_item"
        constraints = (
            CheckConstraint(check="band IN ('LOW', 'MIDDLE', 'HIGH')", name="mall_item_band_known"),
            CheckConstraint(
                check="kind IN ('PHYSICAL', 'FRESH_CUT', 'SERVICE', 'PRIVILEGE', 'COUPON', 'STORED_VALUE_CARD')",
                name="mall_item_kind_known",
            ),
            CheckConstraint(check="points_price >= 0 AND cash_fen >= 0", name="mall_item_price_nonneg"),
            CheckConstraint(check="cost_fen IS NULL OR cost_fen >= 0", name="mall_item_cost_nonneg"),
            CheckConstraint(check="stock_buckets BETWEEN 1 AND 64", name="mall_item_buckets_range"),
            CheckConstraint(check="per_member_limit IS NULL OR per_member_limit > 0", name="mall_item_limit_positive"),
            CheckConstraint(
                check="limit_period IN ('DAY', 'WEEK', 'MONTH', 'LIFETIME')", name="mall_item_limit_period_known"
            ),
            CheckConstraint(
                check="available_until IS NULL OR available_until > available_from", name="mall_item_window_ordered"
            ),
        )


class MallStockBucket(models.Model):
    """One share of a limited item stock. Redemptions spread over the buckets instead of queueing on one row."""

    id = fields.IntField(primary_key=True)
    item = fields.ForeignKeyField("orchard.MallItem", related_name="stock", on_delete=fields.RESTRICT)
    bucket_no = fields.IntField()
    remaining = fields.IntField(default=0)

    class Meta:
        table = "mall_stock_bucket"
        unique_together = (("item", "bucket_no"),)
        constraints = (
            CheckConstraint(check="remaining >= 0", name="mall_stock_bucket_nonneg"),
            CheckConstraint(check="bucket_no >= 0", name="mall_stock_bucket_no_nonneg"),
        )


class MallMemberQuota(models.Model):
    """Units of an item one member redeemed in one limit period, held under the limit by a conditional upsert."""

    id = fields.IntField(primary_key=True)
    item = fields.ForeignKeyField("orchard.MallItem", related_name="quotas", on_delete=fields.RESTRICT)
    member = fields.ForeignKeyField("orchard.Member", related_name="mall_quotas", on_delete=fields.RESTRICT)
    period_key = fields.CharField(max_length=16)
    used = fields.IntField(default=0)

    class Meta:
        table = "mall_member_quota"
        unique_together = (("item", "member", "period_key"),)
        constraints = (CheckConstraint(check="used >= 0", name="mall_member_quota_nonneg"),)


class MallPriceRule(models.Model):
    """A points price adjustment in percent: SEASONAL over a date range, MEMBER_DAY on a day of the month.

    bands holds the bands it applies to: empty means every band.
    """

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=40, unique=True)
    name = fields.CharField(max_length=120)
    kind = fields.CharField(max_length=12)
    percent = fields.IntField()
    day_of_month = fields.IntField(null=True)
    date_from = fields.DateField(null=True)
    date_to = fields.DateField(null=True)
    bands = fields.JSONField(default=list)
    is_active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "mall_price_rule"
        constraints = (
            CheckConstraint(check="percent BETWEEN -100 AND 500 AND percent <> 0", name="mall_price_rule_percent_range"),
            CheckConstraint(
                check="(kind = 'MEMBER_DAY' AND day_of_month BETWEEN 1 AND 31 AND date_from IS NULL AND date_to IS NULL)"
                " OR (kind = 'SEASONAL' AND day_of_month IS NULL AND date_from IS NOT NULL AND date_to >= date_from)",
                name="mall_price_rule_shape",
            ),
        )


class Redemption(models.Model):
    """A member redeemed an item: points taken, stock taken, a code to collect it at the counter.

    The row is also the idempotency record of redeemMallItem: one per caller scope and key.
    period_key names the limit period the units count against, null for an item without limit.
    """

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=16, unique=True)
    item = fields.ForeignKeyField("orchard.MallItem", related_name="redemptions", on_delete=fields.RESTRICT)
    member = fields.ForeignKeyField("orchard.Member", related_name="redemptions", on_delete=fields.RESTRICT)
    store = fields.ForeignKeyField("orchard.Store", related_name="redemptions", null=True, on_delete=fields.RESTRICT)
    partner = fields.ForeignKeyField("orchard.Partner", related_name="redemptions", null=True, on_delete=fields.RESTRICT)
    quantity = fields.IntField()
    unit_points = fields.IntField()
    points_spent = fields.BigIntField()
    cash_fen = fields.BigIntField(default=0)
    status = fields.CharField(max_length=10, default="PENDING")
    period_key = fields.CharField(max_length=16, null=True)
    caller_scope = fields.CharField(max_length=64)
    idempotency_key = fields.CharField(max_length=255)
    fingerprint = fields.CharField(max_length=64)
    actor = fields.CharField(max_length=64)
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    fulfilled_at = fields.DatetimeField(null=True)
    fulfilled_store = fields.ForeignKeyField(
        "orchard.Store", related_name="fulfilled_redemptions", null=True, on_delete=fields.RESTRICT
    )
    # A partner bundle is written off at the partner's own shop (verifyPartnerRedemption), not a store.
    fulfilled_partner = fields.ForeignKeyField(
        "orchard.Partner", related_name="fulfilled_redemptions", null=True, on_delete=fields.RESTRICT
    )
    fulfilled_by = fields.CharField(max_length=64, null=True)
    cancelled_at = fields.DatetimeField(null=True)
    cancelled_by = fields.CharField(max_length=64, null=True)
    cancel_reason = fields.CharField(max_length=255, null=True)

    class Meta:
        table = "mall_redemption"
        unique_together = (("caller_scope", "idempotency_key"),)
        indexes = (
            ("member_id", "id"), ("store_id", "id"), ("fulfilled_store_id", "id"), ("status", "expires_at"), ("item_id",),
            ("created_at",), ("cancelled_at",),  # the metrics rollups and the live rush read by time
            ("partner_id", "created_at"), ("partner_id", "cancelled_at"),  # partner settlement reads by time
        )
        constraints = (
            CheckConstraint(check="quantity > 0 AND unit_points >= 0 AND points_spent >= 0 AND cash_fen >= 0",
                            name="mall_redemption_amounts_valid"),
            CheckConstraint(
                check="status IN ('PENDING', 'FULFILLED', 'CANCELLED', 'EXPIRED')", name="mall_redemption_status_known"
            ),
            CheckConstraint(
                check="status <> 'FULFILLED' OR (fulfilled_at IS NOT NULL"
                      " AND (fulfilled_store_id IS NOT NULL OR fulfilled_partner_id IS NOT NULL))",
                name="mall_redemption_fulfilled_where",
            ),
        )
