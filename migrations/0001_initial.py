from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.migrations.constraints import CheckConstraint

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Chain',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=120)),
                ('currency', fields.CharField(default='CNY', max_length=3)),
                ('time_zone', fields.CharField(default='Asia/Shanghai', max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'chain', 'app': 'orchard', 'pk_attr': 'id', 'table_description': 'The retailer running the programme (a single row).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='IdempotencyRecord',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('scope', fields.CharField(max_length=64)),
                ('key', fields.CharField(max_length=255)),
                ('operation', fields.CharField(max_length=64)),
                ('fingerprint', fields.CharField(max_length=64)),
                ('result', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'idempotency_record', 'app': 'orchard', 'unique_together': (('scope', 'key'),), 'pk_attr': 'id', 'table_description': 'The first result of a mutation under (caller scope, client key), replayed on retry.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Partner',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=32)),
                ('name', fields.CharField(max_length=120)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'partner', 'app': 'orchard', 'pk_attr': 'id', 'table_description': 'A bakery or florist selling co-branded bundles with the chain.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RefreshToken',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('subject_kind', fields.CharField(max_length=10)),
                ('subject_id', fields.IntField()),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'refresh_token', 'app': 'orchard', 'pk_attr': 'id', 'table_description': 'A long-lived, single-use token that buys a new access token, rotated on every use.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Store',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=32)),
                ('name', fields.CharField(max_length=120)),
                ('time_zone', fields.CharField(default='Asia/Shanghai', max_length=64)),
                ('is_active', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'store', 'app': 'orchard', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ApiKey',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=10)),
                ('device_type', fields.CharField(null=True, max_length=10)),
                ('name', fields.CharField(max_length=120)),
                ('display_prefix', fields.CharField(max_length=40)),
                ('key_hash', fields.CharField(unique=True, max_length=64)),
                ('scopes', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('store', fields.ForeignKeyField('orchard.Store', source_field='store_id', null=True, db_constraint=True, to_field='id', related_name='api_keys', on_delete=OnDelete.RESTRICT)),
                ('partner', fields.ForeignKeyField('orchard.Partner', source_field='partner_id', null=True, db_constraint=True, to_field='id', related_name='api_keys', on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'api_key', 'app': 'orchard', 'constraints': [], 'pk_attr': 'id', 'table_description': 'An API key of a device or partner. Only its SHA-256 is stored, the secret is shown once.'},
            bases=['Model'],
        ),
        ops.AddConstraint(model_name='ApiKey', constraint=CheckConstraint(check="(kind = 'DEVICE' AND store_id IS NOT NULL AND device_type IS NOT NULL) OR (kind = 'PARTNER' AND partner_id IS NOT NULL)", name='api_key_bound')),
        ops.CreateModel(
            name='StaffUser',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('email', fields.CharField(unique=True, max_length=254)),
                ('name', fields.CharField(max_length=120)),
                ('password_hash', fields.CharField(max_length=255)),
                ('role', fields.CharField(max_length=20)),
                ('store', fields.ForeignKeyField('orchard.Store', source_field='store_id', null=True, db_constraint=True, to_field='id', related_name='staff', on_delete=OnDelete.RESTRICT)),
                ('is_active', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'staff_user', 'app': 'orchard', 'constraints': [], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AddConstraint(model_name='StaffUser', constraint=CheckConstraint(check="role IN ('CLERK', 'STORE_MANAGER', 'CHAIN_ADMIN')", name='staff_user_role_known')),
        ops.AddConstraint(model_name='StaffUser', constraint=CheckConstraint(check="role = 'CHAIN_ADMIN' OR store_id IS NOT NULL", name='staff_user_store_bound')),
    ]
