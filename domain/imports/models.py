from tortoise import fields, models
from tortoise.migrations.constraints import CheckConstraint


class ImportRun(models.Model):
    """One import of one file, identified by the SHA-256 of its bytes: a second run of the same
    file resumes this one (or, when it is COMPLETED, changes nothing). Dry runs are not recorded
    here: they write nothing but their report and rejects files (which name who ran them)."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharField(max_length=16)  # MEMBERS
    file_sha256 = fields.CharField(max_length=64)
    file_name = fields.CharField(max_length=255)
    options = fields.JSONField(default=dict)  # what decides the batches: format, mapping digest, store, batch size
    status = fields.CharField(max_length=12)  # RUNNING | COMPLETED
    started_by = fields.CharField(max_length=128)  # who ran the first attempt
    last_run_by = fields.CharField(max_length=128)  # who ran the latest attempt
    attempts = fields.IntField(default=1)
    rows_read = fields.IntField(default=0)
    batches_total = fields.IntField(default=0)
    report = fields.JSONField(null=True)  # the report of the attempt that completed it
    started_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "import_run"
        unique_together = (("kind", "file_sha256"),)
        constraints = (
            CheckConstraint(check="status IN ('RUNNING', 'COMPLETED')", name="import_run_status_known"),
        )


class ImportBatch(models.Model):
    """A committed batch of a run, written in the batch's own transaction: a resumed run skips it.

    `counts` and `rejects` are what the batch did, so the report of a resumed run covers every batch."""

    id = fields.IntField(primary_key=True)
    run = fields.ForeignKeyField("orchard.ImportRun", related_name="batches", on_delete=fields.RESTRICT)
    number = fields.IntField()
    counts = fields.JSONField(default=dict)
    rejects = fields.JSONField(default=list)  # [{line, reason, detail}] decided against the database
    committed_at = fields.DatetimeField()

    class Meta:
        table = "import_batch"
        unique_together = (("run", "number"),)
