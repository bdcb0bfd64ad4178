from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index
from tortoise.migrations.constraints import CheckConstraint, UniqueConstraint

class Migration(migrations.Migration):
    dependencies = [('orchard', '0014_webhooks')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CharityProject',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=120)),
                ('description', fields.TextField(default='', unique=False)),
                ('image_url', fields.CharField(null=True, max_length=500)),
                ('beneficiary', fields.CharField(default='', max_length=200)),
                ('goal_points', fields.BigIntField()),
                ('opens_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('closes_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('minimum_points', fields.IntField(default=1)),
                ('points_per_yuan', fields.IntField(default=100)),
                ('stop_at_goal', fields.BooleanField(default=False)),
                ('match_ratio', fields.DecimalField(null=True, max_digits=6, decimal_places=2)),
                ('match_cap_points', fields.BigIntField(null=True)),
                ('status', fields.CharField(default='DRAFT', max_length=10)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('opened_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('cancelled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('settled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('settled_on', fields.DateField(null=True)),
                ('settlement_fen', fields.BigIntField(null=True)),
                ('settlement_reference', fields.CharField(null=True, max_length=100)),
                ('settled_by', fields.CharField(null=True, max_length=64)),
            ],
            options={'table': 'charity_project', 'app': 'orchard', 'constraints': [], 'indexes': [Index(fields=['status', 'id'])], 'pk_attr': 'id', 'table_description': 'A charity project members donate points to. Its totals live in its charity_project_shard rows.'},
            bases=['Model'],
        ),
        ops.AddConstraint(model_name='CharityProject', constraint=CheckConstraint(check="status IN ('DRAFT', 'OPEN', 'CLOSED', 'SETTLED', 'CANCELLED')", name='charity_project_status_known')),
        ops.AddConstraint(model_name='CharityProject', constraint=CheckConstraint(check='goal_points > 0 AND minimum_points > 0', name='charity_project_amounts_positive')),
        ops.AddConstraint(model_name='CharityProject', constraint=CheckConstraint(check='points_per_yuan > 0', name='charity_project_rate_positive')),
        ops.AddConstraint(model_name='CharityProject', constraint=CheckConstraint(check='closes_at > opens_at', name='charity_project_window_ordered')),
        ops.AddConstraint(model_name='CharityProject', constraint=CheckConstraint(check='(match_ratio IS NULL AND match_cap_points IS NULL) OR (match_ratio > 0 AND match_cap_points > 0)', name='charity_project_matching_valid')),
        ops.CreateModel(
            name='CharityDonor',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('project', fields.ForeignKeyField('orchard.CharityProject', source_field='project_id', db_constraint=True, to_field='id', related_name='donors', on_delete=OnDelete.RESTRICT)),
                ('member', fields.ForeignKeyField('orchard.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='charity_projects', on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'charity_donor', 'app': 'orchard', 'unique_together': (('project_id', 'member_id'),), 'pk_attr': 'id', 'table_description': 'A member who donated to a project, once: what makes donorCount count distinct members.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CharityProjectShard',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('project', fields.ForeignKeyField('orchard.CharityProject', source_field='project_id', db_constraint=True, to_field='id', related_name='shards', on_delete=OnDelete.RESTRICT)),
                ('shard', fields.IntField()),
                ('raised', fields.BigIntField(default=0)),
                ('matched', fields.BigIntField(default=0)),
                ('donations', fields.BigIntField(default=0)),
                ('donors', fields.BigIntField(default=0)),
                ('goal_left', fields.BigIntField(default=0)),
                ('match_left', fields.BigIntField(default=0)),
                ('accepting', fields.BooleanField(default=False)),
            ],
            options={'table': 'charity_project_shard', 'app': 'orchard', 'constraints': [], 'pk_attr': 'id', 'table_description': "One share of a project's totals, so that donors do not all queue on one row."},
            bases=['Model'],
        ),
        ops.AddConstraint(model_name='CharityProjectShard', constraint=CheckConstraint(check='goal_left >= 0 AND match_left >= 0', name='charity_shard_left_nonneg')),
        ops.AddConstraint(model_name='CharityProjectShard', constraint=CheckConstraint(check='raised >= 0 AND matched >= 0 AND donations >= 0 AND donors >= 0', name='charity_shard_totals_nonneg')),
        ops.AddConstraint(model_name='CharityProjectShard', constraint=UniqueConstraint(fields=('project_id', 'shard'))),
        ops.CreateModel(
            name='Donation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('certificate_code', fields.CharField(unique=True, max_length=16)),
                ('project', fields.ForeignKeyField('orchard.CharityProject', source_field='project_id', db_constraint=True, to_field='id', related_name='donation_rows', on_delete=OnDelete.RESTRICT)),
                ('member', fields.ForeignKeyField('orchard.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='donations', on_delete=OnDelete.RESTRICT)),
                ('store', fields.ForeignKeyField('orchard.Store', source_field='store_id', null=True, db_constraint=True, to_field='id', related_name='donations', on_delete=OnDelete.RESTRICT)),
                ('requested_points', fields.BigIntField()),
                ('points', fields.BigIntField()),
                ('matched_points', fields.BigIntField(default=0)),
                ('anonymous', fields.BooleanField(default=False)),
                ('status', fields.CharField(default='ACCEPTED', max_length=10)),
                ('caller_scope', fields.CharField(max_length=64)),
                ('idempotency_key', fields.CharField(max_length=255)),
                ('fingerprint', fields.CharField(max_length=64)),
                ('actor', fields.CharField(max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('refunded_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'donation', 'app': 'orchard', 'constraints': [], 'indexes': [Index(fields=['project_id', 'status', 'id']), Index(fields=['member_id', 'id'])], 'pk_attr': 'id', 'table_description': "Points a member gave a project, with the chain's matching, and a certificate code to share."},
            bases=['Model'],
        ),
        ops.AddConstraint(model_name='Donation', constraint=CheckConstraint(check="status IN ('ACCEPTED', 'REFUNDED')", name='donation_status_known')),
        ops.AddConstraint(model_name='Donation', constraint=CheckConstraint(check='points > 0 AND points <= requested_points AND matched_points >= 0', name='donation_amounts_valid')),
        ops.AddConstraint(model_name='Donation', constraint=UniqueConstraint(fields=('caller_scope', 'idempotency_key'))),
    ]
