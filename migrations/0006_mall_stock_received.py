from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('orchard', '0005_mall')]

    initial = False

    operations = [
        ops.AddField(
            model_name='MallItem',
            name='stock_received',
            field=fields.BigIntField(default=0),
        ),
        # Items created before this column: what they hold plus what was redeemed is what they received.
        ops.RunSQL(
            "UPDATE mall_item SET stock_received ="
            " COALESCE((SELECT SUM(b.remaining) FROM mall_stock_bucket b WHERE b.item_id = mall_item.id), 0)"
            " + COALESCE((SELECT SUM(r.quantity) FROM mall_redemption r WHERE r.item_id = mall_item.id"
            " AND r.status IN ('PENDING', 'FULFILLED')), 0)",
            reverse_sql=ops.RunSQL.noop,
        ),
    ]
