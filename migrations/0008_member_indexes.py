from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('orchard', '0007_campaign_cap_per_member')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='Purchase',
            index=Index(fields=['member_id', 'id']),
        ),
        ops.AddIndex(
            model_name='Purchase',
            index=Index(fields=['member_id', 'occurred_at']),
        ),
        ops.AddIndex(
            model_name='TierChange',
            index=Index(fields=['member_id', 'created_at']),
        ),
    ]
