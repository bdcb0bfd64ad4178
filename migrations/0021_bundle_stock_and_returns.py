from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('orchard', '0020_partners')]

    initial = False

    operations = [
        ops.CreateModel(
            name='BundleSaleReturn',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('sale', fields.ForeignKeyField('orchard.BundleSale', source_field='sale_id', db_constraint=True, to_field='id', related_name='returns', on_delete=OnDelete.RESTRICT)),
                ('item', fields.ForeignKeyField('orchard.MallItem', source_field='item_id', db_constraint=True, to_field='id', related_name='bundle_sale_returns', on_delete=OnDelete.RESTRICT)),
                ('partner', fields.ForeignKeyField('orchard.Partner', source_field='partner_id', db_constraint=True, to_field='id', related_name='bundle_sale_returns', on_delete=OnDelete.RESTRICT)),
                ('quantity', fields.IntField()),
                ('cash_fen', fields.BigIntField()),
                ('returned_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'partner_bundle_sale_return', 'app': 'orchard', 'indexes': [Index(fields=['partner_id', 'returned_at']), Index(fields=['item_id'])], 'pk_attr': 'id', 'table_description': 'Units of a till-sold bundle returned with their purchase: back in stock, out of the settlement.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BundleStockAlert',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('item', fields.OneToOneField('orchard.MallItem', source_field='item_id', db_constraint=True, to_field='id', related_name='stock_alert', on_delete=OnDelete.RESTRICT)),
                ('stock_received', fields.BigIntField()),
                ('sent_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'partner_bundle_stock_alert', 'app': 'orchard', 'pk_attr': 'id', 'table_description': 'The bundle.stock_low event sent for an item, once per stock level: a restock raises'},
            bases=['Model'],
        ),
    ]
