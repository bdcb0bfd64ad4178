from tortoise import fields, models


class OutboxMessage(models.Model):
    """A message to send (SMS / PUSH / WECHAT). The recipient is stored encrypted."""

    id = fields.BigIntField(primary_key=True)
    channel = fields.CharField(max_length=10)
    recipient_encrypted = fields.CharField(max_length=255)
    recipient_hash = fields.CharField(max_length=64, db_index=True)
    member = fields.ForeignKeyField("orchard.Member", related_name="messages", null=True, on_delete=fields.SET_NULL)
    template = fields.CharField(max_length=40)
    body = fields.TextField()
    status = fields.CharField(max_length=10, default="PENDING", db_index=True)
    attempts = fields.IntField(default=0)
    created_at = fields.DatetimeField()
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "outbox_message"
