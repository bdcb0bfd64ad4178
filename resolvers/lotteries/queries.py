"""Lottery queries: the lotteries the viewer may see, a closed lottery's draws, an admin's report."""

from __future__ import annotations

from domain.lotteries import catalogue, visibility
from domain.lotteries.catalogue import Report, Table
from domain.lotteries.visibility import ShownDraw
from domain.pagination import Page
from resolvers.context import RequestContext
from resolvers.global_ids import pk_of
from resolvers.paging import page_request


async def lotteries(ctx: RequestContext, status: str | None, first: int | None, after: str | None) -> Page[Table]:
    page = await catalogue.listed(ctx.viewer, status, page_request(first, after))
    found = await ctx.loaders.lottery.load_many([lottery.id for lottery in page.items])
    return catalogue.tables_of(page, found)


async def lottery(ctx: RequestContext, global_id: str) -> Table | None:
    return await ctx.loaders.lottery.load(pk_of(global_id, "Lottery"))


async def lottery_draws(ctx: RequestContext, lottery_id: str, first: int | None, after: str | None) -> Page[ShownDraw]:
    return await visibility.published_draws(ctx.viewer, pk_of(lottery_id, "Lottery"), page_request(first, after))


async def lottery_report(ctx: RequestContext, lottery_id: str) -> tuple[Report, Table]:
    return await catalogue.report_with_table(ctx.viewer, pk_of(lottery_id, "Lottery"))
