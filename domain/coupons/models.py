"""Coupon templates (what a coupon is worth and where it applies) and the coupons issued from them."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields, models
from tortoise.migrations.constraints import CheckConstraint


class CouponKind(StrEnum):
    AMOUNT_OFF = "AMOUNT_OFF"  # value_fen off the purchase
    PERCENT_OFF = "PERCENT_OFF"  # percent off, at most cap_fen
    FREE_ITEM = "FREE_ITEM"  # a counter coupon: the item named by the template, written off with useCoupon
    FREE_DELIVERY = "FREE_DELIVERY"  # the delivery fee of a DELIVERY purchase
    TASTING = "TASTING"  # a counter coupon: a new-product tasting


COUNTER_KINDS = frozenset({CouponKind.FREE_ITEM, CouponKind.TASTING})


class CouponStatus(StrEnum):
    AVAILABLE = "AVAILABLE"
    USED = "USED"
    EXPIRED = "EXPIRED"
    REVOKED = "REVOKED"


class CouponSource(StrEnum):
    LOTTERY = "LOTTERY"
    CAMPAIGN = "CAMPAIGN"
    PARTNER = "PARTNER"
    ADMIN = "ADMIN"


class CouponTemplate(models.Model):
    """What a coupon grants. Validity is fixed dates (valid_from..valid_until) or valid_days from issue.

    categories and store_ids empty mean every category and every store.
    """

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=120)
    description = fields.TextField(default="")
    kind = fields.CharField(max_length=16)
    value_fen = fields.BigIntField(default=0)  # AMOUNT_OFF: the amount; FREE_DELIVERY: the most the fee may be
    percent = fields.IntField(default=0)  # PERCENT_OFF: 1..100
    cap_fen = fields.BigIntField(null=True)  # PERCENT_OFF: the most it takes off
    item_name = fields.CharField(max_length=120, default="")  # FREE_ITEM and TASTING: what the counter hands over
    minimum_spend_fen = fields.BigIntField(default=0)
    categories = fields.JSONField(default=list)
    store_ids = fields.JSONField(default=list)
    valid_from = fields.DatetimeField(null=True)
    valid_until = fields.DatetimeField(null=True)
    valid_days = fields.IntField(null=True)
    stackable = fields.BooleanField(default=False)
    created_at = fields.DatetimeField()
    retired_at = fields.DatetimeField(null=True)

    class Meta:
        table = "coupon_template"
        constraints = (
            CheckConstraint(
                check="kind IN ('AMOUNT_OFF', 'PERCENT_OFF', 'FREE_ITEM', 'FREE_DELIVERY', 'TASTING')",
                name="coupon_template_kind_known",
            ),
            CheckConstraint(
                check="value_fen >= 0 AND percent >= 0 AND percent <= 100 AND minimum_spend_fen >= 0"
                " AND (cap_fen IS NULL OR cap_fen >= 0)",
                name="coupon_template_amounts_valid",
            ),
            CheckConstraint(
                check="(valid_days IS NULL) <> (valid_until IS NULL) AND (valid_days IS NULL OR valid_days > 0)",
                name="coupon_template_validity_one_way",
            ),
        )


class Coupon(models.Model):
    """One coupon in a member's wallet. (source, source_ref) is unique, so whatever grants a coupon
    (a lottery draw, a campaign, a partner bundle) grants it once however often it is retried.

    used_ref names what used it: "purchase:<id>" at a till, "counter:<store id>" for useCoupon.
    """

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=16, unique=True)
    template = fields.ForeignKeyField("orchard.CouponTemplate", related_name="coupons", on_delete=fields.RESTRICT)
    member = fields.ForeignKeyField("orchard.Member", related_name="coupons", on_delete=fields.RESTRICT)
    status = fields.CharField(max_length=10, default="AVAILABLE")
    source = fields.CharField(max_length=10)
    source_ref = fields.CharField(max_length=64)
    issued_at = fields.DatetimeField()
    valid_from = fields.DatetimeField()
    valid_until = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    used_store = fields.ForeignKeyField("orchard.Store", related_name="used_coupons", null=True, on_delete=fields.RESTRICT)
    used_ref = fields.CharField(max_length=64, null=True)
    discount_fen = fields.BigIntField(null=True)

    class Meta:
        table = "coupon"
        unique_together = (("source", "source_ref"),)
        indexes = (("member_id", "id"), ("status", "valid_until"))
        constraints = (
            CheckConstraint(check="status IN ('AVAILABLE', 'USED', 'EXPIRED', 'REVOKED')", name="coupon_status_known"),
            CheckConstraint(check="status <> 'USED' OR used_at IS NOT NULL", name="coupon_used_complete"),
            CheckConstraint(check="valid_until > valid_from", name="coupon_validity_ordered"),
        )


def status_at(stored: str, valid_until, now) -> CouponStatus:
    """What a coupon's status reads as at `now`: AVAILABLE past its validity is EXPIRED, before the sweep too."""
    if stored == CouponStatus.AVAILABLE and valid_until <= now:
        return CouponStatus.EXPIRED
    return CouponStatus(stored)
