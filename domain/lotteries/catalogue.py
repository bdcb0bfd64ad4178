"""Lotteries for chain admins (create, edit in DRAFT, open, close, report) and for everyone (read).

Opening draws the server seed, seals it with the data key (domain/phones.seal: AES-GCM, the key
the members' phones use, derived for this purpose) and publishes its SHA-256; the seed itself
is readable by nobody through the API until close, which publishes it (`revealedSeed`).
Opening also spreads each limited prize's stock over its buckets and, for a MALL_ITEM prize,
takes those units out of the mall's stock (domain/mall/handover.py); closing puts the units not
won back.

A lottery and its prize table are read-mostly: a draw reads them from the cache (forgotten on
every change), never from the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from domain import bounds, phones
from domain.access import CallerKind, StaffRole, Viewer, require_chain_admin
from domain.coupons.errors import CouponError
from domain.coupons.issuing import template_by_id
from domain.coupons.models import CouponKind
from domain.lotteries import fairness, stock
from domain.lotteries.errors import LotteryError, LotteryErrorCode
from domain.lotteries.models import COUPON_KINDS, Lottery, LotteryDraw, LotteryPrize, LotteryStatus, PrizeKind
from domain.mall import handover
from domain.mall import stock as mall_stock
from domain.mall.cache_slots import bounded
from domain.mall.models import MallItem
from domain.pagination import Page, PageRequest, keyset_page_by_id
from domain.text import clean_text, column_text
from domain.tiers import service as tiers
from infra import cache, db
from infra.clock import Clock, utc

CACHE_TTL = 60
SEED_PURPOSE = "lottery-seed"
MAX_PRIZES = 20
MAX_WEIGHT = 1_000_000
MAX_DESCRIPTION = 2_000
MAX_BUCKETS = 64
IMAGE_URL = re.compile(r"^https?://[^\s]{1,490}$")
SOLD_OUT_RULE = (
    "When a prize runs out, its weight moves to the NO_PRIZE line: every other prize keeps its published odds."
)


@dataclass(frozen=True)
class PrizeDraft:
    name: str
    kind: str
    weight: int
    stock: int | None = None
    points: int | None = None
    coupon_template_id: int | None = None
    mall_item_id: int | None = None


@dataclass(frozen=True)
class LotteryDraft:
    name: str
    points_per_draw: int
    opens_at: datetime
    closes_at: datetime
    prizes: tuple[PrizeDraft, ...]
    description: str = ""
    image_url: str | None = None
    eligible_tiers: tuple[str, ...] = ()
    per_member_limit: int | None = None
    per_day_limit: int | None = None
    stock_buckets: int = 4


@dataclass(frozen=True)
class Table:
    """A lottery with its prize table, in prize id order: what a draw reads (cached)."""

    lottery: Lottery
    prizes: tuple[LotteryPrize, ...]
    lines: tuple[fairness.TableLine, ...] = field(default=())

    @classmethod
    def of(cls, lottery: Lottery, prizes: list[LotteryPrize]) -> Table:
        ordered = tuple(sorted(prizes, key=lambda p: p.id))
        lines = tuple(fairness.TableLine(p.id, p.weight, p.kind == PrizeKind.NO_PRIZE) for p in ordered)
        return cls(lottery, ordered, lines)

    def prize(self, prize_id: int) -> LotteryPrize:
        return next(p for p in self.prizes if p.id == prize_id)

    @property
    def limited_ids(self) -> list[int]:
        return [p.id for p in self.prizes if p.stock is not None]


# ---- reading ----------------------------------------------------------------------------------


def _cache_key(lottery_id: int) -> str:
    return f"lottery:table:{lottery_id}"


async def _load(lottery_id: int, connection=None) -> Table | None:
    lottery = await db.by_id(Lottery, lottery_id, connection=connection)
    if lottery is None:
        return None
    return Table.of(lottery, list(await LotteryPrize.filter(lottery_id=lottery_id).using_db(connection)))


async def table(lottery_id: int) -> Table | None:
    async with bounded:
        return await cache.get_or_load(_cache_key(lottery_id), lambda: _load(lottery_id), ttl=CACHE_TTL)


async def forget(lottery_id: int) -> None:
    async with bounded:
        await cache.delete(_cache_key(lottery_id))


def may_see(viewer: Viewer, lottery: Lottery) -> bool:
    """Drafts are for chain admins; open and closed lotteries are public."""
    return lottery.status != LotteryStatus.DRAFT or viewer.is_chain_admin


async def visible_tables(viewer: Viewer, ids: list[int]) -> dict[int, Table]:
    found = {}
    for lottery_id in ids:
        entry = await table(lottery_id)
        if entry is not None and may_see(viewer, entry.lottery):
            found[lottery_id] = entry
    return found


async def listed(viewer: Viewer, status: str | None, request: PageRequest) -> Page[Lottery]:
    """Lotteries the viewer may see, newest first."""
    where, params = [], []
    if status is not None:
        params.append(status)
        where.append(f"status = ${len(params)}")
    if not viewer.is_chain_admin:
        params.append(str(LotteryStatus.DRAFT))
        where.append(f"status <> ${len(params)}")
    clause = " WHERE " + " AND ".join(where) if where else " WHERE 1 = 1"
    return await keyset_page_by_id(
        "SELECT * FROM lottery" + clause, tuple(params), request, id_column="id",
        count="SELECT COUNT(*) AS total FROM lottery" + clause, build=lambda row: Lottery._init_from_db(**row),
        descending=True,
    )


async def stock_left(prize_ids: list[int]) -> dict[int, int]:
    return await stock.remaining(prize_ids)


# ---- creating and editing ---------------------------------------------------------------------


def _check_terms(values: dict[str, Any]) -> None:
    if "name" in values:
        values["name"] = column_text(Lottery, "name", values["name"])
        if not values["name"]:
            raise LotteryError(LotteryErrorCode.INVALID_NAME, "A lottery needs a name of at most 120 characters.", field="name")
    if "description" in values:
        values["description"] = clean_text(values["description"] or "", "description", MAX_DESCRIPTION, multiline=True)
    if values.get("image_url") is not None and not IMAGE_URL.match(values["image_url"]):
        raise LotteryError(LotteryErrorCode.INVALID_IMAGE_URL, "The image URL is an http(s) address.", field="imageUrl")
    if "points_per_draw" in values and not 0 <= values["points_per_draw"] <= bounds.MAX_ITEM_POINTS:
        raise LotteryError(
            LotteryErrorCode.INVALID_POINTS, f"A draw costs 0 to {bounds.MAX_ITEM_POINTS:,} points.", field="pointsPerDraw"
        )
    for name, camel in (("per_member_limit", "perMemberLimit"), ("per_day_limit", "perDayLimit")):
        if values.get(name) is not None and not 1 <= values[name] <= 100_000:
            raise LotteryError(LotteryErrorCode.INVALID_LIMIT, "A draw limit is 1 to 100,000, or null for none.", field=camel)
    if "stock_buckets" in values and not 1 <= values["stock_buckets"] <= MAX_BUCKETS:
        raise LotteryError(LotteryErrorCode.INVALID_BUCKETS, f"Stock buckets are 1 to {MAX_BUCKETS}.", field="stockBuckets")


def _check_window(opens_at: datetime, closes_at: datetime) -> tuple[datetime, datetime]:
    if opens_at.tzinfo is None or closes_at.tzinfo is None:
        raise LotteryError(LotteryErrorCode.INVALID_WINDOW, "Times need a time-zone offset.", field="opensAt")
    if closes_at <= opens_at:
        raise LotteryError(LotteryErrorCode.INVALID_WINDOW, "A lottery closes after it opens.", field="closesAt")
    return utc(opens_at), utc(closes_at)


async def _checked_tiers(codes: tuple[str, ...] | list[str]) -> list[str]:
    known = {t.code for t in await tiers.all_tiers()}
    chosen = sorted({code.strip().upper() for code in codes})
    if unknown := [code for code in chosen if code not in known]:
        raise LotteryError(LotteryErrorCode.INVALID_TIER, f"Unknown tiers: {', '.join(unknown)}.", field="eligibleTiers")
    return chosen


async def _checked_prize(i: int, draft: PrizeDraft) -> dict[str, Any]:
    at = f"prizes.{i}"
    try:
        kind = PrizeKind(draft.kind)
    except ValueError:
        raise LotteryError(LotteryErrorCode.INVALID_KIND, "A prize is COUPON, MALL_ITEM, POINTS, TASTING or NO_PRIZE.",
                           field=f"{at}.kind") from None
    name = column_text(LotteryPrize, "name", draft.name, f"{at}.name")
    if not name:
        raise LotteryError(LotteryErrorCode.INVALID_NAME, "A prize needs a name of at most 120 characters.", field=f"{at}.name")
    if not 0 <= draft.weight <= MAX_WEIGHT or (draft.weight == 0 and kind is not PrizeKind.NO_PRIZE):
        raise LotteryError(
            LotteryErrorCode.INVALID_WEIGHT, f"A prize's weight is 1 to {MAX_WEIGHT:,} (0 for NO_PRIZE).", field=f"{at}.weight"
        )
    values: dict[str, Any] = {"name": name, "kind": str(kind), "weight": draft.weight, "stock": draft.stock}
    if kind is PrizeKind.NO_PRIZE and draft.stock is not None:
        raise LotteryError(LotteryErrorCode.INVALID_STOCK, "NO_PRIZE is unlimited: send no stock.", field=f"{at}.stock")
    if kind not in (PrizeKind.NO_PRIZE, PrizeKind.POINTS) and draft.stock is None:
        raise LotteryError(LotteryErrorCode.INVALID_STOCK, "This prize needs a stock (units to give).", field=f"{at}.stock")
    if draft.stock is not None and not 0 <= draft.stock <= bounds.MAX_STOCK:
        raise LotteryError(LotteryErrorCode.INVALID_STOCK, f"Stock is 0 to {bounds.MAX_STOCK:,} units.", field=f"{at}.stock")
    if kind is PrizeKind.POINTS:
        if draft.points is None or not 1 <= draft.points <= bounds.MAX_ADJUSTMENT:
            raise LotteryError(LotteryErrorCode.INVALID_POINTS, "A POINTS prize gives 1 to 100,000,000 points.",
                               field=f"{at}.points")
        values["points"] = draft.points
    elif draft.points is not None:
        raise LotteryError(LotteryErrorCode.INVALID_POINTS, "Only a POINTS prize gives points.", field=f"{at}.points")
    if kind in COUPON_KINDS:
        if draft.coupon_template_id is None:
            raise LotteryError(LotteryErrorCode.TEMPLATE_NOT_FOUND, "This prize needs the coupon template it grants.",
                               field=f"{at}.couponTemplateId")
        try:
            template = await template_by_id(draft.coupon_template_id)
        except CouponError:
            raise LotteryError(LotteryErrorCode.TEMPLATE_NOT_FOUND, "No such coupon template.",
                               field=f"{at}.couponTemplateId") from None
        if template.retired_at is not None:
            raise LotteryError(LotteryErrorCode.TEMPLATE_NOT_FOUND, "That coupon template is retired.",
                               field=f"{at}.couponTemplateId")
        if (kind is PrizeKind.TASTING) != (template.kind == CouponKind.TASTING):
            raise LotteryError(LotteryErrorCode.INVALID_KIND, "A TASTING prize grants a TASTING coupon, a COUPON prize another kind.",
                               field=f"{at}.couponTemplateId")
        values["coupon_template_id"] = template.id
    if kind is PrizeKind.MALL_ITEM:
        item = await db.by_id(MallItem, draft.mall_item_id) if draft.mall_item_id is not None else None
        if item is None or item.retired_at is not None:
            raise LotteryError(LotteryErrorCode.ITEM_NOT_FOUND, "This prize needs a mall item that is not retired.",
                               field=f"{at}.mallItemId")
        values["mall_item_id"] = item.id
    return values


async def _checked_prizes(drafts: tuple[PrizeDraft, ...]) -> list[dict[str, Any]]:
    if not 1 <= len(drafts) <= MAX_PRIZES:
        raise LotteryError(LotteryErrorCode.INVALID_PRIZES, f"A lottery has 1 to {MAX_PRIZES} prizes.", field="prizes")
    lines = [await _checked_prize(i, draft) for i, draft in enumerate(drafts)]
    blanks = [line for line in lines if line["kind"] == PrizeKind.NO_PRIZE]
    if len(blanks) > 1:
        raise LotteryError(LotteryErrorCode.INVALID_PRIZES, "A lottery has one NO_PRIZE line at most.", field="prizes")
    if not blanks:  # the line a sold-out prize's weight moves to, even when it starts with none
        lines.append({"name": "No prize", "kind": str(PrizeKind.NO_PRIZE), "weight": 0, "stock": None})
    if sum(line["weight"] for line in lines) <= 0:
        raise LotteryError(LotteryErrorCode.INVALID_PRIZES, "The prize weights add up to more than 0.", field="prizes")
    return lines


async def create(viewer: Viewer, draft: LotteryDraft, *, clock: Clock) -> Lottery:
    require_chain_admin(viewer)
    values: dict[str, Any] = {
        "name": draft.name, "description": draft.description, "image_url": draft.image_url,
        "points_per_draw": draft.points_per_draw, "per_member_limit": draft.per_member_limit,
        "per_day_limit": draft.per_day_limit, "stock_buckets": draft.stock_buckets,
    }
    _check_terms(values)
    opens_at, closes_at = _check_window(draft.opens_at, draft.closes_at)
    prizes = await _checked_prizes(draft.prizes)
    now = utc(clock.now())
    async with in_transaction() as conn:
        lottery = await Lottery.create(
            **values, opens_at=opens_at, closes_at=closes_at, eligible_tiers=await _checked_tiers(draft.eligible_tiers),
            status=str(LotteryStatus.DRAFT), created_at=now, updated_at=now, using_db=conn,
        )
        for line in prizes:  # in input order: the prize ids, and so the cumulative weights, follow it
            await LotteryPrize.create(lottery_id=lottery.id, using_db=conn, **line)
    return lottery


async def _existing(lottery_id: int, connection=None) -> Lottery:
    lottery = await db.by_id(Lottery, lottery_id, connection=connection)
    if lottery is None:
        raise LotteryError(LotteryErrorCode.LOTTERY_NOT_FOUND, "No such lottery.", field="lotteryId")
    return lottery


def _not_draft(lottery: Lottery) -> LotteryError:
    return LotteryError(
        LotteryErrorCode.LOTTERY_NOT_DRAFT, f"This lottery is {lottery.status}: only a DRAFT can be changed or opened.",
        field="lotteryId",
    )


async def update(viewer: Viewer, lottery_id: int, changes: dict[str, Any], *, clock: Clock) -> Lottery:
    """Change the given terms (the keys of LotteryDraft; `prizes` replaces the whole table) of a DRAFT."""
    require_chain_admin(viewer)
    lottery = await _existing(lottery_id)
    values = {name: value for name, value in changes.items() if name != "prizes"}
    _check_terms(values)
    if "opens_at" in values or "closes_at" in values:
        values["opens_at"], values["closes_at"] = _check_window(
            values.get("opens_at", lottery.opens_at), values.get("closes_at", lottery.closes_at)
        )
    if "eligible_tiers" in values:
        values["eligible_tiers"] = await _checked_tiers(values["eligible_tiers"])
    prizes = await _checked_prizes(tuple(changes["prizes"])) if changes.get("prizes") is not None else None
    async with in_transaction() as conn:
        changed = await Lottery.filter(id=lottery_id, status=str(LotteryStatus.DRAFT)).using_db(conn).update(
            **values, updated_at=utc(clock.now())
        )
        if not changed:
            raise _not_draft(lottery)
        if prizes is not None:
            await LotteryPrize.filter(lottery_id=lottery_id).using_db(conn).delete()
            for line in prizes:
                await LotteryPrize.create(lottery_id=lottery_id, using_db=conn, **line)
    await forget(lottery_id)
    return await _existing(lottery_id)


# ---- opening and closing ------------------------------------------------------------------------


async def open_lottery(viewer: Viewer, lottery_id: int, *, data_key: str, clock: Clock) -> Lottery:
    """Commit the seed: DRAFT to OPEN, the prize stock in its buckets, mall units handed over."""
    require_chain_admin(viewer)
    seed = fairness.new_seed()
    now = utc(clock.now())
    async with in_transaction() as conn:
        lottery = await _existing(lottery_id, conn)
        opened = await Lottery.filter(id=lottery_id, status=str(LotteryStatus.DRAFT)).using_db(conn).update(
            status=str(LotteryStatus.OPEN), seed_encrypted=phones.seal(seed, data_key, SEED_PURPOSE),
            seed_commitment=fairness.commitment(seed), opened_at=now, updated_at=now,
        )
        if not opened:
            raise _not_draft(lottery)
        for prize in await LotteryPrize.filter(lottery_id=lottery_id).order_by("id").using_db(conn):
            if prize.stock is None:
                continue
            await stock.create_buckets(conn, prize.id, lottery.stock_buckets, prize.stock)
            if prize.kind == PrizeKind.MALL_ITEM:
                item = await MallItem.get(id=prize.mall_item_id).using_db(conn)  # type: ignore[attr-defined]
                if not await handover.take_out(conn, item, prize.stock):
                    raise LotteryError(
                        LotteryErrorCode.MALL_STOCK_SHORT, f"The mall holds fewer than {prize.stock} units of {item.name}.",
                        field="lotteryId",
                    )
    await forget(lottery_id)
    await stock.note_sold_out(lottery_id)  # a prize that starts with 0 units
    return await _existing(lottery_id)


async def close_lottery(viewer: Viewer, lottery_id: int, *, data_key: str, clock: Clock) -> Lottery:
    """Reveal the seed: OPEN to CLOSED; mall units not won go back to the mall's stock."""
    require_chain_admin(viewer)
    now = utc(clock.now())
    touched: list[int] = []
    async with in_transaction() as conn:
        lottery = await _existing(lottery_id, conn)
        if lottery.status != LotteryStatus.OPEN or lottery.seed_encrypted is None:
            raise LotteryError(LotteryErrorCode.LOTTERY_NOT_OPEN, f"This lottery is {lottery.status}, not OPEN.",
                               field="lotteryId")
        seed = phones.unseal(lottery.seed_encrypted, data_key, SEED_PURPOSE)
        closed = await Lottery.filter(id=lottery_id, status=str(LotteryStatus.OPEN)).using_db(conn).update(
            status=str(LotteryStatus.CLOSED), revealed_seed=seed.hex(), closed_at=now, updated_at=now,
        )
        if not closed:
            raise LotteryError(LotteryErrorCode.LOTTERY_NOT_OPEN, "This lottery was closed meanwhile.", field="lotteryId")
        prizes = [p for p in await LotteryPrize.filter(lottery_id=lottery_id, kind=str(PrizeKind.MALL_ITEM)).using_db(conn)]
        left = await stock.remaining([p.id for p in prizes], connection=conn)
        for prize in prizes:
            units = left.get(prize.id, 0)
            if units:
                await db.execute(
                    "UPDATE lottery_prize_bucket SET remaining = 0 WHERE prize_id = $1", prize.id, connection=conn
                )
                item = await MallItem.get(id=prize.mall_item_id).using_db(conn)  # type: ignore[attr-defined]
                await handover.put_back(conn, item, units)
                touched.append(item.id)
    await forget(lottery_id)
    for item_id in touched:
        await mall_stock.forget_sold_out(item_id)
    return await _existing(lottery_id)


