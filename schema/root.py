"""The root Query and Mutation, assembled from the resolvers; `build_schema` makes the schema."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from resolvers import mall as mall_resolvers
from resolvers import members as member_resolvers
from resolvers import points as points_resolvers
from schema import mall as gql_mall
from schema import members as gql_members
from schema import points as gql_points
from schema.permissions import IsChainAdmin, IsStaff
from schema.nodes import NODE_TYPES, NodeQuery
from schema.programme.mutations import ProgrammeMutation
from schema.programme.queries import ProgrammeQuery
from schema.relay import Connection
from schema.stores.mutations import StoreMutation
from schema.stores.queries import StoreQuery
from strawberry.tools import merge_types


@strawberry.type
class MembersQuery:
    @strawberry.field(description="The signed-in member; null for any other caller.")
    async def me(self, info: Info) -> gql_members.Member | None:
        return await member_resolvers.me(info.context)

    @strawberry.field(description="Look a member up by code (staff, devices) or phone (staff).")
    async def member(self, info: Info, code: str | None = None, phone: str | None = None) -> gql_members.Member | None:
        return await member_resolvers.member(info.context, code, phone)

    @strawberry.field(permission_classes=[IsStaff], description="Members the caller's store may see.")
    async def members(
        self, info: Info, filter: gql_members.MemberFilter | None = None, first: int | None = None,
        after: str | None = None,
    ) -> Connection[gql_members.Member]:
        return await member_resolvers.members_connection(info.context, filter, first, after)



@strawberry.type
class RestQuery:
    @strawberry.field(description="Rule changes announced and not yet in force, soonest first.")
    async def upcoming_rule_changes(self, info: Info) -> list[gql_points.RuleChange]:
        return await points_resolvers.upcoming_rule_changes(info.context)

    @strawberry.field(permission_classes=[IsStaff], description="Earning campaigns, past, running and planned (staff).")
    async def campaigns(self, info: Info) -> list[gql_points.Campaign]:
        return await points_resolvers.campaigns(info.context)

    @strawberry.field(description="Tiers and their benefits, lowest first.")
    async def tiers(self) -> list[gql_members.Tier]:
        return await member_resolvers.tiers_list()

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
class MembersMutation:
    @strawberry.mutation(description="Register a member; the same phone never makes a second member.")
    async def register_member(self, info: Info, input: gql_members.RegisterMemberInput) -> gql_members.RegisterMemberPayload:
        return await member_resolvers.register_member(info.context, input)

    @strawberry.mutation(description="Send a one-time sign-in code to a phone.")
    async def request_login_code(
        self, info: Info, input: gql_members.RequestLoginCodeInput
    ) -> gql_members.RequestLoginCodePayload:
        return await member_resolvers.request_login_code(info.context, input)

    @strawberry.mutation(description="Sign a member in with the code sent to their phone.")
    async def login_with_code(self, info: Info, input: gql_members.LoginWithCodeInput) -> gql_members.MemberSessionPayload:
        return await member_resolvers.login_with_code(info.context, input)

    @strawberry.mutation(description="Trade a member's refresh token (once) for a new token pair.")
    async def refresh_member_session(
        self, info: Info, input: gql_members.RefreshMemberSessionInput
    ) -> gql_members.MemberSessionPayload:
        return await member_resolvers.refresh_member_session(info.context, input)

    @strawberry.mutation(description="The signed-in member edits their own profile; a birthday, once set, is locked.")
    async def update_my_profile(self, info: Info, input: gql_members.UpdateMyProfileInput) -> gql_members.UpdateMyProfilePayload:
        return await member_resolvers.update_my_profile(info.context, input)



@strawberry.type
class RestMutation:
    @strawberry.mutation(permission_classes=[IsChainAdmin], description="Add a tier with its thresholds, multiplier, discount and benefits (chain admin).")
    async def create_tier(self, info: Info, input: gql_members.CreateTierInput) -> gql_members.TierPayload:
        return await member_resolvers.create_tier(info.context, input)

    @strawberry.mutation(permission_classes=[IsChainAdmin], description="Edit a tier; members are re-evaluated by activity and at the next review (chain admin).")
    async def update_tier(self, info: Info, input: gql_members.UpdateTierInput) -> gql_members.TierPayload:
        return await member_resolvers.update_tier(info.context, input)

    @strawberry.mutation(permission_classes=[IsChainAdmin], description="A manual tier floor, with a reason.")
    async def set_member_tier_floor(
        self, info: Info, input: gql_members.SetMemberTierFloorInput
    ) -> gql_members.SetMemberTierFloorPayload:
        return await member_resolvers.set_member_tier_floor(info.context, input)

    @strawberry.mutation(permission_classes=[IsChainAdmin], description="The periodic review: downgrades by one tier at most.")
    async def review_tiers(self, info: Info, input: gql_members.ReviewTiersInput) -> gql_members.ReviewTiersPayload:
        return await member_resolvers.review_tiers(info.context, input)

    @strawberry.mutation(description="Record a paid purchase: points credited now. Idempotent on clientTxnId.")
    async def record_purchase(self, info: Info, input: gql_points.RecordPurchaseInput) -> gql_points.RecordPurchasePayload:
        return await points_resolvers.record_purchase(info.context, input)

    @strawberry.mutation(description="Offline backfill: up to 500 purchases, each answered on its own.")
    async def submit_purchase_batch(
        self, info: Info, input: gql_points.SubmitPurchaseBatchInput
    ) -> gql_points.SubmitPurchaseBatchPayload:
        return await points_resolvers.submit_purchase_batch(info.context, input)

    @strawberry.mutation(description="A full or partial return takes back the points it earned and refunds points paid.")
    async def return_purchase(self, info: Info, input: gql_points.ReturnPurchaseInput) -> gql_points.ReturnPurchasePayload:
        return await points_resolvers.return_purchase(info.context, input)

    @strawberry.mutation(description="The signed-in member's daily check-in.")
    async def check_in(self, info: Info, input: gql_points.CheckInInput) -> gql_points.CheckInPayload:
        return await points_resolvers.check_in(info.context, input)

    @strawberry.mutation(description="Review a purchased item, once per purchase line.")
    async def submit_review(self, info: Info, input: gql_points.SubmitReviewInput) -> gql_points.SubmitReviewPayload:
        return await points_resolvers.submit_review(info.context, input)

    @strawberry.mutation(permission_classes=[IsChainAdmin], description="A manual correction, audited.")
    async def adjust_points(self, info: Info, input: gql_points.AdjustPointsInput) -> gql_points.AdjustPointsPayload:
        return await points_resolvers.adjust_points(info.context, input)

    @strawberry.mutation(permission_classes=[IsChainAdmin], description="Expire due points and send reminders now.")
    async def expire_points(self, info: Info, input: gql_points.ExpirePointsInput) -> gql_points.ExpirePointsPayload:
        return await points_resolvers.expire_points(info.context)

    @strawberry.mutation(permission_classes=[IsChainAdmin], description="Points per yuan for a category from a moment on; a cut needs the notice period (chain admin).")
    async def set_earn_rate(self, info: Info, input: gql_points.SetEarnRateInput) -> gql_points.SetEarnRatePayload:
        return await points_resolvers.set_earn_rate(info.context, input)

    @strawberry.mutation(permission_classes=[IsChainAdmin], description="A campaign: conditions, a multiplier or bonus, stacking, caps and a budget (chain admin).")
    async def create_campaign(self, info: Info, input: gql_points.CreateCampaignInput) -> gql_points.CampaignPayload:
        return await points_resolvers.create_campaign(info.context, input)

    @strawberry.mutation(permission_classes=[IsChainAdmin], description="End a campaign, after the notice period.")
    async def end_campaign(self, info: Info, input: gql_points.EndCampaignInput) -> gql_points.CampaignPayload:
        return await points_resolvers.end_campaign(info.context, input)

    @strawberry.mutation(permission_classes=[IsStaff], description="A store manager flags the day, e.g. RAINY_DAY.")
    async def set_store_flag(self, info: Info, input: gql_points.SetStoreFlagInput) -> gql_points.SetStoreFlagPayload:
        return await points_resolvers.set_store_flag(info.context, input)

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
Query = merge_types("Query", (NodeQuery, StoreQuery, MembersQuery, ProgrammeQuery, RestQuery))
Mutation = merge_types("Mutation", (StoreMutation, MembersMutation, ProgrammeMutation, RestMutation))


def build_schema() -> strawberry.Schema:
    """The schema: types and resolvers. Running operations against it is schema/execution.py's."""
    return strawberry.Schema(query=Query, mutation=Mutation, types=[t for t, _, _ in NODE_TYPES.values()])
