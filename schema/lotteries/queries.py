"""Lottery root queries."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from resolvers.lotteries import queries
from schema.lotteries.inputs import LotteryFilter
from schema.lotteries.types import Lottery, LotteryDraw, LotteryReport
from schema.permissions import IsChainAdmin
from schema.relay import After, Connection, First, connection_of, maybe


@strawberry.type
class LotteryQuery:
    @strawberry.field(description="Lotteries, newest first: open and closed ones for everyone, drafts for chain admins.")
    async def lotteries(
        self,
        info: Info,
        filter: Annotated[LotteryFilter | None, strawberry.argument(description="Which lotteries; null: all the viewer may see.")] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[Lottery]:
        status = filter.status.value if filter is not None and filter.status is not None else None
        return connection_of(await queries.lotteries(info.context, status, first, after), Lottery.from_model)

    @strawberry.field(description="One lottery; null when it does not exist or is a draft the viewer may not see.")
    async def lottery(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="The lottery's global ID.")]
    ) -> Lottery | None:
        return maybe(Lottery.from_model, await queries.lottery(info.context, id))

    @strawberry.field(description="Every draw of a closed lottery with its public inputs, in the order drawn (FORBIDDEN before it closes).")
    async def lottery_draws(
        self,
        info: Info,
        lottery_id: Annotated[strawberry.ID, strawberry.argument(description="The closed lottery's global ID.")],
        first: First = None,
        after: After = None,
    ) -> Connection[LotteryDraw]:
        return connection_of(await queries.lottery_draws(info.context, lottery_id, first, after), LotteryDraw.from_model)

    @strawberry.field(permission_classes=[IsChainAdmin], description="A lottery's draws, points, prizes and stock left (chain admin).")
    async def lottery_report(
        self, info: Info, lottery_id: Annotated[strawberry.ID, strawberry.argument(description="The lottery's global ID.")]
    ) -> LotteryReport:
        report, table = await queries.lottery_report(info.context, lottery_id)
        return LotteryReport.from_model(report, table)
