from tortoise import fields, models
from tortoise.migrations.constraints import CheckConstraint


class Member(models.Model):
    """A customer of the chain. The phone is kept encrypted, with a keyed hash for lookup."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=16, unique=True)
    phone_hash = fields.CharField(max_length=64, unique=True)
    phone_encrypted = fields.CharField(max_length=255)
    phone_masked = fields.CharField(max_length=32)
    name = fields.CharField(max_length=120)
    birthday = fields.DateField(null=True)
    gender = fields.CharField(max_length=16, null=True)
    region = fields.CharField(max_length=64, null=True)
    home_store = fields.ForeignKeyField("orchard.Store", related_name="home_members", null=True, on_delete=fields.RESTRICT)
    marketing_consent = fields.BooleanField(default=False)
    channel = fields.CharField(max_length=16)
    referral_code = fields.CharField(max_length=16, unique=True)
    referred_by = fields.ForeignKeyField("orchard.Member", related_name="referrals", null=True, on_delete=fields.RESTRICT)
    tier = fields.ForeignKeyField("orchard.Tier", related_name="members", on_delete=fields.RESTRICT)
    tier_floor = fields.ForeignKeyField("orchard.Tier", related_name="floored_members", null=True, on_delete=fields.RESTRICT)
    tier_floor_reason = fields.CharField(max_length=255, null=True)
    created_at = fields.DatetimeField(db_index=True)
    updated_at = fields.DatetimeField()

    class Meta:
        table = "member"
        constraints = (
            CheckConstraint(
                check="channel IN ('APP', 'MINI_PROGRAM', 'STORE_QR', 'POS', 'KIOSK', 'WEB', 'IMPORT')",
                name="member_channel_known",
            ),
        )


class MemberStore(models.Model):
    """A store a member has bought at: its staff may see the member."""

    id = fields.IntField(primary_key=True)
    member = fields.ForeignKeyField("orchard.Member", related_name="store_links", on_delete=fields.CASCADE)
    store = fields.ForeignKeyField("orchard.Store", related_name="member_links", on_delete=fields.CASCADE)
    first_seen_at = fields.DatetimeField()

    class Meta:
        table = "member_store"
        unique_together = (("member", "store"),)


class LoginCode(models.Model):
    """A one-time sign-in code sent to a phone. Only its hash is kept."""

    id = fields.IntField(primary_key=True)
    phone_hash = fields.CharField(max_length=64, db_index=True)
    code_hash = fields.CharField(max_length=64)
    client_address = fields.CharField(max_length=64, null=True, db_index=True)
    created_at = fields.DatetimeField(db_index=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    failed_attempts = fields.IntField(default=0)

    class Meta:
        table = "login_code"


class MemberLegacyId(models.Model):
    """An old member id from the system the chain used before (legacy import): staff look a
    member up by it. A member may have several (duplicate cards merged); an id names one member."""

    id = fields.IntField(primary_key=True)
    member = fields.ForeignKeyField("orchard.Member", related_name="legacy_ids", on_delete=fields.CASCADE)
    legacy_id = fields.CharField(max_length=64, unique=True)
    import_run_id = fields.IntField(null=True)  # the run that recorded it (domain/imports)
    created_at = fields.DatetimeField()

    class Meta:
        table = "member_legacy_id"
        indexes = (("member_id",), ("import_run_id",))


class ConsentChange(models.Model):
    """When and through which channel a member gave or withdrew a consent (PIPL art. 14-15):
    one row at registration, one each time it changes. Append-only."""

    id = fields.BigIntField(primary_key=True)
    member = fields.ForeignKeyField("orchard.Member", related_name="consent_changes", on_delete=fields.CASCADE)
    purpose = fields.CharField(max_length=16)  # MARKETING
    given = fields.BooleanField()
    channel = fields.CharField(max_length=16)  # the registration channel, or SELF_SERVICE for the member's own change
    actor = fields.CharField(max_length=64)
    at = fields.DatetimeField()

    class Meta:
        table = "consent_change"
        indexes = (("member_id", "id"),)
