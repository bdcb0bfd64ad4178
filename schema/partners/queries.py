"""Partner bundles root queries."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from resolvers.partners import queries
from schema.partners.inputs import BundleFilter
from schema.partners.types import Bundle, Partner, PartnerSettlement
from schema.relay import After, Connection, First, connection_of, maybe


@strawberry.type
class PartnerQuery:
    @strawberry.field(description="Partners: every one for chain admins, its own for a partner key, none for anyone else.")
    async def partners(self, info: Info) -> list[Partner]:
        return [Partner.from_model(p) for p in await queries.partners_listed(info.context)]

    @strawberry.field(description="One partner; null when it does not exist or the viewer is neither a chain admin nor that partner.")
    async def partner(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="The partner's global ID.")]
    ) -> Partner | None:
        return maybe(Partner.from_model, await queries.partner(info.context, id))

    @strawberry.field(description="Co-branded bundles on offer with their price today, newest first. A partner key sees its own"
                      " only (all of them, on offer or not); chain admins see every bundle.")
    async def bundles(
        self, info: Info, first: First = None, after: After = None,
        filter: Annotated[BundleFilter | None, strawberry.argument(description="Which bundles; null: all the viewer may see.")] = None,
    ) -> Connection[Bundle]:
        page = await queries.bundles_page(
            info.context, filter.partner_id if filter else None, filter.store_id if filter else None, first, after
        )
        return connection_of(page, Bundle.from_view)

    @strawberry.field(description="A partner's settlement for a month: live while open, frozen once closed. Null unless the viewer"
                      " is a chain admin or that partner's key (scope settlement:read).")
    async def partner_settlement(
        self, info: Info,
        partner_id: Annotated[strawberry.ID, strawberry.argument(description="The partner's global ID.")],
        period: Annotated[str, strawberry.argument(description="The month, YYYY-MM, in the chain's time zone.")],
    ) -> PartnerSettlement | None:
        return maybe(PartnerSettlement.from_statement, await queries.partner_settlement(info.context, partner_id, period))
