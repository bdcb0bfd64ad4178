from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index
from tortoise.migrations.constraints import CheckConstraint

class Migration(migrations.Migration):
    dependencies = [('orchard', '0013_lotteries')]

    initial = False

    operations = [
        ops.CreateModel(
            name='WebhookEndpoint',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('partner', fields.ForeignKeyField('orchard.Partner', source_field='partner_id', null=True, db_constraint=True, to_field='id', related_name='webhook_endpoints', on_delete=OnDelete.CASCADE)),
                ('url', fields.CharField(max_length=2048)),
                ('events', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('description', fields.CharField(default='', max_length=255)),
                ('secret_encrypted', fields.CharField(max_length=255)),
                ('secret_hint', fields.CharField(max_length=16)),
                ('enabled', fields.BooleanField(default=True)),
                ('disabled_reason', fields.CharField(null=True, max_length=10)),
                ('disabled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('consecutive_failures', fields.IntField(default=0)),
                ('failing_since', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_by', fields.CharField(max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'webhook_endpoint', 'app': 'orchard', 'constraints': [], 'indexes': [Index(fields=['partner_id', 'id'])], 'pk_attr': 'id', 'table_description': "Where events are pushed: the chain's (partner null) or a partner's own endpoint."},
            bases=['Model'],
        ),
        ops.AddConstraint(model_name='WebhookEndpoint', constraint=CheckConstraint(check="(enabled AND disabled_reason IS NULL) OR (NOT enabled AND disabled_reason IN ('MANUAL', 'FAILING'))", name='webhook_endpoint_disabled_reason')),
        ops.CreateModel(
            name='WebhookEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('event_id', fields.CharField(unique=True, max_length=40)),
                ('event_type', fields.CharField(max_length=64)),
                ('partner', fields.ForeignKeyField('orchard.Partner', source_field='partner_id', null=True, db_constraint=True, to_field='id', related_name='webhook_events', on_delete=OnDelete.CASCADE)),
                ('body', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('fanned_out_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'webhook_event', 'app': 'orchard', 'indexes': [Index(fields=['fanned_out_at', 'id'])], 'pk_attr': 'id', 'table_description': 'The transactional outbox: one row per event, written in the transaction of the change it'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WebhookDispatch',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('event', fields.ForeignKeyField('orchard.WebhookEvent', source_field='event_id', db_constraint=True, to_field='id', related_name='dispatches', on_delete=OnDelete.CASCADE)),
                ('endpoint', fields.ForeignKeyField('orchard.WebhookEndpoint', source_field='endpoint_id', db_constraint=True, to_field='id', related_name='dispatches', on_delete=OnDelete.CASCADE)),
                ('status', fields.CharField(default='PENDING', max_length=10)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('locked_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('give_up_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('replay', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'webhook_dispatch', 'app': 'orchard', 'constraints': [], 'indexes': [Index(fields=['status', 'next_attempt_at']), Index(fields=['endpoint_id', 'status'])], 'pk_attr': 'id', 'table_description': 'One event to send to one endpoint, until it succeeds or gives up (three days).'},
            bases=['Model'],
        ),
        ops.AddConstraint(model_name='WebhookDispatch', constraint=CheckConstraint(check="status IN ('PENDING', 'SUCCEEDED', 'FAILED')", name='webhook_dispatch_status_known')),
        ops.CreateModel(
            name='WebhookDelivery',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('dispatch', fields.ForeignKeyField('orchard.WebhookDispatch', source_field='dispatch_id', db_constraint=True, to_field='id', related_name='deliveries', on_delete=OnDelete.CASCADE)),
                ('endpoint', fields.ForeignKeyField('orchard.WebhookEndpoint', source_field='endpoint_id', db_constraint=True, to_field='id', related_name='deliveries', on_delete=OnDelete.CASCADE)),
                ('event', fields.ForeignKeyField('orchard.WebhookEvent', source_field='event_id', db_constraint=True, to_field='id', related_name='deliveries', on_delete=OnDelete.CASCADE)),
                ('event_key', fields.CharField(max_length=40)),
                ('event_type', fields.CharField(max_length=64)),
                ('attempt', fields.IntField()),
                ('status_code', fields.IntField(null=True)),
                ('succeeded', fields.BooleanField()),
                ('latency_ms', fields.IntField()),
                ('error', fields.CharField(null=True, max_length=500)),
                ('replay', fields.BooleanField(default=False)),
                ('attempted_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('next_attempt_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'webhook_delivery', 'app': 'orchard', 'unique_together': (('dispatch_id', 'attempt'),), 'indexes': [Index(fields=['endpoint_id', 'id'])], 'pk_attr': 'id', 'table_description': 'One attempt to deliver an event to an endpoint: what the endpoint answered, how fast.'},
            bases=['Model'],
        ),
    ]
