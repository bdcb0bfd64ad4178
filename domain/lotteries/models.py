"""Lotteries, their prize tables, the prize stock buckets, the draws and the members' draw counts."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields, models
from tortoise.migrations.constraints import CheckConstraint


class LotteryStatus(StrEnum):
    DRAFT = "DRAFT"  # editable; no seed yet
    OPEN = "OPEN"  # the seed is committed; members draw inside the window
    CLOSED = "CLOSED"  # the seed is revealed; every draw is public


class PrizeKind(StrEnum):
    COUPON = "COUPON"  # a coupon from coupon_template
    MALL_ITEM = "MALL_ITEM"  # a mall redemption of mall_item, collected at the counter with its code
    POINTS = "POINTS"  # points credited as a new lot
    TASTING = "TASTING"  # a coupon from a TASTING coupon template, written off at the counter
    NO_PRIZE = "NO_PRIZE"  # nothing; also where a sold-out prize's weight goes


UNLIMITED_KINDS = frozenset({PrizeKind.NO_PRIZE, PrizeKind.POINTS})
COUPON_KINDS = frozenset({PrizeKind.COUPON, PrizeKind.TASTING})


class Lottery(models.Model):
    """A lottery: its terms, and the seed scheme (docs/lotteries.md).

    seed_encrypted holds the server seed sealed with the data key from the moment it opens;
    seed_commitment is its SHA-256 (published at open), revealed_seed the seed itself (at close).
    eligible_tiers holds tier codes: empty means every tier.
    """

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=120)
    description = fields.TextField(default="")
    image_url = fields.CharField(max_length=500, null=True)
    points_per_draw = fields.IntField()
    status = fields.CharField(max_length=8, default="DRAFT")
    opens_at = fields.DatetimeField()
    closes_at = fields.DatetimeField()
    eligible_tiers = fields.JSONField(default=list)
    per_member_limit = fields.IntField(null=True)  # draws per member over the whole lottery
    per_day_limit = fields.IntField(null=True)  # draws per member per store-local day
    stock_buckets = fields.IntField(default=4)  # rows each limited prize's stock is spread over
    seed_encrypted = fields.TextField(null=True)
    seed_commitment = fields.CharField(max_length=64, null=True)
    revealed_seed = fields.CharField(max_length=64, null=True)
    opened_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "lottery"
        indexes = (("status", "id"),)
        constraints = (
            CheckConstraint(check="status IN ('DRAFT', 'OPEN', 'CLOSED')", name="lottery_status_known"),
            CheckConstraint(check="points_per_draw >= 0", name="lottery_points_nonneg"),
            CheckConstraint(check="closes_at > opens_at", name="lottery_window_ordered"),
            CheckConstraint(
                check="(per_member_limit IS NULL OR per_member_limit > 0) AND (per_day_limit IS NULL OR per_day_limit > 0)",
                name="lottery_limits_positive",
            ),
            CheckConstraint(check="stock_buckets BETWEEN 1 AND 64", name="lottery_buckets_range"),
            CheckConstraint(
                check="status = 'DRAFT' OR (seed_encrypted IS NOT NULL AND seed_commitment IS NOT NULL)",
                name="lottery_seed_committed",
            ),
            CheckConstraint(check="status <> 'CLOSED' OR revealed_seed IS NOT NULL", name="lottery_seed_revealed"),
        )


class LotteryPrize(models.Model):
    """One line of the prize table, in id order (the order the cumulative weights run in).

    stock is the units the prize started with; null is unlimited (NO_PRIZE and POINTS only).
    The units left are in its lottery_prize_bucket rows.
    """

    id = fields.IntField(primary_key=True)
    lottery = fields.ForeignKeyField("orchard.Lottery", related_name="prizes", on_delete=fields.RESTRICT)
    name = fields.CharField(max_length=120)
    kind = fields.CharField(max_length=10)
    weight = fields.IntField()
    stock = fields.IntField(null=True)
    points = fields.IntField(null=True)
    coupon_template = fields.ForeignKeyField(
        "orchard.CouponTemplate", related_name="lottery_prizes", null=True, on_delete=fields.RESTRICT
    )
    mall_item = fields.ForeignKeyField("orchard.MallItem", related_name="lottery_prizes", null=True, on_delete=fields.RESTRICT)

    class Meta:
        table = "lottery_prize"
        indexes = (("lottery_id", "id"),)
        constraints = (
            CheckConstraint(
                check="kind IN ('COUPON', 'MALL_ITEM', 'POINTS', 'TASTING', 'NO_PRIZE')", name="lottery_prize_kind_known"
            ),
            CheckConstraint(check="weight >= 0 AND (stock IS NULL OR stock >= 0)", name="lottery_prize_amounts_valid"),
            CheckConstraint(
                check="(kind = 'POINTS' AND points > 0) OR (kind <> 'POINTS' AND points IS NULL)", name="lottery_prize_points"
            ),
            CheckConstraint(
                check="(kind IN ('COUPON', 'TASTING')) = (coupon_template_id IS NOT NULL)", name="lottery_prize_coupon"
            ),
            CheckConstraint(check="(kind = 'MALL_ITEM') = (mall_item_id IS NOT NULL)", name="lottery_prize_mall_item"),
            CheckConstraint(
                check="(kind IN ('NO_PRIZE', 'POINTS')) OR stock IS NOT NULL", name="lottery_prize_stock_limited"
            ),
        )


class LotteryPrizeBucket(models.Model):
    """One share of a limited prize's stock: draws spread over the buckets (as mall stock does)."""

    id = fields.IntField(primary_key=True)
    prize = fields.ForeignKeyField("orchard.LotteryPrize", related_name="buckets", on_delete=fields.RESTRICT)
    bucket_no = fields.IntField()
    remaining = fields.IntField(default=0)

    class Meta:
        table = "lottery_prize_bucket"
        unique_together = (("prize", "bucket_no"),)
        constraints = (CheckConstraint(check="remaining >= 0", name="lottery_prize_bucket_nonneg"),)


