"""Which draws a viewer may see: their own (a member), any (a chain admin), and every draw of a
closed lottery (anyone: the draws are public then, with member global IDs and no names)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from domain.access import Viewer
from domain.coupons.models import Coupon, CouponSource
from domain.errors import AccessDenied
from domain.lotteries import catalogue
from domain.lotteries.draws import GRANT_SCOPE, grant_ref
from domain.lotteries.models import LotteryDraw, LotteryPrize, LotteryStatus
from domain.mall.models import Redemption
from domain.pagination import Page, PageRequest, keyset_page_by_id


@dataclass(frozen=True)
class ShownDraw:
    draw: LotteryDraw
    prizes: dict[int, LotteryPrize]
    coupon_id: int | None = None  # only for a viewer who may see the coupon (the coupon loader checks again)
    redemption_id: int | None = None


async def _shown(viewer: Viewer, draws: list[LotteryDraw]) -> list[ShownDraw]:
    tables: dict[int, Any] = {}
    for lottery_id in {d.lottery_id for d in draws}:  # type: ignore[attr-defined]
        tables[lottery_id] = await catalogue.table(lottery_id)
    refs = {grant_ref(d.id): d.id for d in draws}
    coupons: dict[int, int] = {}
    redemptions: dict[int, int] = {}
    if refs and (viewer.member_id is not None or viewer.is_chain_admin):
        for ref, pk in await Coupon.filter(source=str(CouponSource.LOTTERY), source_ref__in=list(refs)).values_list("source_ref", "id"):
            coupons[refs[ref]] = pk
        for ref, pk in await Redemption.filter(caller_scope=GRANT_SCOPE, idempotency_key__in=list(refs)).values_list(
            "idempotency_key", "id"
        ):
            redemptions[refs[ref]] = pk
    return [
        ShownDraw(d, {p.id: p for p in tables[d.lottery_id].prizes}, coupons.get(d.id), redemptions.get(d.id))  # type: ignore[attr-defined]
        for d in draws
    ]


async def draws_by_ids(viewer: Viewer, ids: list[int]) -> dict[int, ShownDraw]:
    if viewer.is_anonymous or not ids:
        return {}
    found = []
    for d in await LotteryDraw.filter(id__in=ids):
        if viewer.is_chain_admin or d.member_id == viewer.member_id:  # type: ignore[attr-defined]
            found.append(d)
            continue
        table = await catalogue.table(d.lottery_id)  # type: ignore[attr-defined]
        if table is not None and table.lottery.status == LotteryStatus.CLOSED:
            found.append(d)
    return {shown.draw.id: shown for shown in await _shown(viewer, found)}


async def published_draws(viewer: Viewer, lottery_id: int, request: PageRequest) -> Page[ShownDraw]:
    """Every draw of a closed lottery, in the order they were made."""
    table = await catalogue.table(lottery_id)
    if table is None or table.lottery.status != LotteryStatus.CLOSED:
        raise AccessDenied("A lottery's draws are published when it closes.")
    page = await keyset_page_by_id(
        "SELECT * FROM lottery_draw WHERE lottery_id = $1", (lottery_id,), request, id_column="id",
        count="SELECT COUNT(*) AS total FROM lottery_draw WHERE lottery_id = $1",
        build=lambda row: LotteryDraw._init_from_db(**row),
    )
    shown = await _shown(Viewer(), list(page.items))  # public: no coupon, no redemption
    return dataclasses.replace(page, items=shown)