async def close_due(*, data_key: str, clock: Clock) -> int:
    """Close every OPEN lottery past its closesAt (the worker's job); returns how many."""
    system = Viewer(kind=CallerKind.STAFF, subject_id=0, role=StaffRole.CHAIN_ADMIN)
    closed = 0
    for lottery_id in await Lottery.filter(status=str(LotteryStatus.OPEN), closes_at__lte=utc(clock.now())).values_list(
        "id", flat=True
    ):
        try:
            await close_lottery(system, lottery_id, data_key=data_key, clock=clock)
        except LotteryError:
            continue
        closed += 1
    return closed


# ---- the report -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    lottery: Lottery
    draws: int
    points_taken: int
    points_given: int
    given_by_kind: dict[str, int]
    stock_left: dict[int, int]
    prizes: tuple[LotteryPrize, ...]


async def report(viewer: Viewer, lottery_id: int) -> Report:
    require_chain_admin(viewer)
    lottery = await _existing(lottery_id)
    totals = await db.fetch(
        "SELECT COUNT(*) AS draws, COALESCE(SUM(points_spent), 0) AS taken, COALESCE(SUM(points_won), 0) AS given"
        " FROM lottery_draw WHERE lottery_id = $1", lottery_id,
    )
    by_kind = await db.fetch(
        "SELECT p.kind AS kind, COUNT(*) AS n FROM lottery_draw d JOIN lottery_prize p ON p.id = d.prize_id"
        " WHERE d.lottery_id = $1 GROUP BY p.kind", lottery_id,
    )
    prizes = tuple(await LotteryPrize.filter(lottery_id=lottery_id).order_by("id"))
    given = {str(kind): 0 for kind in PrizeKind}
    given.update({row["kind"]: int(row["n"]) for row in by_kind})
    return Report(
        lottery=lottery, draws=int(totals[0]["draws"]), points_taken=int(totals[0]["taken"]),
        points_given=int(totals[0]["given"]), given_by_kind=given,
        stock_left=await stock.remaining([p.id for p in prizes if p.stock is not None]), prizes=prizes,
    )


