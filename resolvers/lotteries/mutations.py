"""Lottery mutations: chain admins create, edit, open and close lotteries; members draw."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.lotteries import catalogue, draws
from domain.lotteries.catalogue import LotteryDraft, PrizeDraft, Table
from domain.lotteries.draws import DrawOutcome, DrawRequest
from resolvers.context import RequestContext
from resolvers.global_ids import input_pk, optional_input_pk


def prize_drafts(prizes: list[dict[str, Any]]) -> tuple[PrizeDraft, ...]:
    """Prize inputs (plain values, IDs global) as drafts."""
    return tuple(
        PrizeDraft(
            name=p["name"], kind=p["kind"], weight=p["weight"], stock=p.get("stock"), points=p.get("points"),
            coupon_template_id=optional_input_pk(p.get("coupon_template_id"), "CouponTemplate", f"prizes.{i}.couponTemplateId"),
            mall_item_id=optional_input_pk(p.get("mall_item_id"), "MallItem", f"prizes.{i}.mallItemId"),
        )
        for i, p in enumerate(prizes)
    )


async def _table(lottery_id: int) -> Table:
    found = await catalogue.table(lottery_id)
    assert found is not None
    return found


async def create_lottery(ctx: RequestContext, *, prizes: list[dict[str, Any]], opens_at: datetime, closes_at: datetime,
                         eligible_tiers: list[str], **values: Any) -> Table:
    draft = LotteryDraft(prizes=prize_drafts(prizes), opens_at=opens_at, closes_at=closes_at,
                         eligible_tiers=tuple(eligible_tiers), **values)
    return await _table((await catalogue.create(ctx.viewer, draft, clock=ctx.clock)).id)


async def update_lottery(ctx: RequestContext, lottery_id: str, given: dict[str, Any]) -> Table:
    """`given`: the fields the input set; null leaves a field as it is, except the caps and the image (cleared)."""
    changes = {k: v for k, v in given.items() if v is not None or k in {"per_member_limit", "per_day_limit", "image_url"}}
    if "prizes" in changes:
        changes["prizes"] = prize_drafts(changes["prizes"])
    pk = input_pk(lottery_id, "Lottery", "lotteryId")
    return await _table((await catalogue.update(ctx.viewer, pk, changes, clock=ctx.clock)).id)


async def open_lottery(ctx: RequestContext, lottery_id: str) -> Table:
    pk = input_pk(lottery_id, "Lottery", "lotteryId")
    await catalogue.open_lottery(ctx.viewer, pk, data_key=ctx.settings.personal_data_key, clock=ctx.clock)
    return await _table(pk)


async def close_lottery(ctx: RequestContext, lottery_id: str) -> Table:
    pk = input_pk(lottery_id, "Lottery", "lotteryId")
    await catalogue.close_lottery(ctx.viewer, pk, data_key=ctx.settings.personal_data_key, clock=ctx.clock)
    return await _table(pk)


async def draw_lottery(ctx: RequestContext, *, lottery_id: str, client_seed: str | None, idempotency_key: str,
                       member_code: str | None, store_id: str | None) -> DrawOutcome:
    request = DrawRequest(
        lottery_id=input_pk(lottery_id, "Lottery", "lotteryId"), idempotency_key=idempotency_key, client_seed=client_seed,
        member_code=member_code, store_id=optional_input_pk(store_id, "Store", "storeId"),
    )
    return await draws.draw(ctx.viewer, request, data_key=ctx.settings.personal_data_key, clock=ctx.clock)
