from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index
from tortoise.migrations.constraints import CheckConstraint, UniqueConstraint

class Migration(migrations.Migration):
    dependencies = [('orchard', '0011_points_explained')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CouponTemplate',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=120)),
                ('description', fields.TextField(default='', unique=False)),
                ('kind', fields.CharField(max_length=16)),
                ('value_fen', fields.BigIntField(default=0)),
                ('percent', fields.IntField(default=0)),
                ('cap_fen', fields.BigIntField(null=True)),
                ('item_name', fields.CharField(default='', max_length=120)),
                ('minimum_spend_fen', fields.BigIntField(default=0)),
                ('categories', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('store_ids', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('valid_from', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('valid_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('valid_days', fields.IntField(null=True)),
                ('stackable', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('retired_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'coupon_template', 'app': 'orchard', 'constraints': [], 'pk_attr': 'id', 'table_description': 'What a coupon grants. Validity is fixed dates (valid_from..valid_until) or valid_days from issue.'},
            bases=['Model'],
        ),
        ops.AddConstraint(model_name='CouponTemplate', constraint=CheckConstraint(check="kind IN ('AMOUNT_OFF', 'PERCENT_OFF', 'FREE_ITEM', 'FREE_DELIVERY', 'TASTING')", name='coupon_template_kind_known')),
        ops.AddConstraint(model_name='CouponTemplate', constraint=CheckConstraint(check='value_fen >= 0 AND percent >= 0 AND percent <= 100 AND minimum_spend_fen >= 0 AND (cap_fen IS NULL OR cap_fen >= 0)', name='coupon_template_amounts_valid')),
        ops.AddConstraint(model_name='CouponTemplate', constraint=CheckConstraint(check='(valid_days IS NULL) <> (valid_until IS NULL) AND (valid_days IS NULL OR valid_days > 0)', name='coupon_template_validity_one_way')),
        ops.CreateModel(
            name='Coupon',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=16)),
                ('template', fields.ForeignKeyField('orchard.CouponTemplate', source_field='template_id', db_constraint=True, to_field='id', related_name='coupons', on_delete=OnDelete.RESTRICT)),
                ('member', fields.ForeignKeyField('orchard.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='coupons', on_delete=OnDelete.RESTRICT)),
                ('status', fields.CharField(default='AVAILABLE', max_length=10)),
                ('source', fields.CharField(max_length=10)),
                ('source_ref', fields.CharField(max_length=64)),
                ('issued_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('valid_from', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('valid_until', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('used_store', fields.ForeignKeyField('orchard.Store', source_field='used_store_id', null=True, db_constraint=True, to_field='id', related_name='used_coupons', on_delete=OnDelete.RESTRICT)),
                ('used_ref', fields.CharField(null=True, max_length=64)),
                ('discount_fen', fields.BigIntField(null=True)),
            ],
            options={'table': 'coupon', 'app': 'orchard', 'constraints': [], 'indexes': [Index(fields=['member_id', 'id']), Index(fields=['status', 'valid_until'])], 'pk_attr': 'id', 'table_description': "One coupon in a member's wallet. (source, source_ref) is unique, so whatever grants a coupon"},
            bases=['Model'],
        ),
        ops.AddConstraint(model_name='Coupon', constraint=CheckConstraint(check="status IN ('AVAILABLE', 'USED', 'EXPIRED', 'REVOKED')", name='coupon_status_known')),
        ops.AddConstraint(model_name='Coupon', constraint=CheckConstraint(check="status <> 'USED' OR used_at IS NOT NULL", name='coupon_used_complete')),
        ops.AddConstraint(model_name='Coupon', constraint=CheckConstraint(check='valid_until > valid_from', name='coupon_validity_ordered')),
        ops.AddConstraint(model_name='Coupon', constraint=UniqueConstraint(fields=('source', 'source_ref'))),
        ops.CreateModel(
            name='PurchaseCoupon',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('purchase', fields.ForeignKeyField('orchard.Purchase', source_field='purchase_id', db_constraint=True, to_field='id', related_name='coupons_used', on_delete=OnDelete.CASCADE)),
                ('coupon', fields.ForeignKeyField('orchard.Coupon', source_field='coupon_id', db_constraint=True, to_field='id', related_name='purchases', on_delete=OnDelete.RESTRICT)),
                ('position', fields.IntField()),
                ('discount_fen', fields.BigIntField()),
                ('given_back_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'purchase_coupon', 'app': 'orchard', 'constraints': [], 'pk_attr': 'id', 'table_description': 'A coupon used on a purchase and what it took off. Kept when a return gives the coupon back'},
            bases=['Model'],
        ),
        ops.AddConstraint(model_name='PurchaseCoupon', constraint=CheckConstraint(check='discount_fen >= 0', name='purchase_coupon_discount_nonneg')),
        ops.AddConstraint(model_name='PurchaseCoupon', constraint=UniqueConstraint(fields=('purchase', 'coupon'))),
        ops.AddField(
            model_name='Purchase',
            name='delivery_fee_fen',
            field=fields.BigIntField(default=0),
        ),
        ops.AddField(
            model_name='Purchase',
            name='discount_fen',
            field=fields.BigIntField(default=0),
        ),
        ops.AddField(
            model_name='PurchaseLine',
            name='discount_fen',
            field=fields.BigIntField(default=0),
        ),
    ]
