"""Donations queries: projects with their progress, a member's donations, certificates, settlements."""

from __future__ import annotations

from typing import Any

from domain.donations import history, projects, settlement
from domain.donations import settings as donation_settings
from domain.donations.history import Certificate
from domain.donations.models import Donation
from domain.donations.projects import ProjectView
from domain.pagination import Page
from resolvers.context import RequestContext
from resolvers.global_ids import InvalidGlobalId, pk_of
from resolvers.paging import page_request


async def charity_projects(ctx: RequestContext, status: str | None, first: int | None, after: str | None) -> Page[ProjectView]:
    return await projects.listed(ctx.viewer, status, page_request(first, after))


async def charity_project(ctx: RequestContext, global_id: str) -> ProjectView | None:
    try:
        return await ctx.loaders.charity_project.load(pk_of(global_id, "CharityProject"))
    except InvalidGlobalId:
        return None


async def member_donations(ctx: RequestContext, member_pk: int, first: int | None, after: str | None) -> Page[Donation]:
    return await history.of_member(ctx.viewer, member_pk, page_request(first, after))


async def certificate(code: str) -> Certificate | None:
    return await history.certificate(code)


async def charity_settlement(ctx: RequestContext, project_id: str) -> settlement.Statement | None:
    try:
        pk = pk_of(project_id, "CharityProject")
    except InvalidGlobalId:
        return None
    try:
        return await settlement.statement(ctx.viewer, pk)
    except settlement.DonationError:
        return None


async def charity_settings_values() -> dict[str, Any]:
    return await donation_settings.current()
