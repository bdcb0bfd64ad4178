from tortoise import fields, models
from tortoise.migrations.constraints import CheckConstraint


class WebhookEndpoint(models.Model):
    """Where events are pushed: the chain's (partner null) or a partner's own endpoint.

    The signing secret is kept encrypted with the personal-data key (it must be usable to sign,
    so it cannot be hashed); `secret_hint` is its first characters, to tell endpoints apart.
    `consecutive_failures` and `failing_since` count the current run of failed attempts; a run
    long enough disables the endpoint (delivery.py, DISABLE_AFTER_FAILURES).
    """

    id = fields.IntField(primary_key=True)
    partner = fields.ForeignKeyField("orchard.Partner", related_name="webhook_endpoints", null=True, on_delete=fields.CASCADE)
    url = fields.CharField(max_length=2048)
    events = fields.JSONField(default=list)
    description = fields.CharField(max_length=255, default="")
    secret_encrypted = fields.CharField(max_length=255)
    secret_hint = fields.CharField(max_length=16)
    enabled = fields.BooleanField(default=True)
    disabled_reason = fields.CharField(max_length=10, null=True)
    disabled_at = fields.DatetimeField(null=True)
    consecutive_failures = fields.IntField(default=0)
    failing_since = fields.DatetimeField(null=True)
    created_by = fields.CharField(max_length=64)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "webhook_endpoint"
        indexes = (("partner_id", "id"),)
        constraints = (
            CheckConstraint(
                check="(enabled AND disabled_reason IS NULL) OR (NOT enabled AND disabled_reason IN ('MANUAL', 'FAILING'))",
                name="webhook_endpoint_disabled_reason",
            ),
        )


class WebhookEvent(models.Model):
    """The transactional outbox: one row per event, written in the transaction of the change it
    reports. `body` is the exact JSON delivered (the envelope with `id`, `type`, `timestamp`,
    `data`), so every attempt signs the same bytes. `fanned_out_at` is set once the worker has
    made a dispatch for each endpoint subscribed then."""

    id = fields.BigIntField(primary_key=True)
    event_id = fields.CharField(max_length=40, unique=True)
    event_type = fields.CharField(max_length=64)
    partner = fields.ForeignKeyField("orchard.Partner", related_name="webhook_events", null=True, on_delete=fields.CASCADE)
    body = fields.TextField()
    created_at = fields.DatetimeField()
    fanned_out_at = fields.DatetimeField(null=True)

    class Meta:
        table = "webhook_event"
        indexes = (("fanned_out_at", "id"),)


class WebhookDispatch(models.Model):
    """One event to send to one endpoint, until it succeeds or gives up (three days).

    A worker claims it by moving `locked_until` into the future and counting the attempt in the
    same UPDATE (FOR UPDATE SKIP LOCKED on PostgreSQL), so two workers never make the same
    attempt. A replay is a new dispatch of the same event."""

    id = fields.IntField(primary_key=True)
    event = fields.ForeignKeyField("orchard.WebhookEvent", related_name="dispatches", on_delete=fields.CASCADE)
    endpoint = fields.ForeignKeyField("orchard.WebhookEndpoint", related_name="dispatches", on_delete=fields.CASCADE)
    status = fields.CharField(max_length=10, default="PENDING")
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    locked_until = fields.DatetimeField(null=True)
    give_up_at = fields.DatetimeField()
    replay = fields.BooleanField(default=False)
    created_at = fields.DatetimeField()
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "webhook_dispatch"
        indexes = (("status", "next_attempt_at"), ("endpoint_id", "status"))
        constraints = (
            CheckConstraint(check="status IN ('PENDING', 'SUCCEEDED', 'FAILED')", name="webhook_dispatch_status_known"),
        )


class WebhookDelivery(models.Model):
    """One attempt to deliver an event to an endpoint: what the endpoint answered, how fast."""

    id = fields.IntField(primary_key=True)
    dispatch = fields.ForeignKeyField("orchard.WebhookDispatch", related_name="deliveries", on_delete=fields.CASCADE)
    endpoint = fields.ForeignKeyField("orchard.WebhookEndpoint", related_name="deliveries", on_delete=fields.CASCADE)
    event = fields.ForeignKeyField("orchard.WebhookEvent", related_name="deliveries", on_delete=fields.CASCADE)
    event_key = fields.CharField(max_length=40)  # the event's `evt_...` id
    event_type = fields.CharField(max_length=64)
    attempt = fields.IntField()
    status_code = fields.IntField(null=True)
    succeeded = fields.BooleanField()
    latency_ms = fields.IntField()
    error = fields.CharField(max_length=500, null=True)
    replay = fields.BooleanField(default=False)
    attempted_at = fields.DatetimeField()
    next_attempt_at = fields.DatetimeField(null=True)

    class Meta:
        table = "webhook_delivery"
        unique_together = (("dispatch_id", "attempt"),)
        indexes = (("endpoint_id", "id"),)
