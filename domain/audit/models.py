from tortoise import fields, models


class AuditRecord(models.Model):
    """One audited operation. Append-only: each row carries the SHA-256 of the one before it
    (`prev_hash`) and its own (`hash`, over every other column), so an edit or a deletion breaks
    the chain that `orchard audit verify` walks."""

    id = fields.BigIntField(primary_key=True)
    at = fields.DatetimeField(db_index=True)
    actor_kind = fields.CharField(max_length=16)
    actor_id = fields.BigIntField(null=True)
    actor_role = fields.CharField(max_length=16, null=True)
    store_id = fields.IntField(null=True)
    operation = fields.CharField(max_length=64)
    targets = fields.TextField()  # JSON list of global IDs
    input_digest = fields.CharField(max_length=64)
    result = fields.CharField(max_length=64)  # "ok" or the error code
    reason = fields.TextField(null=True)
    points = fields.BigIntField(null=True)  # a points adjustment's size, for the daily digest
    request_id = fields.CharField(max_length=128, null=True)
    client_address = fields.CharField(max_length=64, null=True)
    prev_hash = fields.CharField(max_length=64)
    hash = fields.CharField(max_length=64, unique=True)

    class Meta:
        table = "audit_record"
        indexes = (("operation", "id"), ("actor_id", "id"), ("store_id", "id"))
