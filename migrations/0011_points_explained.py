from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('orchard', '0010_job_schedule')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Purchase',
            name='tier_multiplier',
            field=fields.DecimalField(null=True, max_digits=6, decimal_places=2),
        ),
        ops.AddField(
            model_name='PurchaseLine',
            name='base_points',
            field=fields.BigIntField(null=True),
        ),
        ops.AddField(
            model_name='PurchaseLine',
            name='points_per_yuan',
            field=fields.DecimalField(null=True, max_digits=8, decimal_places=2),
        ),
    ]
