from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('orchard', '0009_staff_sign_in_security')]

    initial = False

    operations = [
        ops.CreateModel(
            name='JobSchedule',
            fields=[
                ('kind', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('due_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_started_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_seconds', fields.FloatField(null=True)),
                ('last_outcome', fields.TextField(null=True, unique=False)),
            ],
            options={'table': 'job_schedule', 'app': 'orchard', 'pk_attr': 'kind', 'table_description': 'When a periodic job of the worker is due next, and how its last run went.'},
            bases=['Model'],
        ),
    ]
