"""Bundles sold for cash at the till: a purchase line naming a bundle takes its units from the
bundle's stock, in the purchase's transaction (earning calls `sell` through bundle_lines), so
points and cash sales share one stock and neither oversells it. The line earns points like
any purchase line; the sale is recorded for the partner's settlement."""

from __future__ import annotations

from domain.earning import bundle_lines
from domain.errors import DomainError
from domain.mall import catalogue, eligibility, stock
from domain.mall.models import MallItem
from domain.partners import partners
from domain.partners.models import BundleSale, BundleSaleReturn
from domain.stores.models import Partner
from infra.clock import utc


async def sell(conn, purchase, store, lines: list[bundle_lines.BundleLine], clock) -> None:
    now = utc(clock.now())
    for line in sorted(lines, key=lambda line: line.bundle_id):  # one lock order for every till
        field = f"lines.{line.line_no}.bundleId"
        item = await catalogue.find(line.bundle_id)
        partner = None if item is None or item.partner_id is None else await Partner.get_or_none(  # type: ignore[attr-defined]
            id=item.partner_id).using_db(conn)  # type: ignore[attr-defined]
        if item is None or partner is None or partner.status != partners.PartnerStatus.ACTIVE \
                or not eligibility.is_available(item, now) or not eligibility.collectable_at(item, store.id):
            raise DomainError("BUNDLE_NOT_FOUND", "No bundle with that ID is on sale at this store.", field=field)
        if item.stock_limited and not await stock.take(conn, item.id, line.quantity, stock.guess(item.stock_buckets)):
            raise DomainError("OUT_OF_STOCK", "This bundle is sold out.", field=field)
        await BundleSale.create(item_id=item.id, partner_id=partner.id, purchase_id=purchase.id, line_no=line.line_no,
                                store_id=store.id, quantity=line.quantity, cash_fen=line.total_fen, sold_at=now,
                                using_db=conn)


async def give_back(conn, purchase_id: int, returned: dict[int, int], clock) -> None:
    """Returned units of the purchase's bundle lines: back in the bundle's stock, and a return row
    the settlement counts against the partner in the month of the return."""
    sales = await BundleSale.filter(purchase_id=purchase_id, line_no__in=list(returned)).using_db(conn)
    for sale in sorted(sales, key=lambda s: s.item_id):  # type: ignore[attr-defined]
        item = await MallItem.get(id=sale.item_id).using_db(conn)  # type: ignore[attr-defined]
        units = returned[sale.line_no]
        if item.stock_limited:
            await stock.give_back(conn, item.id, units, item.stock_buckets)
        await BundleSaleReturn.create(sale_id=sale.id, item_id=item.id, partner_id=sale.partner_id,  # type: ignore[attr-defined]
                                      quantity=units, cash_fen=sale.cash_fen * units // sale.quantity,
                                      returned_at=utc(clock.now()), using_db=conn)
        # Before the commit: a rush that notes the bundle sold out meanwhile keeps it so for
        # stock.SOLD_OUT_TTL (5 s) at most.
        await stock.forget_sold_out(item.id)


def install() -> None:
    """Called once at start-up (app.create_app): purchases sell and return bundles through these."""
    bundle_lines.install(sell=sell, give_back=give_back)
