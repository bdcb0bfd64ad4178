from tortoise import fields, models


class ProgrammeSetting(models.Model):
    key = fields.CharField(max_length=64, primary_key=True)
    value = fields.JSONField()
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "programme_setting"
