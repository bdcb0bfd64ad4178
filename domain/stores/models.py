from tortoise import fields, models
from tortoise.migrations.constraints import CheckConstraint

DEFAULT_TIME_ZONE = "Asia/Shanghai"


class Chain(models.Model):
    """The retailer running the programme (a single row)."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=120)
    currency = fields.CharField(max_length=3, default="CNY")
    time_zone = fields.CharField(max_length=64, default=DEFAULT_TIME_ZONE)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "chain"


class Store(models.Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True)
    name = fields.CharField(max_length=120)
    time_zone = fields.CharField(max_length=64, default=DEFAULT_TIME_ZONE)
    is_active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "store"


class Partner(models.Model):
    """A bakery or florist selling co-branded bundles with the chain.

    Its settlement terms: a bundle's own per-unit share when the bundle sets one, otherwise
    share_percent of the cash the bundle took. store_ids are the stores it serves (empty: all).
    """

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True)
    name = fields.CharField(max_length=120)
    kind = fields.CharField(max_length=10, default="OTHER")
    contact = fields.CharField(max_length=200, default="")
    store_ids = fields.JSONField(default=list)
    share_percent = fields.IntField(null=True)
    status = fields.CharField(max_length=10, default="ACTIVE")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "partner"
        constraints = (
            CheckConstraint(check="kind IN ('BAKERY', 'FLORIST', 'OTHER')", name="partner_kind_known"),
            CheckConstraint(check="status IN ('ACTIVE', 'SUSPENDED')", name="partner_status_known"),
            CheckConstraint(check="share_percent IS NULL OR share_percent BETWEEN 0 AND 100", name="partner_share_range"),
        )


class StaffUser(models.Model):
    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254, unique=True)
    name = fields.CharField(max_length=120)
    password_hash = fields.CharField(max_length=255)
    role = fields.CharField(max_length=20)
    store = fields.ForeignKeyField("orchard.Store", related_name="staff", null=True, on_delete=fields.RESTRICT)
    is_active = fields.BooleanField(default=True)
    # Sign-ins claimed since the last success; at the programme's limit the account locks until locked_until.
    failed_logins = fields.IntField(default=0)
    locked_until = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "staff_user"
        constraints = (
            CheckConstraint(
                check="role IN ('CLERK', 'STORE_MANAGER', 'CHAIN_ADMIN')", name="staff_user_role_known"
            ),
            CheckConstraint(
                check="role = 'CHAIN_ADMIN' OR store_id IS NOT NULL", name="staff_user_store_bound"
            ),
        )


class ApiKey(models.Model):
    """An API key of a device or partner. Only its SHA-256 is stored, the secret is shown once."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharField(max_length=10)  # DEVICE | PARTNER
    device_type = fields.CharField(max_length=10, null=True)  # KIOSK | POS
    name = fields.CharField(max_length=120)
    display_prefix = fields.CharField(max_length=40)
    key_hash = fields.CharField(max_length=64, unique=True)
    scopes = fields.JSONField(default=list)
    store = fields.ForeignKeyField("orchard.Store", related_name="api_keys", null=True, on_delete=fields.RESTRICT)
    partner = fields.ForeignKeyField(
        "orchard.Partner", related_name="api_keys", null=True, on_delete=fields.RESTRICT
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_key"
        constraints = (
            CheckConstraint(
                check="(kind = 'DEVICE' AND store_id IS NOT NULL AND device_type IS NOT NULL)"
                " OR (kind = 'PARTNER' AND partner_id IS NOT NULL)",
                name="api_key_bound",
            ),
        )


class RefreshToken(models.Model):
    """A long-lived, single-use token that buys a new access token, rotated on every use.

    Every token rotated from one sign-in shares its `family`; reusing a used token revokes the
    whole family (and the access tokens issued with it).
    """

    id = fields.IntField(primary_key=True)
    subject_kind = fields.CharField(max_length=10)  # STAFF | MEMBER
    subject_id = fields.IntField()
    token_hash = fields.CharField(max_length=64, unique=True)
    family = fields.CharField(max_length=32, null=True, db_index=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "refresh_token"


class StaffLoginAttempt(models.Model):
    """One staff sign-in attempt from a client address: the per-address limit counts these."""

    id = fields.BigIntField(primary_key=True)
    client_address = fields.CharField(max_length=64, null=True)
    succeeded = fields.BooleanField(default=False)
    created_at = fields.DatetimeField()

    class Meta:
        table = "staff_login_attempt"
        indexes = (("client_address", "created_at"),)