class LotteryMemberCount(models.Model):
    """Draws one member made in a lottery: period_key LIFETIME (which also numbers the draws: the
    nonce) or a store-local date (the daily cap). Counted by a conditional upsert."""

    id = fields.IntField(primary_key=True)
    lottery = fields.ForeignKeyField("orchard.Lottery", related_name="member_counts", on_delete=fields.RESTRICT)
    member = fields.ForeignKeyField("orchard.Member", related_name="lottery_counts", on_delete=fields.RESTRICT)
    period_key = fields.CharField(max_length=16)
    used = fields.IntField(default=0)

    class Meta:
        table = "lottery_member_count"
        unique_together = (("lottery", "member", "period_key"),)
        constraints = (CheckConstraint(check="used >= 0", name="lottery_member_count_nonneg"),)


class LotteryDraw(models.Model):
    """One draw: its public inputs (nonce, client seed), its number, the table state it used and the
    prize it won. The row is also drawLottery's idempotency record: one per caller scope and key.

    number is the HMAC-SHA256 as 64 hex digits. sold_out lists (comma-separated) the ids of the prizes the draw took as
    sold out; drawn_prize is the prize the number fell on, prize the one given (NO_PRIZE when the
    drawn one was sold out). What it granted is found by the draw's id: the coupon with source
    LOTTERY and source_ref "draw:<id>", the mall redemption with caller scope "lottery" and key
    "draw:<id>", the LOTTERY_PRIZE journal with reference "draw:<id>".
    """

    id = fields.IntField(primary_key=True)
    lottery = fields.ForeignKeyField("orchard.Lottery", related_name="draws", on_delete=fields.RESTRICT)
    member = fields.ForeignKeyField("orchard.Member", related_name="lottery_draws", on_delete=fields.RESTRICT)
    store = fields.ForeignKeyField("orchard.Store", related_name="lottery_draws", null=True, on_delete=fields.RESTRICT)
    nonce = fields.IntField()
    client_seed = fields.CharField(max_length=64)
    number = fields.CharField(max_length=64)
    sold_out = fields.CharField(max_length=255, default="")  # prize ids, comma-separated, ascending
    drawn_prize = fields.ForeignKeyField("orchard.LotteryPrize", related_name="drawn", on_delete=fields.RESTRICT)
    prize = fields.ForeignKeyField("orchard.LotteryPrize", related_name="won", on_delete=fields.RESTRICT)
    points_spent = fields.IntField()
    points_won = fields.IntField(default=0)
    caller_scope = fields.CharField(max_length=64)
    idempotency_key = fields.CharField(max_length=255)
    fingerprint = fields.CharField(max_length=64)
    actor = fields.CharField(max_length=64)
    created_at = fields.DatetimeField()

    class Meta:
        table = "lottery_draw"
        unique_together = (("caller_scope", "idempotency_key"), ("lottery", "member", "nonce"))
        indexes = (("lottery_id", "id"), ("member_id", "id"))
        constraints = (
            CheckConstraint(check="nonce >= 0 AND points_spent >= 0 AND points_won >= 0", name="lottery_draw_amounts_valid"),
        )
