from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('orchard', '0006_mall_stock_received')]

    initial = False

    operations = [
        ops.AddField(
            model_name='CampaignRule',
            name='cap_per_member',
            field=fields.IntField(null=True),
        ),
    ]