async def draws_of(lottery_id: int) -> list[LotteryDraw]:
    return list(await LotteryDraw.filter(lottery_id=lottery_id).order_by("id"))


async def stock_by_lottery(lottery_ids: list[int]) -> dict[int, dict[int, int]]:
    """Units left of each limited prize, per lottery."""
    found: dict[int, dict[int, int]] = {lottery_id: {} for lottery_id in lottery_ids}
    if not lottery_ids:
        return found
    rows = await db.fetch(
        "SELECT p.lottery_id AS lottery_id, b.prize_id AS prize_id, SUM(b.remaining) AS units FROM lottery_prize_bucket b"
        f" JOIN lottery_prize p ON p.id = b.prize_id WHERE p.lottery_id IN ({db.placeholders(len(lottery_ids))})"
        " GROUP BY p.lottery_id, b.prize_id",
        *lottery_ids,
    )
    for row in rows:
        found[row["lottery_id"]][row["prize_id"]] = int(row["units"])
    return found


def tables_of(page: Page[Lottery], tables: list[Table | None]) -> Page[Table]:
    """A page of lotteries as their tables (a lottery the cache lost meanwhile drops out)."""
    import dataclasses

    kept = [(t, key) for t, key in zip(tables, page.keys, strict=True) if t is not None]
    return dataclasses.replace(page, items=[t for t, _ in kept], keys=[key for _, key in kept])


async def report_with_table(viewer: Viewer, lottery_id: int) -> tuple[Report, Table]:
    found = await report(viewer, lottery_id)
    loaded = await _load(lottery_id)
    assert loaded is not None
    return found, loaded
