from tortoise import fields, models
from tortoise.migrations.constraints import CheckConstraint


class Tier(models.Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True)
    name = fields.CharField(max_length=64)
    rank = fields.IntField(unique=True)
    min_points = fields.IntField(default=0)
    min_purchases = fields.IntField(default=0)
    earn_multiplier = fields.DecimalField(max_digits=6, decimal_places=2, default=1)
    redemption_discount_percent = fields.IntField(default=0)
    benefits = fields.JSONField(default=list)  # [{"code": ..., "description": ...}]
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "tier"
        constraints = (
            CheckConstraint(check="min_points >= 0 AND min_purchases >= 0", name="tier_thresholds_nonneg"),
            CheckConstraint(check="redemption_discount_percent BETWEEN 0 AND 100", name="tier_discount_range"),
            CheckConstraint(check="earn_multiplier > 0", name="tier_multiplier_positive"),
        )


class TierChange(models.Model):
    """One row per change of a member's tier: from, to, why, when, by whom."""

    id = fields.IntField(primary_key=True)
    member = fields.ForeignKeyField("orchard.Member", related_name="tier_changes", on_delete=fields.CASCADE)
    from_tier = fields.ForeignKeyField("orchard.Tier", related_name="changes_from", null=True, on_delete=fields.RESTRICT)
    to_tier = fields.ForeignKeyField("orchard.Tier", related_name="changes_to", on_delete=fields.RESTRICT)
    reason = fields.CharField(max_length=16)  # REGISTRATION | QUALIFIED | REVIEW | MANUAL_FLOOR
    note = fields.CharField(max_length=255, null=True)
    actor = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "tier_change"
        indexes = (("member_id", "created_at"),)
