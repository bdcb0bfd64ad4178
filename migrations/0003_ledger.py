"""The points ledger tables.

Edited after `orchard makemigrations`: on SQLite each AddConstraint(CHECK) rebuilds the table,
and the rebuild drops the table's indexes and the unique index of a one-to-one column. So the
indexes are added after the CHECK constraints, and the one-account-per-member unique index is
created again (on PostgreSQL it already exists under that name, and IF NOT EXISTS skips it).
"""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index
from tortoise.migrations.constraints import CheckConstraint

class Migration(migrations.Migration):
    dependencies = [('orchard', '0002_members_tiers')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PointsAccount',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=8)),
                ('code', fields.CharField(null=True, unique=True, max_length=32)),
                ('member', fields.OneToOneField('orchard.Member', source_field='member_id', null=True, db_constraint=True, to_field='id', related_name='points_account', on_delete=OnDelete.RESTRICT)),
                ('balance', fields.BigIntField(default=0)),
                ('pending_balance', fields.BigIntField(default=0)),
                ('debt', fields.BigIntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'points_account', 'app': 'orchard', 'constraints': [], 'pk_attr': 'id', 'table_description': 'A member account (one per member) or a system account (one per code).'},
            bases=['Model'],
        ),
        ops.AddConstraint(model_name='PointsAccount', constraint=CheckConstraint(check="kind IN ('MEMBER', 'SYSTEM')", name='points_account_kind_known')),
        ops.AddConstraint(model_name='PointsAccount', constraint=CheckConstraint(check="(kind = 'MEMBER' AND member_id IS NOT NULL AND code IS NULL) OR (kind = 'SYSTEM' AND member_id IS NULL AND code IS NOT NULL)", name='points_account_owner')),
        ops.AddConstraint(model_name='PointsAccount', constraint=CheckConstraint(check="kind <> 'MEMBER' OR balance >= 0", name='points_account_member_balance_nonneg')),
        ops.AddConstraint(model_name='PointsAccount', constraint=CheckConstraint(check='pending_balance >= 0', name='points_account_pending_nonneg')),
        ops.AddConstraint(model_name='PointsAccount', constraint=CheckConstraint(check='debt >= 0', name='points_account_debt_nonneg')),
        ops.RunSQL(
            'CREATE UNIQUE INDEX IF NOT EXISTS "points_account_member_id_key" ON "points_account" ("member_id")',
            reverse_sql=ops.RunSQL.noop,
        ),
        ops.CreateModel(
            name='PointsJournal',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=20)),
                ('reason', fields.CharField(max_length=255)),
                ('actor', fields.CharField(max_length=64)),
                ('store', fields.ForeignKeyField('orchard.Store', source_field='store_id', null=True, db_constraint=True, to_field='id', related_name='points_journals', on_delete=OnDelete.RESTRICT)),
                ('reference', fields.CharField(null=True, db_index=True, max_length=64)),
                ('reverses', fields.ForeignKeyField('orchard.PointsJournal', source_field='reverses_id', null=True, db_constraint=True, to_field='id', related_name='reversals', on_delete=OnDelete.RESTRICT)),
                ('debt_change', fields.BigIntField(default=0)),
                ('occurred_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'points_journal', 'app': 'orchard', 'pk_attr': 'id', 'table_description': 'One business event. Its entries sum to zero. Never updated or deleted.'},
            bases=['Model'],
        ),
        ops.AddIndex(model_name='PointsJournal', index=Index(fields=['reverses_id'])),
        ops.CreateModel(
            name='PointsEntry',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('journal', fields.ForeignKeyField('orchard.PointsJournal', source_field='journal_id', db_constraint=True, to_field='id', related_name='entries', on_delete=OnDelete.RESTRICT)),
                ('account', fields.ForeignKeyField('orchard.PointsAccount', source_field='account_id', db_constraint=True, to_field='id', related_name='entries', on_delete=OnDelete.RESTRICT)),
                ('amount', fields.BigIntField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'points_entry', 'app': 'orchard', 'constraints': [], 'pk_attr': 'id', 'table_description': 'One signed line of a journal on one account. Never updated or deleted.'},
            bases=['Model'],
        ),
        ops.AddConstraint(model_name='PointsEntry', constraint=CheckConstraint(check='amount <> 0', name='points_entry_amount_nonzero')),
        ops.AddIndex(model_name='PointsEntry', index=Index(fields=['account_id', 'id'])),
        ops.AddIndex(model_name='PointsEntry', index=Index(fields=['journal_id'])),
        ops.CreateModel(
            name='PointsLot',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('orchard.PointsAccount', source_field='account_id', db_constraint=True, to_field='id', related_name='lots', on_delete=OnDelete.RESTRICT)),
                ('journal', fields.ForeignKeyField('orchard.PointsJournal', source_field='journal_id', db_constraint=True, to_field='id', related_name='lots', on_delete=OnDelete.RESTRICT)),
                ('source_lot', fields.ForeignKeyField('orchard.PointsLot', source_field='source_lot_id', null=True, db_constraint=True, to_field='id', related_name='restorations', on_delete=OnDelete.RESTRICT)),
                ('original', fields.BigIntField()),
                ('remaining', fields.BigIntField()),
                ('status', fields.CharField(max_length=10)),
                ('earned_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('available_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'points_lot', 'app': 'orchard', 'constraints': [], 'pk_attr': 'id', 'table_description': 'Points credited to a member together, spent oldest expiry first.'},
            bases=['Model'],
        ),
        ops.AddConstraint(model_name='PointsLot', constraint=CheckConstraint(check='original > 0', name='points_lot_original_positive')),
        ops.AddConstraint(model_name='PointsLot', constraint=CheckConstraint(check='remaining >= 0 AND remaining <= original', name='points_lot_remaining_range')),
        ops.AddConstraint(model_name='PointsLot', constraint=CheckConstraint(check="status IN ('PENDING', 'AVAILABLE', 'EXPIRED')", name='points_lot_status_known')),
        ops.AddConstraint(model_name='PointsLot', constraint=CheckConstraint(check="status <> 'EXPIRED' OR remaining = 0", name='points_lot_expired_empty')),
        ops.AddIndex(model_name='PointsLot', index=Index(fields=['account_id', 'status', 'expires_at'])),
        ops.AddIndex(model_name='PointsLot', index=Index(fields=['journal_id'])),
        ops.AddIndex(model_name='PointsLot', index=Index(fields=['source_lot_id'])),
        ops.AddIndex(model_name='PointsLot', index=Index(fields=['status', 'expires_at'])),
        ops.AddIndex(model_name='PointsLot', index=Index(fields=['status', 'available_at'])),
        ops.CreateModel(
            name='LotConsumption',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('journal', fields.ForeignKeyField('orchard.PointsJournal', source_field='journal_id', db_constraint=True, to_field='id', related_name='consumptions', on_delete=OnDelete.RESTRICT)),
                ('lot', fields.ForeignKeyField('orchard.PointsLot', source_field='lot_id', db_constraint=True, to_field='id', related_name='consumptions', on_delete=OnDelete.RESTRICT)),
                ('amount', fields.BigIntField()),
            ],
            options={'table': 'lot_consumption', 'app': 'orchard', 'constraints': [], 'pk_attr': 'id', 'table_description': 'How many points of one lot a journal took (a debit, an expiry, a clawback, a debt settlement).'},
            bases=['Model'],
        ),
        ops.AddConstraint(model_name='LotConsumption', constraint=CheckConstraint(check='amount > 0', name='lot_consumption_amount_positive')),
        ops.AddIndex(model_name='LotConsumption', index=Index(fields=['journal_id'])),
        ops.AddIndex(model_name='LotConsumption', index=Index(fields=['lot_id'])),
    ]
