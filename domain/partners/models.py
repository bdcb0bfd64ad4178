from tortoise import fields, models
from tortoise.migrations.constraints import CheckConstraint


class PartnerBundle(models.Model):
    """A partner's terms on a mall item that is one of its bundles.

    share_fen is the partner's share of one unit; null: the partner's share_percent of the
    cash the unit took. components list what each side supplies: [{"name", "supplier"}].
    """

    id = fields.IntField(primary_key=True)
    item = fields.OneToOneField("orchard.MallItem", related_name="bundle_terms", on_delete=fields.RESTRICT)
    partner = fields.ForeignKeyField("orchard.Partner", related_name="bundle_terms", on_delete=fields.RESTRICT)
    share_fen = fields.BigIntField(null=True)
    components = fields.JSONField(default=list)
    created_at = fields.DatetimeField()

    class Meta:
        table = "partner_bundle"
        constraints = (CheckConstraint(check="share_fen IS NULL OR share_fen >= 0", name="partner_bundle_share_nonneg"),)


class BundleSale(models.Model):
    """Units of a bundle sold for cash on a till purchase line: the line took them from the bundle's stock."""

    id = fields.IntField(primary_key=True)
    item = fields.ForeignKeyField("orchard.MallItem", related_name="bundle_sales", on_delete=fields.RESTRICT)
    partner = fields.ForeignKeyField("orchard.Partner", related_name="bundle_sales", on_delete=fields.RESTRICT)
    purchase = fields.ForeignKeyField("orchard.Purchase", related_name="bundle_sales", on_delete=fields.RESTRICT)
    line_no = fields.IntField()
    store = fields.ForeignKeyField("orchard.Store", related_name="bundle_sales", on_delete=fields.RESTRICT)
    quantity = fields.IntField()
    cash_fen = fields.BigIntField()
    sold_at = fields.DatetimeField()

    class Meta:
        table = "partner_bundle_sale"
        unique_together = (("purchase", "line_no"),)
        indexes = (("partner_id", "sold_at"),)
        constraints = (CheckConstraint(check="quantity > 0 AND cash_fen >= 0", name="partner_bundle_sale_amounts_valid"),)


class SettlementStatement(models.Model):
    """A partner's closed settlement period: its figures and lines, frozen when it was closed.

    redemption_ids are the redemptions it counted: one cancelled after the close falls into
    the period of its cancellation as an adjustment.
    """

    id = fields.IntField(primary_key=True)
    partner = fields.ForeignKeyField("orchard.Partner", related_name="statements", on_delete=fields.RESTRICT)
    period = fields.CharField(max_length=7)  # YYYY-MM, in the chain's time zone
    units_redeemed = fields.IntField()
    units_sold = fields.IntField()
    cash_fen = fields.BigIntField()
    share_fen = fields.BigIntField()
    lines = fields.JSONField(default=list)
    redemption_ids = fields.JSONField(default=list)
    closed_at = fields.DatetimeField()
    closed_by = fields.CharField(max_length=64)

    class Meta:
        table = "partner_settlement"
        unique_together = (("partner", "period"),)


class BundleStockAlert(models.Model):
    """The bundle.stock_low event sent for an item, once per stock level: a restock raises
    stock_received and so arms the alert again."""

    id = fields.IntField(primary_key=True)
    item = fields.OneToOneField("orchard.MallItem", related_name="stock_alert", on_delete=fields.RESTRICT)
    stock_received = fields.BigIntField()
    sent_at = fields.DatetimeField()

    class Meta:
        table = "partner_bundle_stock_alert"


class BundleSaleReturn(models.Model):
    """Units of a till-sold bundle returned with their purchase: back in stock, out of the settlement."""

    id = fields.IntField(primary_key=True)
    sale = fields.ForeignKeyField("orchard.BundleSale", related_name="returns", on_delete=fields.RESTRICT)
    item = fields.ForeignKeyField("orchard.MallItem", related_name="bundle_sale_returns", on_delete=fields.RESTRICT)
    partner = fields.ForeignKeyField("orchard.Partner", related_name="bundle_sale_returns", on_delete=fields.RESTRICT)
    quantity = fields.IntField()
    cash_fen = fields.BigIntField()
    returned_at = fields.DatetimeField()

    class Meta:
        table = "partner_bundle_sale_return"
        indexes = (("partner_id", "returned_at"), ("item_id",))
