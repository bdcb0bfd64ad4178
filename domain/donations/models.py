from tortoise import fields, models
from tortoise.migrations.constraints import CheckConstraint


class CharityProject(models.Model):
    """A charity project members donate points to. Its totals live in its charity_project_shard rows.

    points_per_yuan is the chain's conversion rate when the project was created (an operator
    setting), kept with the project so its settlement does not move when the setting does.
    match_ratio is null without matching; match_cap_points caps what the chain adds.
    """

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=120)
    description = fields.TextField(default="")
    image_url = fields.CharField(max_length=500, null=True)
    beneficiary = fields.CharField(max_length=200, default="")
    goal_points = fields.BigIntField()
    opens_at = fields.DatetimeField()
    closes_at = fields.DatetimeField()
    minimum_points = fields.IntField(default=1)
    points_per_yuan = fields.IntField(default=100)
    stop_at_goal = fields.BooleanField(default=False)
    match_ratio = fields.DecimalField(max_digits=6, decimal_places=2, null=True)
    match_cap_points = fields.BigIntField(null=True)
    status = fields.CharField(max_length=10, default="DRAFT")
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()
    opened_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)
    cancelled_at = fields.DatetimeField(null=True)
    settled_at = fields.DatetimeField(null=True)
    settled_on = fields.DateField(null=True)
    settlement_fen = fields.BigIntField(null=True)
    settlement_reference = fields.CharField(max_length=100, null=True)
    settled_by = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "charity_project"
        indexes = (("status", "id"),)
        constraints = (
            CheckConstraint(
                check="status IN ('DRAFT', 'OPEN', 'CLOSED', 'SETTLED', 'CANCELLED')", name="charity_project_status_known"
            ),
            CheckConstraint(check="goal_points > 0 AND minimum_points > 0", name="charity_project_amounts_positive"),
            CheckConstraint(check="points_per_yuan > 0", name="charity_project_rate_positive"),
            CheckConstraint(check="closes_at > opens_at", name="charity_project_window_ordered"),
            CheckConstraint(
                check="(match_ratio IS NULL AND match_cap_points IS NULL)"
                " OR (match_ratio > 0 AND match_cap_points > 0)",
                name="charity_project_matching_valid",
            ),
        )


class CharityProjectShard(models.Model):
    """One share of a project's totals, so that donors do not all queue on one row.

    A donation of member m changes shard m % SYSTEM_SHARDS, the same shard as its ledger lines.
    raised, matched and donations are net of refunds; donors counts the distinct members whose
    first donation to the project was booked on this shard. goal_left and match_left are this
    shard's part of what is left to the goal (stop-at-goal projects) and of the matching cap.
    accepting is false unless the project is open: closing or cancelling turns it off on every
    shard, which waits for the donations in flight and refuses the ones after.
    """

    id = fields.IntField(primary_key=True)
    project = fields.ForeignKeyField("orchard.CharityProject", related_name="shards", on_delete=fields.RESTRICT)
    shard = fields.IntField()
    raised = fields.BigIntField(default=0)
    matched = fields.BigIntField(default=0)
    donations = fields.BigIntField(default=0)
    donors = fields.BigIntField(default=0)
    goal_left = fields.BigIntField(default=0)
    match_left = fields.BigIntField(default=0)
    accepting = fields.BooleanField(default=False)

    class Meta:
        table = "charity_project_shard"
        unique_together = (("project_id", "shard"),)
        constraints = (
            CheckConstraint(check="goal_left >= 0 AND match_left >= 0", name="charity_shard_left_nonneg"),
            CheckConstraint(check="raised >= 0 AND matched >= 0 AND donations >= 0 AND donors >= 0",
                            name="charity_shard_totals_nonneg"),
        )


class CharityDonor(models.Model):
    """A member who donated to a project, once: what makes donorCount count distinct members."""

    id = fields.IntField(primary_key=True)
    project = fields.ForeignKeyField("orchard.CharityProject", related_name="donors", on_delete=fields.RESTRICT)
    member = fields.ForeignKeyField("orchard.Member", related_name="charity_projects", on_delete=fields.RESTRICT)
    created_at = fields.DatetimeField()

    class Meta:
        table = "charity_donor"
        unique_together = (("project_id", "member_id"),)


class Donation(models.Model):
    """Points a member gave a project, with the chain's matching, and a certificate code to share.

    The row is also the idempotency record of donatePoints: one per caller scope and key.
    requested_points is what was asked; points what was taken (less when a stop-at-goal project
    had less left to its goal). Status ACCEPTED, or REFUNDED when the project was cancelled.
    """

    id = fields.IntField(primary_key=True)
    certificate_code = fields.CharField(max_length=16, unique=True)
    project = fields.ForeignKeyField("orchard.CharityProject", related_name="donation_rows", on_delete=fields.RESTRICT)
    member = fields.ForeignKeyField("orchard.Member", related_name="donations", on_delete=fields.RESTRICT)
    store = fields.ForeignKeyField("orchard.Store", related_name="donations", null=True, on_delete=fields.RESTRICT)
    requested_points = fields.BigIntField()
    points = fields.BigIntField()
    matched_points = fields.BigIntField(default=0)
    anonymous = fields.BooleanField(default=False)
    status = fields.CharField(max_length=10, default="ACCEPTED")
    caller_scope = fields.CharField(max_length=64)
    idempotency_key = fields.CharField(max_length=255)
    fingerprint = fields.CharField(max_length=64)
    actor = fields.CharField(max_length=64)
    created_at = fields.DatetimeField()
    refunded_at = fields.DatetimeField(null=True)

    class Meta:
        table = "donation"
        unique_together = (("caller_scope", "idempotency_key"),)
        indexes = (("project_id", "status", "id"), ("member_id", "id"))
        constraints = (
            CheckConstraint(check="status IN ('ACCEPTED', 'REFUNDED')", name="donation_status_known"),
            CheckConstraint(
                check="points > 0 AND points <= requested_points AND matched_points >= 0", name="donation_amounts_valid"
            ),
        )
