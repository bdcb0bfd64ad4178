from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index
from tortoise.migrations.constraints import CheckConstraint, UniqueConstraint

class Migration(migrations.Migration):
    dependencies = [('orchard', '0015_donations')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ImportRun',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=16)),
                ('file_sha256', fields.CharField(max_length=64)),
                ('file_name', fields.CharField(max_length=255)),
                ('options', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('status', fields.CharField(max_length=12)),
                ('started_by', fields.CharField(max_length=128)),
                ('last_run_by', fields.CharField(max_length=128)),
                ('attempts', fields.IntField(default=1)),
                ('rows_read', fields.IntField(default=0)),
                ('batches_total', fields.IntField(default=0)),
                ('report', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'import_run', 'app': 'orchard', 'constraints': [], 'pk_attr': 'id', 'table_description': 'One import of one file, identified by the SHA-256 of its bytes: a second run of the same'},
            bases=['Model'],
        ),
        ops.AddConstraint(model_name='ImportRun', constraint=CheckConstraint(check="status IN ('RUNNING', 'COMPLETED')", name='import_run_status_known')),
        ops.AddConstraint(model_name='ImportRun', constraint=UniqueConstraint(fields=('kind', 'file_sha256'))),
        ops.CreateModel(
            name='ImportBatch',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('run', fields.ForeignKeyField('orchard.ImportRun', source_field='run_id', db_constraint=True, to_field='id', related_name='batches', on_delete=OnDelete.RESTRICT)),
                ('number', fields.IntField()),
                ('counts', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('rejects', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('committed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'import_batch', 'app': 'orchard', 'unique_together': (('run', 'number'),), 'pk_attr': 'id', 'table_description': "A committed batch of a run, written in the batch's own transaction: a resumed run skips it."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MemberLegacyId',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('orchard.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='legacy_ids', on_delete=OnDelete.CASCADE)),
                ('legacy_id', fields.CharField(unique=True, max_length=64)),
                ('import_run_id', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'member_legacy_id', 'app': 'orchard', 'indexes': [Index(fields=['member_id']), Index(fields=['import_run_id'])], 'pk_attr': 'id', 'table_description': 'An old member id from the system the chain used before (legacy import): staff look a'},
            bases=['Model'],
        ),
    ]
