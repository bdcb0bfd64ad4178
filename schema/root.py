"""The root Query and Mutation, assembled from the resolvers; `build_schema` makes the schema."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from resolvers import mall as mall_resolvers
from schema import mall as gql_mall
from schema.permissions import IsChainAdmin, IsStaff
from schema.earning.mutations import EarningMutation
from schema.earning.queries import EarningQuery
from schema.members.mutations import MemberMutation
from schema.members.queries import MemberQuery
from schema.nodes import NODE_TYPES, NodeQuery
from schema.programme.mutations import ProgrammeMutation
from schema.programme.queries import ProgrammeQuery
from schema.relay import Connection
from schema.stores.mutations import StoreMutation
from schema.stores.queries import StoreQuery
from schema.tiers.mutations import TierMutation
from schema.tiers.queries import TierQuery
from strawberry.tools import merge_types


@strawberry.type
class RestQuery2:
    @strawberry.field(description="The points mall as the viewer sees it, with the viewer's price today.")
    async def mall_items(
        self, info: Info, filter: gql_mall.MallItemFilter | None = None, sort_by: gql_mall.MallItemSort | None = None,
        first: int | None = None, after: str | None = None, last: int | None = None, before: str | None = None,
    ) -> Connection[gql_mall.MallItem]:
        return await mall_resolvers.mall_items(info.context, filter, sort_by, first, after, last, before)

    @strawberry.field(description="One mall item with the caller's price; null when it does not exist or is not offered to the caller.")
    async def mall_item(self, info: Info, id: strawberry.ID) -> gql_mall.MallItem | None:
        return await mall_resolvers.mall_item(info.context, id)

    @strawberry.field(permission_classes=[IsStaff], description="The store's redemptions (all stores for chain admins), newest first.")
    async def redemptions(
        self, info: Info, filter: gql_mall.StoreRedemptionFilter | None = None, first: int | None = None,
        after: str | None = None,
    ) -> Connection[gql_mall.Redemption]:
        return await mall_resolvers.store_redemptions(info.context, filter, first, after)

    @strawberry.field(description="Look a redemption up at the counter by its code or scanned QR payload.")
    async def redemption(self, info: Info, code: str) -> gql_mall.Redemption | None:
        return await mall_resolvers.redemption_by_code(info.context, code)

    @strawberry.field(permission_classes=[IsStaff], description="Mall pricing rules: seasons and member days (staff).")
    async def mall_price_rules(self, info: Info) -> list[gql_mall.MallPriceRule]:
        return await mall_resolvers.mall_price_rules(info.context)

    @strawberry.field(permission_classes=[IsStaff], description="The mall's operator-changeable numbers (staff).")
    async def mall_settings(self) -> gql_mall.MallSettings:
        return await mall_resolvers.mall_settings_view()


@strawberry.type
class RestMutation:
    @strawberry.mutation(permission_classes=[IsChainAdmin], description="Add an item to the points mall (chain admin).")
    async def create_mall_item(self, info: Info, input: gql_mall.CreateMallItemInput) -> gql_mall.MallItemPayload:
        return await mall_resolvers.create_mall_item(info.context, input)

    @strawberry.mutation(permission_classes=[IsChainAdmin], description="Edit a mall item; redemptions made keep their price (chain admin).")
    async def update_mall_item(self, info: Info, input: gql_mall.UpdateMallItemInput) -> gql_mall.MallItemPayload:
        return await mall_resolvers.update_mall_item(info.context, input)

    @strawberry.mutation(permission_classes=[IsChainAdmin], description="Take an item out of the mall; made redemptions stay.")
    async def retire_mall_item(self, info: Info, input: gql_mall.RetireMallItemInput) -> gql_mall.MallItemPayload:
        return await mall_resolvers.retire_mall_item(info.context, input)

    @strawberry.mutation(permission_classes=[IsChainAdmin], description="Add stock, spread over the item's buckets.")
    async def restock_mall_item(self, info: Info, input: gql_mall.RestockMallItemInput) -> gql_mall.MallItemPayload:
        return await mall_resolvers.restock_mall_item(info.context, input)

    @strawberry.mutation(permission_classes=[IsChainAdmin], description="A seasonal or member-day price rule for the mall (chain admin).")
    async def create_mall_price_rule(self, info: Info, input: gql_mall.CreateMallPriceRuleInput) -> gql_mall.MallPriceRulePayload:
        return await mall_resolvers.create_mall_price_rule(info.context, input)

    @strawberry.mutation(permission_classes=[IsChainAdmin], description="Stop a mall price rule (chain admin).")
    async def retire_mall_price_rule(self, info: Info, input: gql_mall.RetireMallPriceRuleInput) -> gql_mall.MallPriceRulePayload:
        return await mall_resolvers.retire_mall_price_rule(info.context, input)

    @strawberry.mutation(permission_classes=[IsChainAdmin], description="Change the mall's numbers: redemption validity, attempt limits, the new-item window (chain admin).")
    async def update_mall_settings(
        self, info: Info, input: gql_mall.UpdateMallSettingsInput
    ) -> gql_mall.UpdateMallSettingsPayload:
        return await mall_resolvers.update_mall_settings(info.context, input)

    @strawberry.mutation(description="Redeem an item: points and stock taken at once, a code to collect it. Idempotent.")
    async def redeem_mall_item(self, info: Info, input: gql_mall.RedeemMallItemInput) -> gql_mall.RedeemMallItemPayload:
        return await mall_resolvers.redeem_mall_item(info.context, input)

    @strawberry.mutation(description="The write-off at the counter of the collecting store, exactly once.")
    async def fulfill_redemption(self, info: Info, input: gql_mall.FulfillRedemptionInput) -> gql_mall.FulfillRedemptionPayload:
        return await mall_resolvers.fulfill_redemption(info.context, input)

    @strawberry.mutation(description="Cancel before collection: points (with their expiry) and stock come back.")
    async def cancel_redemption(self, info: Info, input: gql_mall.CancelRedemptionInput) -> gql_mall.CancelRedemptionPayload:
        return await mall_resolvers.cancel_redemption(info.context, input)

    @strawberry.mutation(permission_classes=[IsChainAdmin], description="Expire uncollected redemptions past their time now.")
    async def expire_redemptions(self, info: Info, input: gql_mall.ExpireRedemptionsInput) -> gql_mall.ExpireRedemptionsPayload:
        return await mall_resolvers.expire_redemptions(info.context)


# Merged in this order, so the printed schema lists each context's fields together.
Query = merge_types("Query", (NodeQuery, StoreQuery, MemberQuery, ProgrammeQuery, EarningQuery, TierQuery, RestQuery2))
Mutation = merge_types("Mutation", (StoreMutation, MemberMutation, ProgrammeMutation, TierMutation, EarningMutation, RestMutation))


def build_schema() -> strawberry.Schema:
    """The schema: types and resolvers. Running operations against it is schema/execution.py's."""
    return strawberry.Schema(query=Query, mutation=Mutation, types=[t for t, _, _ in NODE_TYPES.values()])
