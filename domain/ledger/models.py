from enum import StrEnum

from tortoise import fields, models
from tortoise.migrations.constraints import CheckConstraint


class AccountKind(StrEnum):
    MEMBER = "MEMBER"
    SYSTEM = "SYSTEM"


class SystemAccount(StrEnum):
    """The other side of every member entry. System balances may go negative.

    Each is stored as `accounts.SYSTEM_SHARDS` SYSTEM rows of points_account: code `ISSUED` for
    shard 0, `ISSUED#01` ... for the others (see domain/ledger/accounts.py); its balance is
    the sum over them (`service.system_balance`).
    """

    ISSUED = "ISSUED"  # every point ever earned comes from here
    REDEEMED = "REDEEMED"  # mall items, lottery draws
    CASH_OFFSET = "CASH_OFFSET"  # points paying part of an order
    DONATED = "DONATED"
    MATCHING_BUDGET = "MATCHING_BUDGET"  # the chain's matching of donations to charity projects
    EXPIRED = "EXPIRED"
    ADJUSTMENTS = "ADJUSTMENTS"  # manual corrections by staff
    MIGRATION = "MIGRATION"  # opening balances migrated from the legacy system (IMPORT journals)


class JournalKind(StrEnum):
    # earning
    PURCHASE = "PURCHASE"
    CHECK_IN = "CHECK_IN"
    REFERRAL = "REFERRAL"
    REVIEW = "REVIEW"
    SURVEY = "SURVEY"
    CAMPAIGN_BONUS = "CAMPAIGN_BONUS"
    REGISTRATION = "REGISTRATION"
    IMPORT = "IMPORT"  # a balance migrated from the legacy system
    LOTTERY_PRIZE = "LOTTERY_PRIZE"  # points won in a lottery draw
    # spending
    REDEMPTION = "REDEMPTION"
    LOTTERY_DRAW = "LOTTERY_DRAW"
    CASH_OFFSET = "CASH_OFFSET"
    DONATION = "DONATION"
    DONATION_MATCH = "DONATION_MATCH"  # the chain matches a donation: MATCHING_BUDGET to the project, no member line
    # housekeeping
    ADJUSTMENT = "ADJUSTMENT"
    EXPIRY = "EXPIRY"
    REVERSAL = "REVERSAL"
    RETURN = "RETURN"  # a reversal because the purchase was returned


class LotStatus(StrEnum):
    PENDING = "PENDING"  # counted in pending_balance until available_at
    AVAILABLE = "AVAILABLE"  # counted in balance, spendable while unexpired
    EXPIRED = "EXPIRED"  # remaining is 0, the rest went to the EXPIRED account


class PointsAccount(models.Model):
    """A member account (one per member) or a system account (one per code).

    For a member account, balance + pending_balance - debt equals the sum of its entries.
    """

    id = fields.IntField(primary_key=True)
    kind = fields.CharField(max_length=8)
    code = fields.CharField(max_length=32, unique=True, null=True)
    member = fields.OneToOneField(
        "orchard.Member", related_name="points_account", null=True, on_delete=fields.RESTRICT
    )
    balance = fields.BigIntField(default=0)
    pending_balance = fields.BigIntField(default=0)
    debt = fields.BigIntField(default=0)
    created_at = fields.DatetimeField()

    class Meta:
        table = "points_account"
        constraints = (
            CheckConstraint(check="kind IN ('MEMBER', 'SYSTEM')", name="points_account_kind_known"),
            CheckConstraint(
                check="(kind = 'MEMBER' AND member_id IS NOT NULL AND code IS NULL)"
                " OR (kind = 'SYSTEM' AND member_id IS NULL AND code IS NOT NULL)",
                name="points_account_owner",
            ),
            CheckConstraint(check="kind <> 'MEMBER' OR balance >= 0", name="points_account_member_balance_nonneg"),
            CheckConstraint(check="pending_balance >= 0", name="points_account_pending_nonneg"),
            CheckConstraint(check="debt >= 0", name="points_account_debt_nonneg"),
        )


