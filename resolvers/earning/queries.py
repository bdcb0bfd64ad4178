"""Earning queries: a member's purchases, campaigns and announced rule changes."""

from __future__ import annotations

from domain.earning import rules_admin, visibility
from domain.earning.models import CampaignRule, Purchase
from domain.pagination import Page, keyset_page
from resolvers.context import RequestContext
from resolvers.paging import page_request


async def member_purchases(
    ctx: RequestContext, member_pk: int, home_store_pk: int | None, first: int | None, after: str | None
) -> Page[Purchase]:
    query = visibility.purchases_of_member(ctx.viewer, member_pk, home_store_id=home_store_pk)
    return await keyset_page(query, page_request(first, after), descending=True)


async def campaigns() -> list[CampaignRule]:
    return await rules_admin.list_campaigns()


async def upcoming_rule_changes(ctx: RequestContext) -> list[rules_admin.RuleChange]:
    return await rules_admin.upcoming_changes(ctx.clock)
