from tortoise import fields, models
from tortoise.migrations.constraints import CheckConstraint


class EarnRate(models.Model):
    """Points per yuan for a category, from a moment on. The rate in force at a purchase applies."""

    id = fields.IntField(primary_key=True)
    category = fields.CharField(max_length=32)
    points_per_yuan = fields.DecimalField(max_digits=8, decimal_places=2)
    effective_from = fields.DatetimeField()
    announced_at = fields.DatetimeField()
    created_by = fields.CharField(max_length=64)

    class Meta:
        table = "earn_rate"
        unique_together = (("category", "effective_from"),)
        constraints = (CheckConstraint(check="points_per_yuan >= 0", name="earn_rate_nonneg"),)


class CampaignRule(models.Model):
    """A campaign: conditions, an effect (multiplier or bonus), a stacking policy, caps and a budget."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=40, unique=True)
    name = fields.CharField(max_length=120)
    trigger = fields.CharField(max_length=16, default="PURCHASE")  # PURCHASE | REGISTRATION
    multiplier = fields.DecimalField(max_digits=6, decimal_places=2, null=True)
    bonus_points = fields.IntField(null=True)
    stacking = fields.CharField(max_length=10, default="BEST_OF")  # BEST_OF | MULTIPLY
    conditions = fields.JSONField(default=dict)
    cap_per_member_per_day = fields.IntField(null=True)
    cap_per_member = fields.IntField(null=True)  # over the whole campaign
    budget = fields.BigIntField(null=True)
    given_total = fields.BigIntField(default=0)
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField(null=True)
    announced_at = fields.DatetimeField()
    is_active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "campaign_rule"
        constraints = (
            CheckConstraint(check="budget IS NULL OR given_total <= budget", name="campaign_within_budget"),
            CheckConstraint(
                check="(multiplier IS NOT NULL AND bonus_points IS NULL) OR (multiplier IS NULL AND bonus_points IS NOT NULL)",
                name="campaign_one_effect",
            ),
        )


class CampaignMemberDay(models.Model):
    """Extra points a campaign gave one member on one store-local day: the per-day cap counts here."""

    id = fields.IntField(primary_key=True)
    campaign = fields.ForeignKeyField("orchard.CampaignRule", related_name="member_days", on_delete=fields.CASCADE)
    member = fields.ForeignKeyField("orchard.Member", related_name="campaign_days", on_delete=fields.CASCADE)
    local_date = fields.DateField()
    points = fields.IntField(default=0)

    class Meta:
        table = "campaign_member_day"
        unique_together = (("campaign", "member", "local_date"),)


class StoreFlag(models.Model):
    """A flag a store manager sets for a local day, such as RAINY_DAY."""

    id = fields.IntField(primary_key=True)
    store = fields.ForeignKeyField("orchard.Store", related_name="flags", on_delete=fields.CASCADE)
    flag = fields.CharField(max_length=32)
    local_date = fields.DateField()
    set_by = fields.CharField(max_length=64)

    class Meta:
        table = "store_flag"
        unique_together = (("store", "flag", "local_date"),)


class Purchase(models.Model):
    id = fields.IntField(primary_key=True)
    member = fields.ForeignKeyField("orchard.Member", related_name="purchases", on_delete=fields.RESTRICT)
    store = fields.ForeignKeyField("orchard.Store", related_name="purchases", on_delete=fields.RESTRICT)
    channel = fields.CharField(max_length=10)
    caller_scope = fields.CharField(max_length=64)
    client_txn_id = fields.CharField(max_length=100)
    fingerprint = fields.CharField(max_length=64)
    occurred_at = fields.DatetimeField()
    recorded_at = fields.DatetimeField()
    local_date = fields.DateField()
    total_fen = fields.BigIntField()
    cash_offset_fen = fields.BigIntField(default=0)
    points_redeemed = fields.BigIntField(default=0)
    points_earned = fields.BigIntField(default=0)
    status = fields.CharField(max_length=20, default="COMPLETED")  # COMPLETED | HELD | RETURNED | PARTIALLY_RETURNED
    held_reason = fields.CharField(max_length=255, null=True)
    is_first_order = fields.BooleanField(default=False)
    # The member's tier multiplier the purchase earned with; null when held, or recorded before it was kept.
    tier_multiplier = fields.DecimalField(max_digits=6, decimal_places=2, null=True)
    # What the coupons took off: the lines' part (PurchaseLine.discount_fen summed) plus any delivery fee waived.
    discount_fen = fields.BigIntField(default=0)
    # The delivery fee of a DELIVERY purchase, as the till sent it; not part of total_fen and earns no points.
    delivery_fee_fen = fields.BigIntField(default=0)

    class Meta:
        table = "purchase"
        unique_together = (("caller_scope", "client_txn_id"),)
        # A member's purchases (app lists, first-order checks, the tier window) at any scale.
        indexes = (("member_id", "id"), ("member_id", "occurred_at"), ("recorded_at",), ("local_date",))
        constraints = (
            CheckConstraint(check="total_fen >= 0", name="purchase_total_nonneg"),
            CheckConstraint(check="cash_offset_fen >= 0 AND cash_offset_fen <= total_fen", name="purchase_offset_within_total"),
        )


class PurchaseLine(models.Model):
    id = fields.IntField(primary_key=True)
    purchase = fields.ForeignKeyField("orchard.Purchase", related_name="lines", on_delete=fields.CASCADE)
    line_no = fields.IntField()
    sku = fields.CharField(max_length=64)
    category = fields.CharField(max_length=32)
    quantity = fields.IntField()
    unit_price_fen = fields.BigIntField()
    total_fen = fields.BigIntField()
    points = fields.BigIntField(default=0)
    # How `points` were made (see calculator.LinePoints): the points before the tier multiplier and the
    # rate in force. Kept at record time because rates and multipliers may change after; null on lines
    # recorded before they were kept (and the rate on a held purchase's lines).
    base_points = fields.BigIntField(null=True)
    points_per_yuan = fields.DecimalField(max_digits=8, decimal_places=2, null=True)
    returned_quantity = fields.IntField(default=0)
    # The line's share of the coupons' discount: the line earns on total_fen - discount_fen (less any cash offset).
    discount_fen = fields.BigIntField(default=0)

    class Meta:
        table = "purchase_line"
        unique_together = (("purchase", "line_no"),)
        constraints = (
            CheckConstraint(check="quantity > 0 AND unit_price_fen >= 0", name="purchase_line_positive"),
            CheckConstraint(check="returned_quantity >= 0 AND returned_quantity <= quantity", name="purchase_line_returns_bounded"),
        )


class PurchaseCoupon(models.Model):
    """A coupon used on a purchase and what it took off. Kept when a return gives the coupon back
    (given_back_at), so the purchase still tells what it was discounted by."""

    id = fields.IntField(primary_key=True)
    purchase = fields.ForeignKeyField("orchard.Purchase", related_name="coupons_used", on_delete=fields.CASCADE)
    coupon = fields.ForeignKeyField("orchard.Coupon", related_name="purchases", on_delete=fields.RESTRICT)
    position = fields.IntField()  # its index in the purchase's couponCodes
    discount_fen = fields.BigIntField()
    given_back_at = fields.DatetimeField(null=True)

    class Meta:
        table = "purchase_coupon"
        unique_together = (("purchase", "coupon"),)
        constraints = (CheckConstraint(check="discount_fen >= 0", name="purchase_coupon_discount_nonneg"),)


class CheckIn(models.Model):
    id = fields.IntField(primary_key=True)
    member = fields.ForeignKeyField("orchard.Member", related_name="check_ins", on_delete=fields.CASCADE)
    local_date = fields.DateField()
    streak_days = fields.IntField()
    points = fields.IntField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "check_in"
        unique_together = (("member", "local_date"),)


class ProductReview(models.Model):
    id = fields.IntField(primary_key=True)
    member = fields.ForeignKeyField("orchard.Member", related_name="reviews", on_delete=fields.CASCADE)
    purchase_line = fields.OneToOneField("orchard.PurchaseLine", related_name="review", on_delete=fields.CASCADE)
    rating = fields.IntField()
    text = fields.TextField()
    points = fields.IntField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "product_review"
        constraints = (CheckConstraint(check="rating BETWEEN 1 AND 5", name="review_rating_range"),)


class BehaviourDay(models.Model):
    """Behaviour points a member got on a store-local day, held under the daily cap by a conditional update."""

    id = fields.IntField(primary_key=True)
    member = fields.ForeignKeyField("orchard.Member", related_name="behaviour_days", on_delete=fields.CASCADE)
    local_date = fields.DateField()
    points = fields.IntField(default=0)

    class Meta:
        table = "behaviour_day"
        unique_together = (("member", "local_date"),)
        constraints = (CheckConstraint(check="points >= 0", name="behaviour_day_nonneg"),)


class PointsAdjustment(models.Model):
    """The audit record of a manual adjustment: who, when, why, balance before and after."""

    id = fields.IntField(primary_key=True)
    member = fields.ForeignKeyField("orchard.Member", related_name="adjustments", on_delete=fields.RESTRICT)
    amount = fields.BigIntField()
    reason = fields.CharField(max_length=255)
    actor = fields.CharField(max_length=64)
    balance_before = fields.BigIntField()
    balance_after = fields.BigIntField()
    journal_id = fields.BigIntField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "points_adjustment"


class ExpiryReminder(models.Model):
    """A member was told once that points expiring on a day are about to go."""

    id = fields.IntField(primary_key=True)
    member = fields.ForeignKeyField("orchard.Member", related_name="expiry_reminders", on_delete=fields.CASCADE)
    expires_on = fields.DateField()
    points = fields.BigIntField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "expiry_reminder"
        unique_together = (("member", "expires_on"),)
