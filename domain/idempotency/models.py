from tortoise import fields, models


class IdempotencyRecord(models.Model):
    """The first result of a mutation under (caller scope, client key), replayed on retry."""

    id = fields.BigIntField(primary_key=True)
    scope = fields.CharField(max_length=64)
    key = fields.CharField(max_length=255)
    operation = fields.CharField(max_length=64)
    fingerprint = fields.CharField(max_length=64)
    result = fields.TextField()  # JSON text: the same column type on SQLite and PostgreSQL
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "idempotency_record"
        unique_together = (("scope", "key"),)
