from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('orchard', '0017_metrics')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AuditRecord',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('actor_kind', fields.CharField(max_length=16)),
                ('actor_id', fields.BigIntField(null=True)),
                ('actor_role', fields.CharField(null=True, max_length=16)),
                ('store_id', fields.IntField(null=True)),
                ('operation', fields.CharField(max_length=64)),
                ('targets', fields.TextField(unique=False)),
                ('input_digest', fields.CharField(max_length=64)),
                ('result', fields.CharField(max_length=64)),
                ('reason', fields.TextField(null=True, unique=False)),
                ('points', fields.BigIntField(null=True)),
                ('request_id', fields.CharField(null=True, max_length=128)),
                ('client_address', fields.CharField(null=True, max_length=64)),
                ('prev_hash', fields.CharField(max_length=64)),
                ('hash', fields.CharField(unique=True, max_length=64)),
            ],
            options={'table': 'audit_record', 'app': 'orchard', 'indexes': [Index(fields=['operation', 'id']), Index(fields=['actor_id', 'id']), Index(fields=['store_id', 'id'])], 'pk_attr': 'id', 'table_description': 'One audited operation. Append-only: each row carries the SHA-256 of the one before it'},
            bases=['Model'],
        ),
    ]
