"""Earning root mutations."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from domain.errors import DomainError
from resolvers.context import RequestContext
from resolvers.earning import mutations
from resolvers.members.queries import member_after_write
from schema.earning import inputs
from schema.earning.payloads import (
    AdjustPointsPayload,
    CampaignPayload,
    CheckInPayload,
    ExpirePointsPayload,
    PointsError,
    RecordPurchasePayload,
    ReturnPurchasePayload,
    SetEarnRatePayload,
    SetStoreFlagPayload,
    SubmitPurchaseBatchPayload,
    SubmitReviewPayload,
)
from schema.earning.types import Campaign, EarnRate, Purchase
from schema.errors import errors_of, payload_of
from schema.members.types import Member
from schema.permissions import IsChainAdmin, IsStaff
from schema.scalars import money_pair


def _purchase_fields(data: inputs.RecordPurchaseInput) -> dict[str, Any]:
    return {
        "member_code": data.member_code, "store_id": data.store_id, "channel": data.channel.value,
        "lines": [
            (line.sku, line.category, line.quantity, line.unit_price, money_pair(line.unit_price_money), line.bundle_id)
            for line in data.lines
        ],
        "client_txn_id": data.client_txn_id, "occurred_at": data.occurred_at, "points_to_redeem": data.points_to_redeem,
        "coupon_codes": data.coupon_codes, "delivery_fee": money_pair(data.delivery_fee),
    }


async def _member(ctx: RequestContext, member_id: int) -> Member:
    return Member.from_model(await member_after_write(ctx, member_id))


async def _recorded(ctx: RequestContext, outcome: Any) -> dict[str, Any]:
    return {
        "purchase": Purchase.from_model(outcome.purchase), "member": await _member(ctx, outcome.purchase.member_id),
        "replayed": outcome.replayed,
    }


async def _batch_results(ctx: RequestContext, outcomes: list[Any]) -> dict[str, Any]:
    results = []
    for i, outcome in enumerate(outcomes):
        if isinstance(outcome, DomainError):
            errors = errors_of(PointsError, outcome)
            for error in errors:
                if error.field:
                    error.field = f"purchases.{i}.{error.field}"
            results.append(RecordPurchasePayload(errors=errors))
        else:
            results.append(RecordPurchasePayload(**await _recorded(ctx, outcome)))
    return {"results": results}


def _campaign(campaign: Any) -> dict[str, Any]:
    return {"campaign": Campaign.from_model(campaign)}


def _conditions(cond: inputs.CampaignConditionsInput) -> dict[str, Any]:
    """The conditions as the rulebook stores them."""
    return {
        "dateFrom": cond.date_from.isoformat() if cond.date_from else None,
        "dateTo": cond.date_to.isoformat() if cond.date_to else None,
        "dayOfMonth": cond.day_of_month, "weekdays": cond.weekdays,
        "channels": [c.value for c in cond.channels] if cond.channels else None,
        "categories": [c.upper() for c in cond.categories] if cond.categories else None,
        "tiers": [t.upper() for t in cond.tiers] if cond.tiers else None,
        "birthdayMonth": cond.birthday_month, "firstOrder": cond.first_order, "storeFlag": cond.store_flag,
    }


@strawberry.type
class EarningMutation:
    @strawberry.mutation(description="Record a paid purchase: points credited now. Idempotent on clientTxnId.")
    async def record_purchase(
        self, info: Info,
        input: Annotated[
            inputs.RecordPurchaseInput,
            strawberry.argument(description="The sale; idempotent on clientTxnId per device (or store, for staff)."),
        ],
    ) -> RecordPurchasePayload:
        ctx = info.context
        return await payload_of(
            RecordPurchasePayload, mutations.record_purchase(ctx, _purchase_fields(input)),
            lambda outcome: _recorded(ctx, outcome),
        )

    @strawberry.mutation(description="Offline backfill: up to 500 purchases, each answered on its own.")
    async def submit_purchase_batch(
        self, info: Info,
        input: Annotated[
            inputs.SubmitPurchaseBatchInput,
            strawberry.argument(description="Up to 500 offline purchases, each idempotent on its clientTxnId."),
        ],
    ) -> SubmitPurchaseBatchPayload:
        ctx = info.context
        work = mutations.submit_purchase_batch(ctx, [_purchase_fields(p) for p in input.purchases])
        return await payload_of(SubmitPurchaseBatchPayload, work, lambda outcomes: _batch_results(ctx, outcomes))

    @strawberry.mutation(description="A full or partial return takes back the points it earned and refunds points paid.")
    async def return_purchase(
        self, info: Info,
        input: Annotated[
            inputs.ReturnPurchaseInput,
            strawberry.argument(description="The purchase, the lines returned (null: all that is left) and an idempotency key."),
        ],
    ) -> ReturnPurchasePayload:
        ctx = info.context

        async def returned(purchase: Any) -> dict[str, Any]:
            return {"purchase": Purchase.from_model(purchase), "member": await _member(ctx, purchase.member_id)}

        lines = [(line.line_no, line.quantity) for line in input.lines or []]
        work = mutations.return_purchase(ctx, input.purchase_id, lines, input.idempotency_key)
        return await payload_of(ReturnPurchasePayload, work, returned)

    @strawberry.mutation(description="The signed-in member's daily check-in.")
    async def check_in(
        self, info: Info,
        input: Annotated[
            inputs.CheckInInput,
            strawberry.argument(description="An optional idempotencyKey makes a retry answer the first check-in again."),
        ],
    ) -> CheckInPayload:
        ctx = info.context

        async def checked_in(result: Any) -> dict[str, Any]:
            return {
                "points_awarded": result.points_awarded, "streak_days": result.streak_days, "replayed": result.replayed,
                "member": await _member(ctx, ctx.viewer.subject_id),
            }

        return await payload_of(CheckInPayload, mutations.check_in(ctx, input.idempotency_key), checked_in)

    @strawberry.mutation(description="Review a purchased item, once per purchase line.")
    async def submit_review(
        self, info: Info,
        input: Annotated[inputs.SubmitReviewInput, strawberry.argument(description="The purchase line, a rating and a text.")],
    ) -> SubmitReviewPayload:
        work = mutations.submit_review(info.context, input.purchase_line_id, input.rating, input.text, input.idempotency_key)
        return await payload_of(
            SubmitReviewPayload, work, lambda outcome: {"points_awarded": outcome.review.points, "replayed": outcome.replayed}
        )

    @strawberry.mutation(permission_classes=[IsChainAdmin], description="A manual correction, audited.")
    async def adjust_points(
        self, info: Info,
        input: Annotated[
            inputs.AdjustPointsInput,
            strawberry.argument(description="The member, the signed points, why, and an idempotency key."),
        ],
    ) -> AdjustPointsPayload:
        ctx = info.context

        async def adjusted(result: tuple[int, int, int]) -> dict[str, Any]:
            member_id, before, after = result
            return {"member": await _member(ctx, member_id), "balance_before": before, "balance_after": after}

        work = mutations.adjust_points(ctx, input.member_id, input.amount, input.reason, input.idempotency_key)
        return await payload_of(AdjustPointsPayload, work, adjusted)

    @strawberry.mutation(permission_classes=[IsChainAdmin], description="Expire due points and send reminders now.")
    async def expire_points(
        self, info: Info,
        input: Annotated[inputs.ExpirePointsInput, strawberry.argument(description="No options: the run uses the programme settings.")],
    ) -> ExpirePointsPayload:
        return await payload_of(
            ExpirePointsPayload, mutations.expire_points(info.context),
            lambda report: {"expired_lots": report.expired_lots, "reminders_sent": report.reminders},
        )

    @strawberry.mutation(
        permission_classes=[IsChainAdmin],
        description="Points per yuan for a category from a moment on; a cut needs the notice period (chain admin).",
    )
    async def set_earn_rate(
        self, info: Info,
        input: Annotated[
            inputs.SetEarnRateInput,
            strawberry.argument(description="The category, its points per yuan and when it applies."),
        ],
    ) -> SetEarnRatePayload:
        work = mutations.set_earn_rate(info.context, input.category, input.points_per_yuan, input.effective_from)
        return await payload_of(SetEarnRatePayload, work, lambda rate: {"rate": EarnRate.from_model(rate)})

    @strawberry.mutation(
        permission_classes=[IsChainAdmin],
        description="A campaign: conditions, a multiplier or bonus, stacking, caps and a budget (chain admin).",
    )
    async def create_campaign(
        self, info: Info,
        input: Annotated[
            inputs.CreateCampaignInput,
            strawberry.argument(description="Its code, effect, conditions, caps, budget and time window."),
        ],
    ) -> CampaignPayload:
        work = mutations.create_campaign(
            info.context, code=input.code, name=input.name, multiplier=input.multiplier, bonus_points=input.bonus_points,
            stacking=input.stacking.value, conditions=_conditions(input.conditions),
            cap_per_member_per_day=input.cap_per_member_per_day, cap_per_member=input.cap_per_member,
            budget=input.budget, starts_at=input.starts_at, ends_at=input.ends_at,
        )
        return await payload_of(CampaignPayload, work, _campaign)

    @strawberry.mutation(permission_classes=[IsChainAdmin], description="End a campaign, after the notice period.")
    async def end_campaign(
        self, info: Info,
        input: Annotated[
            inputs.EndCampaignInput,
            strawberry.argument(description="The campaign and when it ends (default: as soon as the notice period allows)."),
        ],
    ) -> CampaignPayload:
        return await payload_of(CampaignPayload, mutations.end_campaign(info.context, input.id, input.ends_at), _campaign)

    @strawberry.mutation(permission_classes=[IsStaff], description="A store manager flags the day, e.g. RAINY_DAY.")
    async def set_store_flag(
        self, info: Info,
        input: Annotated[inputs.SetStoreFlagInput, strawberry.argument(description="The store, the flag and the day.")],
    ) -> SetStoreFlagPayload:
        work = mutations.set_store_flag(info.context, input.store_id, input.flag, input.date, input.on)
        return await payload_of(SetStoreFlagPayload, work, lambda flags: {"flags": flags})
