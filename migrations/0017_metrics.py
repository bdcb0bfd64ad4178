from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index
from tortoise.migrations.constraints import CheckConstraint, UniqueConstraint

class Migration(migrations.Migration):
    dependencies = [('orchard', '0016_imports')]

    initial = False

    operations = [
        ops.CreateModel(
            name='MetricsDay',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('day', fields.DateField()),
                ('store_id', fields.IntField()),
                ('tier_code', fields.CharField(default='', max_length=32)),
                ('orders', fields.BigIntField(default=0)),
                ('member_sales_fen', fields.BigIntField(default=0)),
                ('store_total_fen', fields.BigIntField(null=True)),
                ('points_purchase', fields.BigIntField(default=0)),
                ('points_behaviour', fields.BigIntField(default=0)),
                ('points_campaign', fields.BigIntField(default=0)),
                ('points_adjustment', fields.BigIntField(default=0)),
                ('points_lottery', fields.BigIntField(default=0)),
                ('points_migration', fields.BigIntField(default=0)),
                ('spent_mall', fields.BigIntField(default=0)),
                ('spent_lottery', fields.BigIntField(default=0)),
                ('spent_donation', fields.BigIntField(default=0)),
                ('spent_cash_offset', fields.BigIntField(default=0)),
                ('points_expired', fields.BigIntField(default=0)),
                ('member_flow', fields.BigIntField(default=0)),
                ('redemptions', fields.BigIntField(default=0)),
                ('reward_cost_fen', fields.BigIntField(default=0)),
                ('new_members', fields.BigIntField(default=0)),
            ],
            options={'table': 'metrics_day', 'app': 'orchard', 'unique_together': (('day', 'store_id', 'tier_code'),), 'indexes': [Index(fields=['store_id', 'day'])], 'pk_attr': 'id', 'table_description': "One local day of one store (0: no store, e.g. expiry and adjustments) and tier ('' for the"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MetricsItemDay',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('day', fields.DateField()),
                ('store_id', fields.IntField()),
                ('item_id', fields.IntField()),
                ('band', fields.CharField(default='', max_length=8)),
                ('quantity', fields.BigIntField(default=0)),
                ('points', fields.BigIntField(default=0)),
                ('cost_fen', fields.BigIntField(default=0)),
            ],
            options={'table': 'metrics_item_day', 'app': 'orchard', 'unique_together': (('day', 'store_id', 'item_id'),), 'indexes': [Index(fields=['store_id', 'day'])], 'pk_attr': 'id', 'table_description': 'Redemptions of one mall item at one store on one local day (cancelled ones excluded).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MetricsMemberDay',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('day', fields.DateField()),
                ('store_id', fields.IntField()),
                ('member_id', fields.IntField()),
                ('orders', fields.IntField(default=0)),
                ('points_spent', fields.BigIntField(default=0)),
            ],
            options={'table': 'metrics_member_day', 'app': 'orchard', 'unique_together': (('day', 'store_id', 'member_id'),), 'indexes': [Index(fields=['member_id', 'day']), Index(fields=['store_id', 'day'])], 'pk_attr': 'id', 'table_description': "A member's activity at one store on one local day: purchases and points spent."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MetricsState',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('watermark', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'metrics_state', 'app': 'orchard', 'pk_attr': 'id', 'table_description': "The rollup job's watermark: facts created before it have been rolled up (one row, id 1)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StoreSalesDay',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('store', fields.ForeignKeyField('orchard.Store', source_field='store_id', db_constraint=True, to_field='id', related_name='sales_days', on_delete=OnDelete.RESTRICT)),
                ('local_date', fields.DateField()),
                ('total_fen', fields.BigIntField()),
                ('orders', fields.IntField(default=0)),
                ('recorded_by', fields.CharField(max_length=64)),
                ('updated_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'store_sales_day', 'app': 'orchard', 'constraints': [], 'pk_attr': 'id', 'table_description': 'All sales of a store on a local day (members and non-members), as the POS reports them.'},
            bases=['Model'],
        ),
        ops.AddConstraint(model_name='StoreSalesDay', constraint=CheckConstraint(check='total_fen >= 0 AND orders >= 0', name='store_sales_day_nonneg')),
        ops.AddConstraint(model_name='StoreSalesDay', constraint=UniqueConstraint(fields=('store', 'local_date'))),
        ops.AddField(
            model_name='MallItem',
            name='cost_fen',
            field=fields.BigIntField(null=True),
        ),
        ops.AddConstraint(
            model_name='MallItem',
            constraint=CheckConstraint(check='cost_fen IS NULL OR cost_fen >= 0', name='mall_item_cost_nonneg'),
        ),
        ops.AlterField(
            model_name='Member',
            name='created_at',
            field=fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddIndex(
            model_name='PointsJournal',
            index=Index(fields=['occurred_at']),
        ),
        ops.AddIndex(
            model_name='PointsJournal',
            index=Index(fields=['created_at']),
        ),
        ops.AddIndex(
            model_name='Purchase',
            index=Index(fields=['recorded_at']),
        ),
        ops.AddIndex(
            model_name='Purchase',
            index=Index(fields=['local_date']),
        ),
        ops.AddIndex(
            model_name='Redemption',
            index=Index(fields=['created_at']),
        ),
        ops.AddIndex(
            model_name='Redemption',
            index=Index(fields=['cancelled_at']),
        ),
    ]
