from tortoise import fields, models


class JobSchedule(models.Model):
    """When a periodic job of the worker is due next, and how its last run went."""

    kind = fields.CharField(max_length=64, primary_key=True)
    due_at = fields.DatetimeField()
    last_started_at = fields.DatetimeField(null=True)
    last_finished_at = fields.DatetimeField(null=True)
    last_seconds = fields.FloatField(null=True)
    last_outcome = fields.TextField(null=True)  # JSON: the run's counts, or its error

    class Meta:
        table = "job_schedule"
