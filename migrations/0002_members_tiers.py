from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.migrations.constraints import CheckConstraint

class Migration(migrations.Migration):
    dependencies = [('orchard', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='LoginCode',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('phone_hash', fields.CharField(db_index=True, max_length=64)),
                ('code_hash', fields.CharField(max_length=64)),
                ('client_address', fields.CharField(null=True, db_index=True, max_length=64)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('failed_attempts', fields.IntField(default=0)),
            ],
            options={'table': 'login_code', 'app': 'orchard', 'pk_attr': 'id', 'table_description': 'A one-time sign-in code sent to a phone. Only its hash is kept.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ProgrammeSetting',
            fields=[
                ('key', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('value', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'programme_setting', 'app': 'orchard', 'pk_attr': 'key'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Tier',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=32)),
                ('name', fields.CharField(max_length=64)),
                ('rank', fields.IntField(unique=True)),
                ('min_points', fields.IntField(default=0)),
                ('min_purchases', fields.IntField(default=0)),
                ('earn_multiplier', fields.DecimalField(default=1, max_digits=6, decimal_places=2)),
                ('redemption_discount_percent', fields.IntField(default=0)),
                ('benefits', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'tier', 'app': 'orchard', 'constraints': [], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AddConstraint(model_name='Tier', constraint=CheckConstraint(check='min_points >= 0 AND min_purchases >= 0', name='tier_thresholds_nonneg')),
        ops.AddConstraint(model_name='Tier', constraint=CheckConstraint(check='redemption_discount_percent BETWEEN 0 AND 100', name='tier_discount_range')),
        ops.AddConstraint(model_name='Tier', constraint=CheckConstraint(check='earn_multiplier > 0', name='tier_multiplier_positive')),
        ops.CreateModel(
            name='Member',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=16)),
                ('phone_hash', fields.CharField(unique=True, max_length=64)),
                ('phone_encrypted', fields.CharField(max_length=255)),
                ('phone_masked', fields.CharField(max_length=32)),
                ('name', fields.CharField(max_length=120)),
                ('birthday', fields.DateField(null=True)),
                ('gender', fields.CharField(null=True, max_length=16)),
                ('region', fields.CharField(null=True, max_length=64)),
                ('home_store', fields.ForeignKeyField('orchard.Store', source_field='home_store_id', null=True, db_constraint=True, to_field='id', related_name='home_members', on_delete=OnDelete.RESTRICT)),
                ('marketing_consent', fields.BooleanField(default=False)),
                ('channel', fields.CharField(max_length=16)),
                ('referral_code', fields.CharField(unique=True, max_length=16)),
                ('referred_by', fields.ForeignKeyField('orchard.Member', source_field='referred_by_id', null=True, db_constraint=True, to_field='id', related_name='referrals', on_delete=OnDelete.RESTRICT)),
                ('tier', fields.ForeignKeyField('orchard.Tier', source_field='tier_id', db_constraint=True, to_field='id', related_name='members', on_delete=OnDelete.RESTRICT)),
                ('tier_floor', fields.ForeignKeyField('orchard.Tier', source_field='tier_floor_id', null=True, db_constraint=True, to_field='id', related_name='floored_members', on_delete=OnDelete.RESTRICT)),
                ('tier_floor_reason', fields.CharField(null=True, max_length=255)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'member', 'app': 'orchard', 'constraints': [], 'pk_attr': 'id', 'table_description': 'A customer of the chain. The phone is kept encrypted, with a keyed hash for lookup.'},
            bases=['Model'],
        ),
        ops.AddConstraint(model_name='Member', constraint=CheckConstraint(check="channel IN ('APP', 'MINI_PROGRAM', 'STORE_QR', 'POS', 'KIOSK', 'WEB', 'IMPORT')", name='member_channel_known')),
        ops.CreateModel(
            name='MemberStore',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('orchard.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='store_links', on_delete=OnDelete.CASCADE)),
                ('store', fields.ForeignKeyField('orchard.Store', source_field='store_id', db_constraint=True, to_field='id', related_name='member_links', on_delete=OnDelete.CASCADE)),
                ('first_seen_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'member_store', 'app': 'orchard', 'unique_together': (('member', 'store'),), 'pk_attr': 'id', 'table_description': 'A store a member has bought at: its staff may see the member.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OutboxMessage',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('channel', fields.CharField(max_length=10)),
                ('recipient_encrypted', fields.CharField(max_length=255)),
                ('recipient_hash', fields.CharField(db_index=True, max_length=64)),
                ('member', fields.ForeignKeyField('orchard.Member', source_field='member_id', null=True, db_constraint=True, to_field='id', related_name='messages', on_delete=OnDelete.SET_NULL)),
                ('template', fields.CharField(max_length=40)),
                ('body', fields.TextField(unique=False)),
                ('status', fields.CharField(default='PENDING', db_index=True, max_length=10)),
                ('attempts', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'outbox_message', 'app': 'orchard', 'pk_attr': 'id', 'table_description': 'A message to send (SMS / PUSH / WECHAT). The recipient is stored encrypted.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TierChange',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('orchard.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='tier_changes', on_delete=OnDelete.CASCADE)),
                ('from_tier', fields.ForeignKeyField('orchard.Tier', source_field='from_tier_id', null=True, db_constraint=True, to_field='id', related_name='changes_from', on_delete=OnDelete.RESTRICT)),
                ('to_tier', fields.ForeignKeyField('orchard.Tier', source_field='to_tier_id', db_constraint=True, to_field='id', related_name='changes_to', on_delete=OnDelete.RESTRICT)),
                ('reason', fields.CharField(max_length=16)),
                ('note', fields.CharField(null=True, max_length=255)),
                ('actor', fields.CharField(max_length=64)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'tier_change', 'app': 'orchard', 'pk_attr': 'id', 'table_description': "One row per change of a member's tier: from, to, why, when, by whom."},
            bases=['Model'],
        ),
    ]
