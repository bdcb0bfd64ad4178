from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('orchard', '0008_member_indexes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='StaffLoginAttempt',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('client_address', fields.CharField(null=True, max_length=64)),
                ('succeeded', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'staff_login_attempt', 'app': 'orchard', 'indexes': [Index(fields=['client_address', 'created_at'])], 'pk_attr': 'id', 'table_description': 'One staff sign-in attempt from a client address: the per-address limit counts these.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='RefreshToken',
            name='family',
            field=fields.CharField(null=True, db_index=True, max_length=32),
        ),
        ops.AddField(
            model_name='RefreshToken',
            name='revoked_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='StaffUser',
            name='failed_logins',
            field=fields.IntField(default=0),
        ),
        ops.AddField(
            model_name='StaffUser',
            name='locked_until',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
