"""The points mall tables.

Edited after `orchard makemigrations`: on SQLite each AddConstraint(CHECK) rebuilds the table and
the rebuild drops its indexes, so the redemption indexes are added after its constraints.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index
from tortoise.migrations.constraints import CheckConstraint, UniqueConstraint

class Migration(migrations.Migration):
    dependencies = [('orchard', '0004_earning')]

    initial = False

    operations = [
        ops.CreateModel(
            name='MallItem',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=120)),
                ('description', fields.TextField(default='', unique=False)),
                ('image_url', fields.CharField(null=True, max_length=500)),
                ('band', fields.CharField(max_length=8)),
                ('kind', fields.CharField(max_length=20)),
                ('points_price', fields.IntField()),
                ('cash_fen', fields.BigIntField(default=0)),
                ('stock_limited', fields.BooleanField(default=True)),
                ('stock_buckets', fields.IntField(default=1)),
                ('per_member_limit', fields.IntField(null=True)),
                ('limit_period', fields.CharField(default='LIFETIME', max_length=10)),
                ('eligible_tiers', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('store_ids', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('available_from', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('available_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('retired_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'mall_item', 'app': 'orchard', 'constraints': [], 'pk_attr': 'id', 'table_description': 'A reward in the points mall. A limited stock lives in its mall_stock_bucket rows.'},
            bases=['Model'],
        ),
        ops.AddConstraint(model_name='MallItem', constraint=CheckConstraint(check="band IN ('LOW', 'MIDDLE', 'HIGH')", name='mall_item_band_known')),
        ops.AddConstraint(model_name='MallItem', constraint=CheckConstraint(check="kind IN ('PHYSICAL', 'FRESH_CUT', 'SERVICE', 'PRIVILEGE', 'COUPON', 'STORED_VALUE_CARD')", name='mall_item_kind_known')),
        ops.AddConstraint(model_name='MallItem', constraint=CheckConstraint(check='points_price >= 0 AND cash_fen >= 0', name='mall_item_price_nonneg')),
        ops.AddConstraint(model_name='MallItem', constraint=CheckConstraint(check='stock_buckets BETWEEN 1 AND 64', name='mall_item_buckets_range')),
        ops.AddConstraint(model_name='MallItem', constraint=CheckConstraint(check='per_member_limit IS NULL OR per_member_limit > 0', name='mall_item_limit_positive')),
        ops.AddConstraint(model_name='MallItem', constraint=CheckConstraint(check="limit_period IN ('DAY', 'WEEK', 'MONTH', 'LIFETIME')", name='mall_item_limit_period_known')),
        ops.AddConstraint(model_name='MallItem', constraint=CheckConstraint(check='available_until IS NULL OR available_until > available_from', name='mall_item_window_ordered')),
        ops.CreateModel(
            name='MallMemberQuota',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('item', fields.ForeignKeyField('orchard.MallItem', source_field='item_id', db_constraint=True, to_field='id', related_name='quotas', on_delete=OnDelete.RESTRICT)),
                ('member', fields.ForeignKeyField('orchard.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='mall_quotas', on_delete=OnDelete.RESTRICT)),
                ('period_key', fields.CharField(max_length=16)),
                ('used', fields.IntField(default=0)),
            ],
            options={'table': 'mall_member_quota', 'app': 'orchard', 'constraints': [], 'pk_attr': 'id', 'table_description': 'Units of an item one member redeemed in one limit period, held under the limit by a conditional upsert.'},
            bases=['Model'],
        ),
        ops.AddConstraint(model_name='MallMemberQuota', constraint=CheckConstraint(check='used >= 0', name='mall_member_quota_nonneg')),
        ops.AddConstraint(model_name='MallMemberQuota', constraint=UniqueConstraint(fields=('item', 'member', 'period_key'))),
        ops.CreateModel(
            name='MallPriceRule',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=40)),
                ('name', fields.CharField(max_length=120)),
                ('kind', fields.CharField(max_length=12)),
                ('percent', fields.IntField()),
                ('day_of_month', fields.IntField(null=True)),
                ('date_from', fields.DateField(null=True)),
                ('date_to', fields.DateField(null=True)),
                ('bands', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('is_active', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'mall_price_rule', 'app': 'orchard', 'constraints': [], 'pk_attr': 'id', 'table_description': 'A points price adjustment in percent: SEASONAL over a date range, MEMBER_DAY on a day of the month.'},
            bases=['Model'],
        ),
        ops.AddConstraint(model_name='MallPriceRule', constraint=CheckConstraint(check='percent BETWEEN -100 AND 500 AND percent <> 0', name='mall_price_rule_percent_range')),
        ops.AddConstraint(model_name='MallPriceRule', constraint=CheckConstraint(check="(kind = 'MEMBER_DAY' AND day_of_month BETWEEN 1 AND 31 AND date_from IS NULL AND date_to IS NULL) OR (kind = 'SEASONAL' AND day_of_month IS NULL AND date_from IS NOT NULL AND date_to >= date_from)", name='mall_price_rule_shape')),
        ops.CreateModel(
            name='MallStockBucket',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('item', fields.ForeignKeyField('orchard.MallItem', source_field='item_id', db_constraint=True, to_field='id', related_name='stock', on_delete=OnDelete.RESTRICT)),
                ('bucket_no', fields.IntField()),
                ('remaining', fields.IntField(default=0)),
            ],
            options={'table': 'mall_stock_bucket', 'app': 'orchard', 'constraints': [], 'pk_attr': 'id', 'table_description': 'One share of a limited item stock. Redemptions spread over the buckets instead of queueing on one row.'},
            bases=['Model'],
        ),
        ops.AddConstraint(model_name='MallStockBucket', constraint=CheckConstraint(check='remaining >= 0', name='mall_stock_bucket_nonneg')),
        ops.AddConstraint(model_name='MallStockBucket', constraint=CheckConstraint(check='bucket_no >= 0', name='mall_stock_bucket_no_nonneg')),
        ops.AddConstraint(model_name='MallStockBucket', constraint=UniqueConstraint(fields=('item', 'bucket_no'))),
        ops.CreateModel(
            name='Redemption',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=16)),
                ('item', fields.ForeignKeyField('orchard.MallItem', source_field='item_id', db_constraint=True, to_field='id', related_name='redemptions', on_delete=OnDelete.RESTRICT)),
                ('member', fields.ForeignKeyField('orchard.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='redemptions', on_delete=OnDelete.RESTRICT)),
                ('store', fields.ForeignKeyField('orchard.Store', source_field='store_id', null=True, db_constraint=True, to_field='id', related_name='redemptions', on_delete=OnDelete.RESTRICT)),
                ('quantity', fields.IntField()),
                ('unit_points', fields.IntField()),
                ('points_spent', fields.BigIntField()),
                ('cash_fen', fields.BigIntField(default=0)),
                ('status', fields.CharField(default='PENDING', max_length=10)),
                ('period_key', fields.CharField(null=True, max_length=16)),
                ('caller_scope', fields.CharField(max_length=64)),
                ('idempotency_key', fields.CharField(max_length=255)),
                ('fingerprint', fields.CharField(max_length=64)),
                ('actor', fields.CharField(max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('fulfilled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('fulfilled_store', fields.ForeignKeyField('orchard.Store', source_field='fulfilled_store_id', null=True, db_constraint=True, to_field='id', related_name='fulfilled_redemptions', on_delete=OnDelete.RESTRICT)),
                ('fulfilled_by', fields.CharField(null=True, max_length=64)),
                ('cancelled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('cancelled_by', fields.CharField(null=True, max_length=64)),
                ('cancel_reason', fields.CharField(null=True, max_length=255)),
            ],
            options={'table': 'mall_redemption', 'app': 'orchard', 'constraints': [], 'pk_attr': 'id', 'table_description': 'A member redeemed an item: points taken, stock taken, a code to collect it at the counter.'},
            bases=['Model'],
        ),
        ops.AddConstraint(model_name='Redemption', constraint=CheckConstraint(check='quantity > 0 AND unit_points >= 0 AND points_spent >= 0 AND cash_fen >= 0', name='mall_redemption_amounts_valid')),
        ops.AddConstraint(model_name='Redemption', constraint=CheckConstraint(check="status IN ('PENDING', 'FULFILLED', 'CANCELLED', 'EXPIRED')", name='mall_redemption_status_known')),
        ops.AddConstraint(model_name='Redemption', constraint=CheckConstraint(check="status <> 'FULFILLED' OR (fulfilled_at IS NOT NULL AND fulfilled_store_id IS NOT NULL)", name='mall_redemption_fulfilled_complete')),
        ops.AddConstraint(model_name='Redemption', constraint=UniqueConstraint(fields=('caller_scope', 'idempotency_key'))),
        ops.AddIndex(model_name='Redemption', index=Index(fields=['member_id', 'id'])),
        ops.AddIndex(model_name='Redemption', index=Index(fields=['store_id', 'id'])),
        ops.AddIndex(model_name='Redemption', index=Index(fields=['fulfilled_store_id', 'id'])),
        ops.AddIndex(model_name='Redemption', index=Index(fields=['status', 'expires_at'])),
        ops.AddIndex(model_name='Redemption', index=Index(fields=['item_id'])),
    ]
