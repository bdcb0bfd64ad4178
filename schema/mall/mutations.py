"""Mall root mutations."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from domain.errors import DomainError
from resolvers.mall import mutations
from resolvers.members.queries import member_after_write, member_as_written
from schema.errors import payload_of
from schema.mall import inputs
from schema.mall.payloads import (
    CancelRedemptionPayload,
    ExpireRedemptionsPayload,
    FulfillRedemptionPayload,
    MallItemPayload,
    MallPriceRulePayload,
    RedeemMallItemPayload,
    UpdateMallSettingsPayload,
)
from schema.mall.types import MallItem, MallPriceRule, MallSettings, Redemption
from schema.members.types import Member
from schema.permissions import IsChainAdmin
from schema.scalars import MoneyInput, money_pair


def _item(entry: Any) -> dict[str, Any]:
    return {"item": MallItem.from_model(entry)}


def _rule(rule: Any) -> dict[str, Any]:
    return {"rule": MallPriceRule.from_model(rule)}


def _redemption_shown(exc: DomainError) -> dict[str, Any]:
    """A refusal about a redemption the caller should see (already fulfilled: when and where) shows it."""
    shown = getattr(exc, "redemption", None)
    return {"redemption": Redemption.from_model(shown) if shown is not None else None}


def _plain(value: Any) -> Any:
    if isinstance(value, MoneyInput):
        return value.as_pair()
    return value.value if isinstance(value, Enum) else value


def _given(data: inputs.UpdateMallItemInput) -> dict[str, Any]:
    """The fields the input set, null included, enums as their values."""
    return {name: _plain(value) for name, value in vars(data).items() if name != "id" and value is not strawberry.UNSET}


@strawberry.type
class MallMutation:
    @strawberry.mutation(permission_classes=[IsChainAdmin], description="Add an item to the points mall (chain admin).")
    async def create_mall_item(
        self,
        info: Info,
        input: Annotated[
            inputs.CreateMallItemInput, strawberry.argument(description="The item, its price, stock, limits and availability.")
        ],
    ) -> MallItemPayload:
        work = mutations.create_mall_item(
            info.context, name=input.name, band=input.band.value, kind=input.kind.value, points_price=input.points_price,
            description=input.description, image_url=input.image_url, cash_price=input.cash_price,
            cash_price_money=money_pair(input.cash_price_money), cost_money=money_pair(input.cost_money), stock=input.stock,
            stock_buckets=input.stock_buckets, per_member_limit=input.per_member_limit,
            limit_period=input.limit_period.value, eligible_tiers=input.eligible_tiers, store_ids=input.store_ids,
            available_from=input.available_from, available_until=input.available_until,
            idempotency_key=input.idempotency_key,
        )
        return await payload_of(MallItemPayload, work, _item)

    @strawberry.mutation(
        permission_classes=[IsChainAdmin], description="Edit a mall item; redemptions made keep their price (chain admin)."
    )
    async def update_mall_item(
        self,
        info: Info,
        input: Annotated[inputs.UpdateMallItemInput, strawberry.argument(description="The item and the fields to change.")],
    ) -> MallItemPayload:
        return await payload_of(MallItemPayload, mutations.update_mall_item(info.context, input.id, _given(input)), _item)

    @strawberry.mutation(permission_classes=[IsChainAdmin], description="Take an item out of the mall; made redemptions stay.")
    async def retire_mall_item(
        self, info: Info, input: Annotated[inputs.RetireMallItemInput, strawberry.argument(description="The item to retire.")]
    ) -> MallItemPayload:
        return await payload_of(MallItemPayload, mutations.retire_mall_item(info.context, input.id), _item)

    @strawberry.mutation(permission_classes=[IsChainAdmin], description="Add stock, spread over the item's buckets.")
    async def restock_mall_item(
        self,
        info: Info,
        input: Annotated[
            inputs.RestockMallItemInput, strawberry.argument(description="The item, the units to add and an idempotency key.")
        ],
    ) -> MallItemPayload:
        work = mutations.restock_mall_item(info.context, input.item_id, input.quantity, input.idempotency_key)
        return await payload_of(MallItemPayload, work, _item)

    @strawberry.mutation(permission_classes=[IsChainAdmin], description="A seasonal or member-day price rule for the mall (chain admin).")
    async def create_mall_price_rule(
        self,
        info: Info,
        input: Annotated[
            inputs.CreateMallPriceRuleInput, strawberry.argument(description="The rule's code, kind, percent, bands and days.")
        ],
    ) -> MallPriceRulePayload:
        work = mutations.create_mall_price_rule(
            info.context, code=input.code, name=input.name, kind=input.kind.value, percent=input.percent,
            bands=[b.value for b in input.bands], day_of_month=input.day_of_month, date_from=input.date_from,
            date_to=input.date_to,
        )
        return await payload_of(MallPriceRulePayload, work, _rule)

    @strawberry.mutation(permission_classes=[IsChainAdmin], description="Stop a mall price rule (chain admin).")
    async def retire_mall_price_rule(
        self, info: Info, input: Annotated[inputs.RetireMallPriceRuleInput, strawberry.argument(description="The rule to stop.")]
    ) -> MallPriceRulePayload:
        return await payload_of(MallPriceRulePayload, mutations.retire_mall_price_rule(info.context, input.id), _rule)

    @strawberry.mutation(
        permission_classes=[IsChainAdmin],
        description="Change the mall's numbers: redemption validity, attempt limits, the new-item window (chain admin).",
    )
    async def update_mall_settings(
        self, info: Info, input: Annotated[inputs.UpdateMallSettingsInput, strawberry.argument(description="The settings to change.")]
    ) -> UpdateMallSettingsPayload:
        changes = {name: value for name, value in vars(input).items() if value is not None}
        return await payload_of(
            UpdateMallSettingsPayload, mutations.update_mall_settings(changes),
            lambda values: {"settings": MallSettings.from_values(values)},
        )

    @strawberry.mutation(description="Redeem an item: points and stock taken at once, a code to collect it. Idempotent.")
    async def redeem_mall_item(
        self,
        info: Info,
        input: Annotated[
            inputs.RedeemMallItemInput,
            strawberry.argument(
                description="The item, the quantity, the collecting store, the member for kiosks and clerks, and an idempotency key."
            ),
        ],
    ) -> RedeemMallItemPayload:
        ctx = info.context

        async def redeemed(outcome: Any) -> dict[str, Any]:
            if outcome.member_after is not None:
                member = member_as_written(ctx, outcome.member_after)
            else:  # a replay, or an item that cost no points
                member = await member_after_write(ctx, outcome.redemption.member_id)
            return {
                "redemption": Redemption.from_model(outcome.redemption), "member": Member.from_model(member),
                "replayed": outcome.replayed,
            }

        work = mutations.redeem_mall_item(
            ctx, item_id=input.item_id, quantity=input.quantity, store_id=input.store_id, member_code=input.member_code,
            idempotency_key=input.idempotency_key,
        )
        return await payload_of(RedeemMallItemPayload, work, redeemed)

    @strawberry.mutation(description="The write-off at the counter of the collecting store, exactly once.")
    async def fulfill_redemption(
        self,
        info: Info,
        input: Annotated[
            inputs.FulfillRedemptionInput, strawberry.argument(description="The code shown by the member and the store handing it out.")
        ],
    ) -> FulfillRedemptionPayload:
        return await payload_of(
            FulfillRedemptionPayload, mutations.fulfill_redemption(info.context, input.code, input.store_id),
            lambda redemption: {"redemption": Redemption.from_model(redemption)}, failed=_redemption_shown,
        )

    @strawberry.mutation(description="Cancel before collection: points (with their expiry) and stock come back.")
    async def cancel_redemption(
        self,
        info: Info,
        input: Annotated[inputs.CancelRedemptionInput, strawberry.argument(description="The redemption, why, and an idempotency key.")],
    ) -> CancelRedemptionPayload:
        ctx = info.context

        async def cancelled(redemption: Any) -> dict[str, Any]:
            member = await member_after_write(ctx, redemption.member_id)
            return {"redemption": Redemption.from_model(redemption), "member": Member.from_model(member)}

        work = mutations.cancel_redemption(ctx, input.redemption_id, input.reason, input.idempotency_key)
        return await payload_of(CancelRedemptionPayload, work, cancelled, failed=_redemption_shown)

    @strawberry.mutation(permission_classes=[IsChainAdmin], description="Expire uncollected redemptions past their time now.")
    async def expire_redemptions(
        self,
        info: Info,
        input: Annotated[inputs.ExpireRedemptionsInput, strawberry.argument(description="No options: the run uses redemptionValidHours.")],
    ) -> ExpireRedemptionsPayload:
        return await payload_of(ExpireRedemptionsPayload, mutations.expire_redemptions(info.context), lambda n: {"expired": n})
