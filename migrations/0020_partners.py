from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index
from tortoise.migrations.constraints import CheckConstraint, UniqueConstraint

class Migration(migrations.Migration):
    dependencies = [('orchard', '0019_consents')]

    initial = False

    operations = [
        ops.CreateModel(
            name='BundleSale',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('item', fields.ForeignKeyField('orchard.MallItem', source_field='item_id', db_constraint=True, to_field='id', related_name='bundle_sales', on_delete=OnDelete.RESTRICT)),
                ('partner', fields.ForeignKeyField('orchard.Partner', source_field='partner_id', db_constraint=True, to_field='id', related_name='bundle_sales', on_delete=OnDelete.RESTRICT)),
                ('purchase', fields.ForeignKeyField('orchard.Purchase', source_field='purchase_id', db_constraint=True, to_field='id', related_name='bundle_sales', on_delete=OnDelete.RESTRICT)),
                ('line_no', fields.IntField()),
                ('store', fields.ForeignKeyField('orchard.Store', source_field='store_id', db_constraint=True, to_field='id', related_name='bundle_sales', on_delete=OnDelete.RESTRICT)),
                ('quantity', fields.IntField()),
                ('cash_fen', fields.BigIntField()),
                ('sold_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'partner_bundle_sale', 'app': 'orchard', 'constraints': [], 'indexes': [Index(fields=['partner_id', 'sold_at'])], 'pk_attr': 'id', 'table_description': "Units of a bundle sold for cash on a till purchase line: the line took them from the bundle's stock."},
            bases=['Model'],
        ),
        ops.AddConstraint(model_name='BundleSale', constraint=CheckConstraint(check='quantity > 0 AND cash_fen >= 0', name='partner_bundle_sale_amounts_valid')),
        ops.AddConstraint(model_name='BundleSale', constraint=UniqueConstraint(fields=('purchase', 'line_no'))),
        ops.CreateModel(
            name='PartnerBundle',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('item', fields.OneToOneField('orchard.MallItem', source_field='item_id', db_constraint=True, to_field='id', related_name='bundle_terms', on_delete=OnDelete.RESTRICT)),
                ('partner', fields.ForeignKeyField('orchard.Partner', source_field='partner_id', db_constraint=True, to_field='id', related_name='bundle_terms', on_delete=OnDelete.RESTRICT)),
                ('share_fen', fields.BigIntField(null=True)),
                ('components', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'partner_bundle', 'app': 'orchard', 'constraints': [], 'pk_attr': 'id', 'table_description': "A partner's terms on a mall item that is one of its bundles."},
            bases=['Model'],
        ),
        ops.AddConstraint(model_name='PartnerBundle', constraint=CheckConstraint(check='share_fen IS NULL OR share_fen >= 0', name='partner_bundle_share_nonneg')),
        # The CHECK rebuilds the table on SQLite, which drops the one-to-one's unique index.
        ops.RunSQL(
            'CREATE UNIQUE INDEX IF NOT EXISTS "partner_bundle_item_id_key" ON "partner_bundle" ("item_id")',
            reverse_sql=ops.RunSQL.noop,
        ),
        ops.CreateModel(
            name='SettlementStatement',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('partner', fields.ForeignKeyField('orchard.Partner', source_field='partner_id', db_constraint=True, to_field='id', related_name='statements', on_delete=OnDelete.RESTRICT)),
                ('period', fields.CharField(max_length=7)),
                ('units_redeemed', fields.IntField()),
                ('units_sold', fields.IntField()),
                ('cash_fen', fields.BigIntField()),
                ('share_fen', fields.BigIntField()),
                ('lines', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('redemption_ids', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('closed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('closed_by', fields.CharField(max_length=64)),
            ],
            options={'table': 'partner_settlement', 'app': 'orchard', 'unique_together': (('partner', 'period'),), 'pk_attr': 'id', 'table_description': "A partner's closed settlement period: its figures and lines, frozen when it was closed."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='MallItem',
            name='partner',
            field=fields.ForeignKeyField('orchard.Partner', source_field='partner_id', null=True, db_constraint=True, to_field='id', related_name='bundles', on_delete=OnDelete.RESTRICT),
        ),
        ops.AddField(
            model_name='MallItem',
            name='points_redeemable',
            field=fields.BooleanField(default=True),
        ),
        ops.AddField(
            model_name='Partner',
            name='contact',
            field=fields.CharField(default='', max_length=200),
        ),
        ops.AddField(
            model_name='Partner',
            name='kind',
            field=fields.CharField(default='OTHER', max_length=10),
        ),
        ops.AddField(
            model_name='Partner',
            name='share_percent',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Partner',
            name='status',
            field=fields.CharField(default='ACTIVE', max_length=10),
        ),
        ops.AddField(
            model_name='Partner',
            name='store_ids',
            field=fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads),
        ),
        ops.AddConstraint(
            model_name='Partner',
            constraint=CheckConstraint(check="kind IN ('BAKERY', 'FLORIST', 'OTHER')", name='partner_kind_known'),
        ),
        ops.AddConstraint(
            model_name='Partner',
            constraint=CheckConstraint(check="status IN ('ACTIVE', 'SUSPENDED')", name='partner_status_known'),
        ),
        ops.AddConstraint(
            model_name='Partner',
            constraint=CheckConstraint(check='share_percent IS NULL OR share_percent BETWEEN 0 AND 100', name='partner_share_range'),
        ),
        ops.RemoveConstraint(
            model_name='Redemption',
            name='mall_redemption_fulfilled_complete',
            fields=None,
        ),
        ops.AddField(
            model_name='Redemption',
            name='fulfilled_partner',
            field=fields.ForeignKeyField('orchard.Partner', source_field='fulfilled_partner_id', null=True, db_constraint=True, to_field='id', related_name='fulfilled_redemptions', on_delete=OnDelete.RESTRICT),
        ),
        ops.AddField(
            model_name='Redemption',
            name='partner',
            field=fields.ForeignKeyField('orchard.Partner', source_field='partner_id', null=True, db_constraint=True, to_field='id', related_name='redemptions', on_delete=OnDelete.RESTRICT),
        ),
        ops.AddIndex(
            model_name='Redemption',
            index=Index(fields=['partner_id', 'created_at']),
        ),
        ops.AddIndex(
            model_name='Redemption',
            index=Index(fields=['partner_id', 'cancelled_at']),
        ),
        ops.AddConstraint(
            model_name='Redemption',
            constraint=CheckConstraint(check="status <> 'FULFILLED' OR (fulfilled_at IS NOT NULL AND (fulfilled_store_id IS NOT NULL OR fulfilled_partner_id IS NOT NULL))", name='mall_redemption_fulfilled_where'),
        ),
        # Changing the CHECK rebuilds mall_redemption on SQLite, which drops its indexes: make them again
        # (on PostgreSQL they exist, so this does nothing).
        ops.RunSQL('CREATE UNIQUE INDEX IF NOT EXISTS "uid_mall_redemp_caller__c77c34" ON "mall_redemption" ("caller_scope", "idempotency_key")', reverse_sql=ops.RunSQL.noop),
        ops.RunSQL('CREATE INDEX IF NOT EXISTS "idx_mall_redemp_member__bcc685" ON "mall_redemption" ("member_id", "id")', reverse_sql=ops.RunSQL.noop),
        ops.RunSQL('CREATE INDEX IF NOT EXISTS "idx_mall_redemp_store_i_770cf4" ON "mall_redemption" ("store_id", "id")', reverse_sql=ops.RunSQL.noop),
        ops.RunSQL('CREATE INDEX IF NOT EXISTS "idx_mall_redemp_fulfill_b08a5f" ON "mall_redemption" ("fulfilled_store_id", "id")', reverse_sql=ops.RunSQL.noop),
        ops.RunSQL('CREATE INDEX IF NOT EXISTS "idx_mall_redemp_status_6aa218" ON "mall_redemption" ("status", "expires_at")', reverse_sql=ops.RunSQL.noop),
        ops.RunSQL('CREATE INDEX IF NOT EXISTS "idx_mall_redemp_item_id_81f8d5" ON "mall_redemption" ("item_id")', reverse_sql=ops.RunSQL.noop),
        ops.RunSQL('CREATE INDEX IF NOT EXISTS "idx_mall_redemp_created_cb4f2d" ON "mall_redemption" ("created_at")', reverse_sql=ops.RunSQL.noop),
        ops.RunSQL('CREATE INDEX IF NOT EXISTS "idx_mall_redemp_cancell_de2766" ON "mall_redemption" ("cancelled_at")', reverse_sql=ops.RunSQL.noop),
        ops.RunSQL('CREATE INDEX IF NOT EXISTS "idx_mall_redemp_partner_30522b" ON "mall_redemption" ("partner_id", "created_at")', reverse_sql=ops.RunSQL.noop),
        ops.RunSQL('CREATE INDEX IF NOT EXISTS "idx_mall_redemp_partner_a14948" ON "mall_redemption" ("partner_id", "cancelled_at")', reverse_sql=ops.RunSQL.noop),
    ]
