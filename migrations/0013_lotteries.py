from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index
from tortoise.migrations.constraints import CheckConstraint, UniqueConstraint

class Migration(migrations.Migration):
    dependencies = [('orchard', '0012_coupons')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Lottery',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=120)),
                ('description', fields.TextField(default='', unique=False)),
                ('image_url', fields.CharField(null=True, max_length=500)),
                ('points_per_draw', fields.IntField()),
                ('status', fields.CharField(default='DRAFT', max_length=8)),
                ('opens_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('closes_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('eligible_tiers', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('per_member_limit', fields.IntField(null=True)),
                ('per_day_limit', fields.IntField(null=True)),
                ('stock_buckets', fields.IntField(default=4)),
                ('seed_encrypted', fields.TextField(null=True, unique=False)),
                ('seed_commitment', fields.CharField(null=True, max_length=64)),
                ('revealed_seed', fields.CharField(null=True, max_length=64)),
                ('opened_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'lottery', 'app': 'orchard', 'constraints': [], 'indexes': [Index(fields=['status', 'id'])], 'pk_attr': 'id', 'table_description': 'A lottery: its terms, and the seed scheme (docs/lotteries.md).'},
            bases=['Model'],
        ),
        ops.AddConstraint(model_name='Lottery', constraint=CheckConstraint(check="status IN ('DRAFT', 'OPEN', 'CLOSED')", name='lottery_status_known')),
        ops.AddConstraint(model_name='Lottery', constraint=CheckConstraint(check='points_per_draw >= 0', name='lottery_points_nonneg')),
        ops.AddConstraint(model_name='Lottery', constraint=CheckConstraint(check='closes_at > opens_at', name='lottery_window_ordered')),
        ops.AddConstraint(model_name='Lottery', constraint=CheckConstraint(check='(per_member_limit IS NULL OR per_member_limit > 0) AND (per_day_limit IS NULL OR per_day_limit > 0)', name='lottery_limits_positive')),
        ops.AddConstraint(model_name='Lottery', constraint=CheckConstraint(check='stock_buckets BETWEEN 1 AND 64', name='lottery_buckets_range')),
        ops.AddConstraint(model_name='Lottery', constraint=CheckConstraint(check="status = 'DRAFT' OR (seed_encrypted IS NOT NULL AND seed_commitment IS NOT NULL)", name='lottery_seed_committed')),
        ops.AddConstraint(model_name='Lottery', constraint=CheckConstraint(check="status <> 'CLOSED' OR revealed_seed IS NOT NULL", name='lottery_seed_revealed')),
        ops.CreateModel(
            name='LotteryMemberCount',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('lottery', fields.ForeignKeyField('orchard.Lottery', source_field='lottery_id', db_constraint=True, to_field='id', related_name='member_counts', on_delete=OnDelete.RESTRICT)),
                ('member', fields.ForeignKeyField('orchard.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='lottery_counts', on_delete=OnDelete.RESTRICT)),
                ('period_key', fields.CharField(max_length=16)),
                ('used', fields.IntField(default=0)),
            ],
            options={'table': 'lottery_member_count', 'app': 'orchard', 'constraints': [], 'pk_attr': 'id', 'table_description': 'Draws one member made in a lottery: period_key LIFETIME (which also numbers the draws: the'},
            bases=['Model'],
        ),
        ops.AddConstraint(model_name='LotteryMemberCount', constraint=CheckConstraint(check='used >= 0', name='lottery_member_count_nonneg')),
        ops.AddConstraint(model_name='LotteryMemberCount', constraint=UniqueConstraint(fields=('lottery', 'member', 'period_key'))),
        ops.CreateModel(
            name='LotteryPrize',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('lottery', fields.ForeignKeyField('orchard.Lottery', source_field='lottery_id', db_constraint=True, to_field='id', related_name='prizes', on_delete=OnDelete.RESTRICT)),
                ('name', fields.CharField(max_length=120)),
                ('kind', fields.CharField(max_length=10)),
                ('weight', fields.IntField()),
                ('stock', fields.IntField(null=True)),
                ('points', fields.IntField(null=True)),
                ('coupon_template', fields.ForeignKeyField('orchard.CouponTemplate', source_field='coupon_template_id', null=True, db_constraint=True, to_field='id', related_name='lottery_prizes', on_delete=OnDelete.RESTRICT)),
                ('mall_item', fields.ForeignKeyField('orchard.MallItem', source_field='mall_item_id', null=True, db_constraint=True, to_field='id', related_name='lottery_prizes', on_delete=OnDelete.RESTRICT)),
            ],
            options={'table': 'lottery_prize', 'app': 'orchard', 'constraints': [], 'indexes': [Index(fields=['lottery_id', 'id'])], 'pk_attr': 'id', 'table_description': 'One line of the prize table, in id order (the order the cumulative weights run in).'},
            bases=['Model'],
        ),
        ops.AddConstraint(model_name='LotteryPrize', constraint=CheckConstraint(check="kind IN ('COUPON', 'MALL_ITEM', 'POINTS', 'TASTING', 'NO_PRIZE')", name='lottery_prize_kind_known')),
        ops.AddConstraint(model_name='LotteryPrize', constraint=CheckConstraint(check='weight >= 0 AND (stock IS NULL OR stock >= 0)', name='lottery_prize_amounts_valid')),
        ops.AddConstraint(model_name='LotteryPrize', constraint=CheckConstraint(check="(kind = 'POINTS' AND points > 0) OR (kind <> 'POINTS' AND points IS NULL)", name='lottery_prize_points')),
        ops.AddConstraint(model_name='LotteryPrize', constraint=CheckConstraint(check="(kind IN ('COUPON', 'TASTING')) = (coupon_template_id IS NOT NULL)", name='lottery_prize_coupon')),
        ops.AddConstraint(model_name='LotteryPrize', constraint=CheckConstraint(check="(kind = 'MALL_ITEM') = (mall_item_id IS NOT NULL)", name='lottery_prize_mall_item')),
        ops.AddConstraint(model_name='LotteryPrize', constraint=CheckConstraint(check="(kind IN ('NO_PRIZE', 'POINTS')) OR stock IS NOT NULL", name='lottery_prize_stock_limited')),
        ops.CreateModel(
            name='LotteryDraw',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('lottery', fields.ForeignKeyField('orchard.Lottery', source_field='lottery_id', db_constraint=True, to_field='id', related_name='draws', on_delete=OnDelete.RESTRICT)),
                ('member', fields.ForeignKeyField('orchard.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='lottery_draws', on_delete=OnDelete.RESTRICT)),
                ('store', fields.ForeignKeyField('orchard.Store', source_field='store_id', null=True, db_constraint=True, to_field='id', related_name='lottery_draws', on_delete=OnDelete.RESTRICT)),
                ('nonce', fields.IntField()),
                ('client_seed', fields.CharField(max_length=64)),
                ('number', fields.CharField(max_length=64)),
                ('sold_out', fields.CharField(default='', max_length=255)),
                ('drawn_prize', fields.ForeignKeyField('orchard.LotteryPrize', source_field='drawn_prize_id', db_constraint=True, to_field='id', related_name='drawn', on_delete=OnDelete.RESTRICT)),
                ('prize', fields.ForeignKeyField('orchard.LotteryPrize', source_field='prize_id', db_constraint=True, to_field='id', related_name='won', on_delete=OnDelete.RESTRICT)),
                ('points_spent', fields.IntField()),
                ('points_won', fields.IntField(default=0)),
                ('caller_scope', fields.CharField(max_length=64)),
                ('idempotency_key', fields.CharField(max_length=255)),
                ('fingerprint', fields.CharField(max_length=64)),
                ('actor', fields.CharField(max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'lottery_draw', 'app': 'orchard', 'constraints': [], 'indexes': [Index(fields=['lottery_id', 'id']), Index(fields=['member_id', 'id'])], 'pk_attr': 'id', 'table_description': 'One draw: its public inputs (nonce, client seed), its number, the table state it used and the'},
            bases=['Model'],
        ),
        ops.AddConstraint(model_name='LotteryDraw', constraint=CheckConstraint(check='nonce >= 0 AND points_spent >= 0 AND points_won >= 0', name='lottery_draw_amounts_valid')),
        ops.AddConstraint(model_name='LotteryDraw', constraint=UniqueConstraint(fields=('caller_scope', 'idempotency_key'))),
        ops.AddConstraint(model_name='LotteryDraw', constraint=UniqueConstraint(fields=('lottery', 'member', 'nonce'))),
        ops.CreateModel(
            name='LotteryPrizeBucket',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('prize', fields.ForeignKeyField('orchard.LotteryPrize', source_field='prize_id', db_constraint=True, to_field='id', related_name='buckets', on_delete=OnDelete.RESTRICT)),
                ('bucket_no', fields.IntField()),
                ('remaining', fields.IntField(default=0)),
            ],
            options={'table': 'lottery_prize_bucket', 'app': 'orchard', 'constraints': [], 'pk_attr': 'id', 'table_description': "One share of a limited prize's stock: draws spread over the buckets (as mall stock does)."},
            bases=['Model'],
        ),
        ops.AddConstraint(model_name='LotteryPrizeBucket', constraint=CheckConstraint(check='remaining >= 0', name='lottery_prize_bucket_nonneg')),
        ops.AddConstraint(model_name='LotteryPrizeBucket', constraint=UniqueConstraint(fields=('prize', 'bucket_no'))),
    ]
