"""Partner bundles inputs."""

from __future__ import annotations

from datetime import datetime

import strawberry

from schema.partners.types import BundleSupplier, PartnerKind, PartnerStatus
from schema.scalars import MoneyInput


@strawberry.input(description="A new partner business (chain admin).")
class CreatePartnerInput:
    name: str = strawberry.field(description="Its name, 1 to 120 characters.")
    kind: PartnerKind = strawberry.field(description="Bakery, florist or other.")
    contact: str = strawberry.field(default="", description="Who to call about settlement, at most 200 characters.")
    store_ids: list[strawberry.ID] = strawberry.field(default_factory=list, description="The stores it serves; empty: every store.")
    share_percent: int | None = strawberry.field(
        default=None, description="0 to 100: its percent of a bundle's cash where the bundle sets no per-unit share."
    )


@strawberry.input(description="Changes to a partner (chain admin): only the fields given change.")
class UpdatePartnerInput:
    partner_id: strawberry.ID = strawberry.field(description="The partner.")
    name: str | None = strawberry.field(default=None, description="A new name.")
    kind: PartnerKind | None = strawberry.field(default=None, description="A new kind.")
    contact: str | None = strawberry.field(default=None, description="A new contact.")
    store_ids: list[strawberry.ID] | None = strawberry.field(default=None, description="The stores it serves now.")
    share_percent: int | None = strawberry.field(default=None, description="A new percent of the cash.")
    status: PartnerStatus | None = strawberry.field(default=None, description="SUSPENDED stops its bundles; ACTIVE resumes them.")


@strawberry.input(description="A new API key for a partner (chain admin); the secret is shown once.")
class CreatePartnerKeyInput:
    partner_id: strawberry.ID = strawberry.field(description="The partner.")
    name: str = strawberry.field(description="What the key is for, e.g. \"Shop tablet\".")
    scopes: list[str] | None = strawberry.field(
        default=None,
        description="bundles:read, redemptions:verify, settlement:read, webhooks:manage; null: all of them (UNKNOWN_SCOPE).",
    )


@strawberry.input(description="One part of a bundle.")
class BundleComponentInput:
    name: str = strawberry.field(description="What it is, 1 to 120 characters.")
    supplier: BundleSupplier = strawberry.field(description="The chain or the partner.")


@strawberry.input(description="A new co-branded bundle (chain admin). Give pointsPrice for points (plus cashPrice for points"
                  " + cash); leave pointsPrice out for a bundle sold for cash only at cashPrice.")
class CreateBundleInput:
    partner_id: strawberry.ID = strawberry.field(description="The partner it is made with.")
    name: str = strawberry.field(description="Its name, 1 to 120 characters.")
    points_price: int | None = strawberry.field(default=None, description="Points per unit; null: cash only.")
    cash_price: MoneyInput | None = strawberry.field(
        default=None, description="With pointsPrice: the cash part paid at collection. Without: the cash price."
    )
    stock: int | None = strawberry.field(default=None, description="Units, shared by points and cash sales; null: unlimited.")
    per_member_limit: int | None = strawberry.field(default=None, description="Units a member may redeem in a lifetime; null: no limit.")
    partner_share: MoneyInput | None = strawberry.field(
        default=None, description="The partner's share of one unit; null: the partner's sharePercent of the cash."
    )
    components: list[BundleComponentInput] = strawberry.field(default_factory=list, description="What is in it (at most 10).")
    description: str = strawberry.field(default="", description="What the member gets, up to 2,000 characters.")
    image_url: str | None = strawberry.field(default=None, description="An http(s) address of its picture.")
    store_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Stores where it is collected and sold; null: the partner's stores."
    )
    available_from: datetime | None = strawberry.field(default=None, description="When it is offered from; null: now.")
    available_until: datetime | None = strawberry.field(default=None, description="When the offer ends; null: no end.")
    idempotency_key: str | None = strawberry.field(default=None, description="Makes a retry create the bundle once.")


@strawberry.input(description="Which bundles to list.")
class BundleFilter:
    partner_id: strawberry.ID | None = strawberry.field(default=None, description="One partner's bundles only.")
    store_id: strawberry.ID | None = strawberry.field(default=None, description="Bundles collected at this store only.")


@strawberry.input(description="A bundle redemption a member shows at the partner's shop.")
class VerifyPartnerRedemptionInput:
    code: str = strawberry.field(description="The redemption code the member shows, typed or scanned.")
    idempotency_key: str = strawberry.field(description="Makes a retried verification answer as the first one did.")


@strawberry.input(description="A partner's month to close (chain admin).")
class CloseSettlementPeriodInput:
    partner_id: strawberry.ID = strawberry.field(description="The partner.")
    period: str = strawberry.field(description="The month, YYYY-MM, in the chain's time zone; it must have ended.")
