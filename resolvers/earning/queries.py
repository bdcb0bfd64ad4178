"""Earning queries: a member's purchases and why they earned, earn rates, campaigns and announced rule changes."""

from __future__ import annotations

import asyncio
from datetime import datetime

from domain.earning import explained, rulebook, rules_admin, visibility
from domain.earning.models import CampaignRule, Purchase
from domain.pagination import Page, keyset_page, micros, page_in_order
from resolvers.context import RequestContext
from resolvers.earning.loaders import RULEBOOK
from resolvers.paging import page_request


async def member_purchases(
    ctx: RequestContext, member_pk: int, home_store_pk: int | None, first: int | None, after: str | None
) -> Page[Purchase]:
    query = visibility.purchases_of_member(ctx.viewer, member_pk, home_store_id=home_store_pk)
    return await keyset_page(query, page_request(first, after), descending=True)


async def campaigns(first: int | None, after: str | None) -> Page[CampaignRule]:
    """By start, then id."""
    listed = await rules_admin.list_campaigns()
    return page_in_order(listed, page_request(first, after), lambda c: [micros(c.starts_at), c.id])


async def upcoming_rule_changes(ctx: RequestContext, first: int | None, after: str | None) -> Page[rules_admin.RuleChange]:
    """Soonest first; changes of one moment by their description."""
    changes = sorted(await rules_admin.upcoming_changes(ctx.clock), key=lambda c: (micros(c.effective_from), c.description))
    return page_in_order(changes, page_request(first, after), lambda c: [micros(c.effective_from), c.description])


async def earn_rates(ctx: RequestContext, at: datetime | None) -> list[rulebook.StoredRate]:
    return await rules_admin.rates_in_force(at, clock=ctx.clock)


async def points_explained(ctx: RequestContext, purchase: Purchase) -> list[explained.PointsReason]:
    """Why a purchase the viewer already sees earned its points: its lines and campaign extras by loader."""
    loaders = ctx.loaders
    lines, campaign_points, book = await asyncio.gather(
        loaders.purchase_lines.load(purchase.id), loaders.purchase_campaign_points.load(purchase.id), loaders.rulebook.load(RULEBOOK),
    )
    return explained.explain(purchase, lines, campaign_points, book.campaigns_by_code())