class PointsJournal(models.Model):
    """One business event. Its entries sum to zero. Never updated or deleted.

    debt_change is how much this event added to (or, negative, settled of) the member debt.
    """

    id = fields.BigIntField(primary_key=True)
    kind = fields.CharField(max_length=20)
    reason = fields.CharField(max_length=255)
    actor = fields.CharField(max_length=64)
    store = fields.ForeignKeyField("orchard.Store", related_name="points_journals", null=True, on_delete=fields.RESTRICT)
    reference = fields.CharField(max_length=64, null=True, db_index=True)
    reverses = fields.ForeignKeyField(
        "orchard.PointsJournal", related_name="reversals", null=True, on_delete=fields.RESTRICT
    )
    debt_change = fields.BigIntField(default=0)
    occurred_at = fields.DatetimeField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "points_journal"
        # The metrics rollups read a day's journals (occurred_at) and the newly written ones (created_at).
        indexes = (("reverses_id",), ("occurred_at",), ("created_at",))


class PointsEntry(models.Model):
    """One signed line of a journal on one account. Never updated or deleted."""

    id = fields.BigIntField(primary_key=True)
    journal = fields.ForeignKeyField("orchard.PointsJournal", related_name="entries", on_delete=fields.RESTRICT)
    account = fields.ForeignKeyField("orchard.PointsAccount", related_name="entries", on_delete=fields.RESTRICT)
    amount = fields.BigIntField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "points_entry"
        indexes = (("account_id", "id"), ("journal_id",))
        constraints = (CheckConstraint(check="amount <> 0", name="points_entry_amount_nonzero"),)


class PointsLot(models.Model):
    """Points credited to a member together, spent oldest expiry first.

    A lot restored by a debit reversal names the lot it came from in source_lot and keeps its expiry.
    """

    id = fields.BigIntField(primary_key=True)
    account = fields.ForeignKeyField("orchard.PointsAccount", related_name="lots", on_delete=fields.RESTRICT)
    journal = fields.ForeignKeyField("orchard.PointsJournal", related_name="lots", on_delete=fields.RESTRICT)
    source_lot = fields.ForeignKeyField(
        "orchard.PointsLot", related_name="restorations", null=True, on_delete=fields.RESTRICT
    )
    original = fields.BigIntField()
    remaining = fields.BigIntField()
    status = fields.CharField(max_length=10)
    earned_at = fields.DatetimeField()
    available_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()

    class Meta:
        table = "points_lot"
        indexes = (
            ("account_id", "status", "expires_at"),
            ("journal_id",),
            ("source_lot_id",),
            ("status", "expires_at"),
            ("status", "available_at"),
        )
        constraints = (
            CheckConstraint(check="original > 0", name="points_lot_original_positive"),
            CheckConstraint(check="remaining >= 0 AND remaining <= original", name="points_lot_remaining_range"),
            CheckConstraint(check="status IN ('PENDING', 'AVAILABLE', 'EXPIRED')", name="points_lot_status_known"),
            CheckConstraint(check="status <> 'EXPIRED' OR remaining = 0", name="points_lot_expired_empty"),
        )


class LotConsumption(models.Model):
    """How many points of one lot a journal took (a debit, an expiry, a clawback, a debt settlement)."""

    id = fields.BigIntField(primary_key=True)
    journal = fields.ForeignKeyField("orchard.PointsJournal", related_name="consumptions", on_delete=fields.RESTRICT)
    lot = fields.ForeignKeyField("orchard.PointsLot", related_name="consumptions", on_delete=fields.RESTRICT)
    amount = fields.BigIntField()

    class Meta:
        table = "lot_consumption"
        indexes = (("journal_id",), ("lot_id",))
        constraints = (CheckConstraint(check="amount > 0", name="lot_consumption_amount_positive"),)
