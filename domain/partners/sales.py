"""Bundles sold for cash at the till: a purchase line naming a bundle takes its units from the
bundle's stock, in the purchase's transaction (earning calls `sell` through bundle_lines), so
points and cash sales share one stock and neither oversells it. The line earns points like
any purchase line; the sale is recorded for the partner's settlement."""

from __future__ import annotations

from domain.earning import bundle_lines
from domain.errors import DomainError
from domain.mall import catalogue, eligibility, stock
from domain.partners import partners
from domain.partners.models import BundleSale
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


def install() -> None:
    """Called once at start-up (app.create_app): purchases sell bundles through `sell`."""
    bundle_lines.set_seller(sell)
