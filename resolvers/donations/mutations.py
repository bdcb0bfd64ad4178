"""Donations mutations: projects through their states, donating, settling, settings."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from domain import money
from domain.bounds import BadMoney, fen_from_yuan
from domain.donations import projects, refunds, settlement
from domain.donations import settings as donation_settings
from domain.donations.donating import DonateOutcome, DonateRequest, donate
from domain.donations.errors import DonationError, DonationErrorCode
from domain.donations.projects import ProjectDraft, ProjectView
from resolvers.context import RequestContext
from resolvers.global_ids import input_pk, optional_input_pk


async def create_charity_project(
    ctx: RequestContext, *, name: str, goal_points: int, opens_at: datetime, closes_at: datetime, minimum_points: int,
    stop_at_goal: bool, description: str, image_url: str | None, beneficiary: str, match_ratio: Decimal | None,
    match_cap_points: int | None,
) -> ProjectView:
    draft = ProjectDraft(
        name=name, goal_points=goal_points, opens_at=opens_at, closes_at=closes_at, minimum_points=minimum_points,
        stop_at_goal=stop_at_goal, description=description, image_url=image_url, beneficiary=beneficiary,
        match_ratio=match_ratio, match_cap_points=match_cap_points,
    )
    return await projects.create(ctx.viewer, draft, clock=ctx.clock)


def _project_pk(project_id: str) -> int:
    return input_pk(project_id, "CharityProject", "projectId")


async def open_charity_project(ctx: RequestContext, project_id: str) -> ProjectView:
    return await projects.open_project(ctx.viewer, _project_pk(project_id), clock=ctx.clock)


async def close_charity_project(ctx: RequestContext, project_id: str) -> ProjectView:
    return await projects.close_project(ctx.viewer, _project_pk(project_id), clock=ctx.clock)


async def cancel_charity_project(ctx: RequestContext, project_id: str) -> tuple[ProjectView, int]:
    return await refunds.cancel(ctx.viewer, _project_pk(project_id), clock=ctx.clock)


async def settle_charity_project(
    ctx: RequestContext, project_id: str, reference: str, paid_on: date | None, amount: tuple[Decimal, str] | None
) -> ProjectView:
    amount_fen = None
    if amount is not None:
        text = money.yuan_text(None, amount, field="amount")
        try:
            amount_fen = fen_from_yuan(text or "")
        except BadMoney as exc:
            raise DonationError(DonationErrorCode.INVALID_PRICE, f"An amount {exc}.", field="amount.amount") from None
    pk = _project_pk(project_id)
    await settlement.settle(
        ctx.viewer, pk, reference=reference, paid_on=paid_on, amount_fen=amount_fen, actor=ctx.viewer.idempotency_scope,
        clock=ctx.clock,
    )
    return await projects.view(pk)


async def donate_points(
    ctx: RequestContext, *, project_id: str, points: int, anonymous: bool, idempotency_key: str, member_code: str | None,
    store_id: str | None,
) -> DonateOutcome:
    request = DonateRequest(
        project_id=_project_pk(project_id), points=points, idempotency_key=idempotency_key, anonymous=anonymous,
        store_id=optional_input_pk(store_id, "Store", "storeId"), member_code=member_code,
    )
    return await donate(ctx.viewer, request, clock=ctx.clock)


async def update_charity_settings(changes: dict[str, int]) -> dict[str, Any]:
    return await donation_settings.update({key: value for key, value in changes.items() if key in donation_settings.DEFAULTS})
