"""Mall root queries."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from resolvers.mall import queries
from schema.mall.inputs import MallItemFilter, MallItemSort, StoreRedemptionFilter
from schema.mall.types import MallItem, MallPriceRule, MallSettings, Redemption
from schema.permissions import IsStaff
from schema.relay import After, Connection, First, SortDirection, connection_of, maybe


@strawberry.type
class MallQuery:
    @strawberry.field(description="The points mall as the viewer sees it, with the viewer's price today.")
    async def mall_items(
        self,
        info: Info,
        filter: Annotated[
            MallItemFilter | None, strawberry.argument(description="Which items; null: everything available to the viewer.")
        ] = None,
        sort_by: Annotated[MallItemSort | None, strawberry.argument(description="The order; default: newest available first.")] = None,
        first: First = None,
        after: After = None,
        last: Annotated[
            int | None, strawberry.argument(description="Page size counted back from before, 0 to 100; used when first is null.")
        ] = None,
        before: Annotated[str | None, strawberry.argument(description="A cursor from pageInfo.startCursor: the page before it.")] = None,
    ) -> Connection[MallItem]:
        chosen = filter or MallItemFilter()
        sort = sort_by or MallItemSort()
        page, left = await queries.mall_items(
            info.context, band=chosen.band.value if chosen.band else None, kind=chosen.kind.value if chosen.kind else None,
            affordable=chosen.affordable, eligible_for_me=chosen.eligible_for_me, new_only=chosen.new_only,
            store_id=chosen.store_id, include_unavailable=chosen.include_unavailable, sort=sort.field.value,
            descending=sort.direction is SortDirection.DESC, first=first, after=after, last=last, before=before,
        )
        return connection_of(page, lambda entry: MallItem.from_model(entry, left.get(entry.item.id)))

    @strawberry.field(description="One mall item with the caller's price; null when it does not exist or is not offered to the caller.")
    async def mall_item(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="The item's global ID.")]
    ) -> MallItem | None:
        return maybe(MallItem.from_model, await queries.mall_item(info.context, id))

    @strawberry.field(permission_classes=[IsStaff], description="The store's redemptions (all stores for chain admins), newest first.")
    async def redemptions(
        self,
        info: Info,
        filter: Annotated[
            StoreRedemptionFilter | None,
            strawberry.argument(
                description="Which redemptions; null: every status at the caller's store, or every store for chain admins."
            ),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[Redemption]:
        store_id = filter.store_id if filter is not None else None
        status = filter.status.value if filter is not None and filter.status is not None else None
        return connection_of(await queries.store_redemptions(info.context, store_id, status, first, after), Redemption.from_model)

    @strawberry.field(description="Look a redemption up at the counter by its code or scanned QR payload.")
    async def redemption(
        self,
        info: Info,
        code: Annotated[str, strawberry.argument(description="The redemption code as typed, or the scanned QR payload (ORCHARD:R:...).")],
    ) -> Redemption | None:
        return maybe(Redemption.from_model, await queries.redemption_by_code(info.context, code))

    @strawberry.field(permission_classes=[IsStaff], description="Mall pricing rules: seasons and member days (staff).")
    async def mall_price_rules(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[MallPriceRule]:
        return connection_of(await queries.mall_price_rules(first, after), MallPriceRule.from_model)

    @strawberry.field(permission_classes=[IsStaff], description="The mall's operator-changeable numbers (staff).")
    async def mall_settings(self) -> MallSettings:
        return MallSettings.from_values(await queries.mall_settings_values())
