"""Lottery root mutations."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from resolvers.lotteries import mutations
from resolvers.members.queries import member_after_write, member_as_written
from schema.errors import payload_of
from schema.lotteries import inputs
from schema.lotteries.payloads import DrawLotteryPayload, LotteryPayload
from schema.lotteries.types import Lottery, LotteryDraw
from schema.members.types import Member
from schema.permissions import IsChainAdmin


def _lottery(table: Any) -> dict[str, Any]:
    return {"lottery": Lottery.from_model(table)}


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _prizes(prizes: list[inputs.LotteryPrizeInput]) -> list[dict[str, Any]]:
    return [{name: _plain(value) for name, value in vars(p).items()} for p in prizes]


@strawberry.type
class LotteryMutation:
    @strawberry.mutation(permission_classes=[IsChainAdmin], description="Create a lottery as a DRAFT (chain admin).")
    async def create_lottery(
        self, info: Info, input: Annotated[inputs.CreateLotteryInput, strawberry.argument(description="The terms and the prize table.")]
    ) -> LotteryPayload:
        values = {name: value for name, value in vars(input).items() if name != "prizes"}
        work = mutations.create_lottery(info.context, prizes=_prizes(input.prizes), **values)
        return await payload_of(LotteryPayload, work, _lottery)

    @strawberry.mutation(permission_classes=[IsChainAdmin], description="Edit a DRAFT lottery (chain admin).")
    async def update_lottery(
        self, info: Info, input: Annotated[inputs.UpdateLotteryInput, strawberry.argument(description="The lottery and what changes.")]
    ) -> LotteryPayload:
        given = {name: value for name, value in vars(input).items() if name != "lottery_id"}
        if given.get("prizes") is not None:
            given["prizes"] = _prizes(given["prizes"])
        return await payload_of(LotteryPayload, mutations.update_lottery(info.context, input.lottery_id, given), _lottery)

    @strawberry.mutation(permission_classes=[IsChainAdmin], description="Open a DRAFT: seed drawn, SHA-256 published (chain admin).")
    async def open_lottery(
        self, info: Info, input: Annotated[inputs.OpenLotteryInput, strawberry.argument(description="The lottery to open.")]
    ) -> LotteryPayload:
        return await payload_of(LotteryPayload, mutations.open_lottery(info.context, input.lottery_id), _lottery)

    @strawberry.mutation(permission_classes=[IsChainAdmin], description="Close: seed revealed, draws published (chain admin).")
    async def close_lottery(
        self, info: Info, input: Annotated[inputs.CloseLotteryInput, strawberry.argument(description="The lottery to close.")]
    ) -> LotteryPayload:
        return await payload_of(LotteryPayload, mutations.close_lottery(info.context, input.lottery_id), _lottery)

    @strawberry.mutation(description="Draw once: eligibility, caps, points, prize stock and the grant in one transaction. Idempotent.")
    async def draw_lottery(
        self,
        info: Info,
        input: Annotated[
            inputs.DrawLotteryInput,
            strawberry.argument(description="The lottery, a client seed, the member for kiosks and clerks, and an idempotency key."),
        ],
    ) -> DrawLotteryPayload:
        ctx = info.context

        async def drawn(outcome: Any) -> dict[str, Any]:
            if outcome.member_after is not None:
                member = member_as_written(ctx, outcome.member_after)
            else:  # a replay, a free draw, or a POINTS prize
                member = await member_after_write(ctx, outcome.draw.member_id)
            return {"draw": LotteryDraw.from_model(outcome), "member": Member.from_model(member), "replayed": outcome.replayed}

        work = mutations.draw_lottery(
            ctx, lottery_id=input.lottery_id, client_seed=input.client_seed, idempotency_key=input.idempotency_key,
            member_code=input.member_code, store_id=input.store_id,
        )
        return await payload_of(DrawLotteryPayload, work, drawn)
