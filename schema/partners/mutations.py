"""Partner bundles root mutations."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from resolvers.partners import mutations
from schema.errors import payload_of
from schema.mall.types import Redemption
from schema.partners import inputs
from schema.partners.payloads import (
    CloseSettlementPeriodPayload,
    CreateBundlePayload,
    CreatePartnerKeyPayload,
    PartnerPayload,
    VerifyPartnerRedemptionPayload,
)
from schema.partners.types import Bundle, Partner, PartnerSettlement
from schema.permissions import IsAuthenticated, IsChainAdmin
from schema.scalars import money_pair
from schema.stores.types import ApiKey


def _partner(found) -> dict:
    return {"partner": Partner.from_model(found)}


@strawberry.type
class PartnerMutation:
    @strawberry.mutation(permission_classes=[IsChainAdmin], description="Sign up a partner business (chain admin).")
    async def create_partner(
        self, info: Info, input: Annotated[inputs.CreatePartnerInput, strawberry.argument(description="The partner.")]
    ) -> PartnerPayload:
        work = mutations.create_partner(info.context, name=input.name, kind=input.kind.value, contact=input.contact,
                                        store_ids=list(input.store_ids), share_percent=input.share_percent)
        return await payload_of(PartnerPayload, work, _partner)

    @strawberry.mutation(permission_classes=[IsChainAdmin], description="Change a partner, or suspend and resume it (chain admin).")
    async def update_partner(
        self, info: Info, input: Annotated[inputs.UpdatePartnerInput, strawberry.argument(description="The changes.")]
    ) -> PartnerPayload:
        given = {"name": input.name, "kind": input.kind.value if input.kind else None, "contact": input.contact,
                 "store_ids": input.store_ids, "share_percent": input.share_percent,
                 "status": input.status.value if input.status else None}
        return await payload_of(PartnerPayload, mutations.update_partner(info.context, input.partner_id, given), _partner)

    @strawberry.mutation(permission_classes=[IsChainAdmin],
                         description="An API key for a partner (chain admin); the secret (orch_partner_...) is shown once.")
    async def create_partner_key(
        self, info: Info, input: Annotated[inputs.CreatePartnerKeyInput, strawberry.argument(description="The partner and key.")]
    ) -> CreatePartnerKeyPayload:
        work = mutations.create_partner_key(info.context, input.partner_id, input.name, input.scopes)
        return await payload_of(CreatePartnerKeyPayload, work,
                                lambda issued: {"key": (shown := ApiKey.from_model(issued.key)).id, "api_key": shown,
                                                "secret": issued.secret})

    @strawberry.mutation(permission_classes=[IsChainAdmin], description="A co-branded bundle: a mall item with a partner (chain admin).")
    async def create_bundle(
        self, info: Info, input: Annotated[inputs.CreateBundleInput, strawberry.argument(description="The bundle.")]
    ) -> CreateBundlePayload:
        work = mutations.create_bundle(
            info.context, partner_id=input.partner_id, name=input.name, points_price=input.points_price,
            cash_price=money_pair(input.cash_price), stock=input.stock, per_member_limit=input.per_member_limit,
            partner_share=money_pair(input.partner_share), components=[(c.name, c.supplier.value) for c in input.components],
            description=input.description, image_url=input.image_url,
            store_ids=list(input.store_ids) if input.store_ids is not None else None,
            available_from=input.available_from, available_until=input.available_until, idempotency_key=input.idempotency_key,
        )
        return await payload_of(CreateBundlePayload, work, lambda view: {"bundle": Bundle.from_view(view)})

    @strawberry.mutation(permission_classes=[IsAuthenticated],
                         description="The partner writes off a redemption of its own bundle at its shop, exactly once (partner key,"
                         " scope redemptions:verify). ALREADY_FULFILLED says when and where; another partner's code is"
                         " REDEMPTION_NOT_FOUND. Idempotent.")
    async def verify_partner_redemption(
        self, info: Info,
        input: Annotated[inputs.VerifyPartnerRedemptionInput, strawberry.argument(description="The code and key.")],
    ) -> VerifyPartnerRedemptionPayload:
        work = mutations.verify_partner_redemption(info.context, input.code, input.idempotency_key)
        return await payload_of(VerifyPartnerRedemptionPayload, work,
                                lambda redemption: {"redemption": Redemption.from_model(redemption)})

    @strawberry.mutation(permission_classes=[IsChainAdmin],
                         description="Freeze a partner's ended month (chain admin): its statement never changes after; later"
                         " cancellations fall into the period they happen in. Sends settlement.closed.")
    async def close_settlement_period(
        self, info: Info,
        input: Annotated[inputs.CloseSettlementPeriodInput, strawberry.argument(description="The partner and month.")],
    ) -> CloseSettlementPeriodPayload:
        work = mutations.close_settlement_period(info.context, input.partner_id, input.period)
        return await payload_of(CloseSettlementPeriodPayload, work,
                                lambda done: {"settlement": PartnerSettlement.from_statement(done)})
