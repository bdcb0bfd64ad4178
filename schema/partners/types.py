"""Partner bundles: partners, bundles, and settlement statements."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from strawberry.types import Info

from domain.partners.bundles import BundleView, sees_terms
from domain.partners.settlement import Line, Statement, as_csv
from schema.mall.types import EffectivePrice, MallItem
from schema.relay import to_global_id
from schema.scalars import Money
from schema.stores.types import Store


@strawberry.enum(description="What a partner business is.")
class PartnerKind(Enum):
    BAKERY = strawberry.enum_value("BAKERY", description="A bakery.")
    FLORIST = strawberry.enum_value("FLORIST", description="A florist.")
    OTHER = strawberry.enum_value("OTHER", description="Any other business.")


@strawberry.enum(description="Whether a partner's bundles are sold and verified.")
class PartnerStatus(Enum):
    ACTIVE = strawberry.enum_value("ACTIVE", description="Its bundles are offered, sold and verified.")
    SUSPENDED = strawberry.enum_value("SUSPENDED", description="Its bundles are not offered; its key cannot verify.")


@strawberry.enum(description="Who supplies a part of a bundle.")
class BundleSupplier(Enum):
    CHAIN = strawberry.enum_value("CHAIN", description="The chain (fruit, gift boxes).")
    PARTNER = strawberry.enum_value("PARTNER", description="The partner (cake, flowers).")


@strawberry.enum(description="What a settlement line counts.")
class SettlementLineKind(Enum):
    REDEEMED = strawberry.enum_value("REDEEMED", description="Units a member redeemed with points in the period.")
    SOLD = strawberry.enum_value("SOLD", description="Units a till sold for cash in the period.")
    RETURNED = strawberry.enum_value("RETURNED", description="Till-sold units returned in the period: negative.")
    ADJUSTMENT = strawberry.enum_value(
        "ADJUSTMENT", description="A redemption an earlier, closed statement counted, cancelled or expired in this period: negative."
    )


@strawberry.type(description="A bakery, florist or other business selling co-branded bundles with the chain.")
class Partner:
    id: strawberry.ID = strawberry.field(description="The partner's global ID.")
    name: str = strawberry.field(description="Its name, as members see it on bundles.")
    kind: PartnerKind = strawberry.field(description="What the business is.")
    pk: strawberry.Private[int]
    code_value: strawberry.Private[str]
    contact_value: strawberry.Private[str]
    share: strawberry.Private[int | None]
    status_value: strawberry.Private[str]
    store_pks: strawberry.Private[list[int]]

    @strawberry.field(description="Its unique code (the CLI's --partner); null unless the viewer is a chain admin or the partner.")
    def code(self, info: Info) -> str | None:
        return self.code_value if sees_terms(info.context.viewer, self.pk) else None

    @strawberry.field(description="Who to call about settlement; null unless the viewer is a chain admin or the partner.")
    def contact(self, info: Info) -> str | None:
        return self.contact_value if sees_terms(info.context.viewer, self.pk) else None

    @strawberry.field(description="Percent of a bundle's cash that is the partner's when the bundle sets no per-unit share;"
                      " null when not set or not the viewer's to see.")
    def share_percent(self, info: Info) -> int | None:
        return self.share if sees_terms(info.context.viewer, self.pk) else None

    @strawberry.field(description="ACTIVE or SUSPENDED; null unless the viewer is a chain admin or the partner.")
    def status(self, info: Info) -> PartnerStatus | None:
        return PartnerStatus(self.status_value) if sees_terms(info.context.viewer, self.pk) else None

    @strawberry.field(description="The stores it serves; empty: every store.")
    async def stores(self, info: Info) -> list[Store]:
        found = await info.context.loaders.public_store.load_many(self.store_pks)
        return [Store.from_model(store) for store in found if store is not None]

    @classmethod
    def from_model(cls, partner) -> Partner:
        return cls(
            id=strawberry.ID(to_global_id("Partner", partner.id)), name=partner.name, kind=PartnerKind(partner.kind),
            pk=partner.id, code_value=partner.code, contact_value=partner.contact, share=partner.share_percent,
            status_value=partner.status, store_pks=list(partner.store_ids),
        )


@strawberry.type(description="One part of a bundle and who supplies it.")
class BundleComponent:
    name: str = strawberry.field(description="What it is, e.g. \"Seasonal fruit box\" or \"Strawberry cake\".")
    supplier: BundleSupplier = strawberry.field(description="The chain or the partner.")


@strawberry.type(description="A co-branded offer of the chain and a partner: a mall item with a partner. Redeem it with"
                 " redeemMallItem(itemId: <its id>) or sell it at the till on a purchase line with bundleId.")
class Bundle:
    id: strawberry.ID = strawberry.field(description="The bundle's mall item ID: redeemMallItem and purchase lines take it.")
    name: str = strawberry.field(description="The bundle's name.")
    description: str = strawberry.field(description="What the member gets; may be empty.")
    image_url: str | None = strawberry.field(description="An http(s) address of its picture; null: none.")
    partner: Partner = strawberry.field(description="The partner it is made with.")
    components: list[BundleComponent] = strawberry.field(description="What is in it, and who supplies each part.")
    points_redeemable: bool = strawberry.field(description="False for a bundle sold for cash only (redeemMallItem answers CASH_ONLY).")
    cash_price: Money = strawberry.field(
        description="With points: the cash part paid at collection. Cash only: the bundle's cash price at the till."
    )
    effective_price: EffectivePrice = strawberry.field(description="What one unit costs the viewer today in points, and why.")
    per_member_limit: int | None = strawberry.field(description="Units a member may redeem per limit period; null: no limit.")
    available_from: datetime = strawberry.field(description="When it is offered from.")
    available_until: datetime | None = strawberry.field(description="When the offer ends; null: no end.")
    item: MallItem = strawberry.field(description="The bundle as a mall item (stock, stores, price reasons).")
    share_fen: strawberry.Private[int | None]
    partner_pk: strawberry.Private[int]

    @strawberry.field(description="Units left, shared by points redemptions and cash sales; null when unlimited.")
    def stock_remaining(self, info: Info) -> int | None:
        return self.item.stock_remaining(info)

    @strawberry.field(description="The partner's share of one unit; null when the partner's percent applies, or for viewers"
                      " other than chain admins and the partner.")
    def partner_share(self, info: Info) -> Money | None:
        if self.share_fen is None or not sees_terms(info.context.viewer, self.partner_pk):
            return None
        return Money.from_minor(self.share_fen)

    @classmethod
    def from_view(cls, view: BundleView) -> Bundle:
        item = MallItem.from_model(view.entry)
        return cls(
            id=item.id, name=item.name, description=item.description, image_url=item.image_url,
            partner=Partner.from_model(view.partner),
            components=[BundleComponent(name=c["name"], supplier=BundleSupplier(c["supplier"])) for c in view.terms.components],
            points_redeemable=view.item.points_redeemable, cash_price=item.cash_price, effective_price=item.effective_price,
            per_member_limit=item.per_member_limit, available_from=item.available_from, available_until=item.available_until,
            item=item, share_fen=view.terms.share_fen, partner_pk=view.partner.id,
        )


@strawberry.type(description="One line behind a settlement: a redemption, a till sale, or an adjustment.")
class SettlementLine:
    kind: SettlementLineKind = strawberry.field(description="What the line counts.")
    at: datetime = strawberry.field(description="When: redeemed, sold, or cancelled for an adjustment.")
    bundle_id: strawberry.ID = strawberry.field(description="The bundle's ID.")
    bundle_name: str = strawberry.field(description="The bundle's name.")
    reference: str = strawberry.field(description="The redemption code, or purchase:<id> for a till sale.")
    member: str | None = strawberry.field(description="The member's masked name (\"W***\"); null for a till sale.")
    quantity: int = strawberry.field(description="Units; negative on an adjustment.")
    cash: Money = strawberry.field(description="Cash taken; negative on an adjustment.")
    share: Money = strawberry.field(description="The partner's share; negative on an adjustment.")

    @classmethod
    def from_line(cls, line: Line) -> SettlementLine:
        return cls(
            kind=SettlementLineKind(line.kind), at=line.at, bundle_id=strawberry.ID(to_global_id("MallItem", line.bundle_id)),
            bundle_name=line.bundle_name, reference=line.reference, member=line.member, quantity=line.quantity,
            cash=Money.from_minor(line.cash_fen), share=Money.from_minor(line.share_fen),
        )


@strawberry.type(description="A partner's settlement for one month (the chain's time zone): live while open, frozen once closed.")
class PartnerSettlement:
    partner: Partner = strawberry.field(description="The partner.")
    period: str = strawberry.field(description="The month, YYYY-MM.")
    starts_at: datetime = strawberry.field(description="The period's first moment.")
    ends_at: datetime = strawberry.field(description="The moment after its last.")
    closed: bool = strawberry.field(description="True once closeSettlementPeriod froze it.")
    closed_at: datetime | None = strawberry.field(description="When it was closed; null while open.")
    units_redeemed: int = strawberry.field(description="Units redeemed with points in the period, not cancelled (at closing).")
    units_sold: int = strawberry.field(description="Units sold for cash at tills in the period, less those returned in it.")
    units_adjusted: int = strawberry.field(description="Units of earlier closed periods cancelled in this one (zero or negative).")
    cash_taken: Money = strawberry.field(description="Cash of points + cash redemptions and till sales, less adjustments.")
    share_due: Money = strawberry.field(description="The partner's share of all lines, adjustments included.")
    lines: list[SettlementLine] = strawberry.field(description="Every line behind the figures, oldest first.")
    csv: str = strawberry.field(description="The lines and a TOTAL row as CSV, as `orchard partners settle` writes it.")

    @classmethod
    def from_statement(cls, done: Statement) -> PartnerSettlement:
        return cls(
            partner=Partner.from_model(done.partner), period=done.period, starts_at=done.starts_at, ends_at=done.ends_at,
            closed=done.closed_at is not None, closed_at=done.closed_at, units_redeemed=done.units_redeemed,
            units_sold=done.units_sold, units_adjusted=done.units_adjusted, cash_taken=Money.from_minor(done.cash_fen),
            share_due=Money.from_minor(done.share_fen), lines=[SettlementLine.from_line(line) for line in done.lines],
            csv=as_csv(done),
        )
