"""Drawing: by the member in the app, or by a kiosk or clerk for a scanned member code.

Before the transaction nothing is written: the lottery and its prize table come from the cache,
with the lottery's sold-out list (stock.py), and the status, window and store are checked. The
transaction then writes, in this order (the lock order of every draw):

1. the member's LIFETIME count row for the lottery, by a conditional upsert that also requires
   the lottery to be OPEN in the database (a draw never starts after the close committed and
   the seed is public); the count it returns, minus one, is the draw's nonce (0-based), and it
   holds the per-lottery cap (DRAW_LIMIT_REACHED). A member's draws queue on this row, one at a
   time, so the nonces run 0, 1, 2, ... without gaps;
2. the member's count row for the store-local day, when the lottery has a daily cap;
3. the number (fairness.py) and the prize it falls on under the sold-out list known now;
4. the points, through the ledger: FIFO lots, one LOTTERY_DRAW journal (INSUFFICIENT_POINTS);
5. the draw row, claimed by a unique insert on (caller, idempotency key): a retry with a key
   that already drew rolls this transaction back and answers with the first draw;
6. the grant: a coupon (coupons.issuing, source_ref "draw:<id>"), points as a new lot (a
   LOTTERY_PRIZE journal), or a mall redemption with its counter code (mall/handover.py);
7. a limited prize's unit, last: one bucket's conditional UPDATE sent with the COMMIT. When no
   unit is left, the transaction rolls back, the prize joins the sold-out list and the draw is
   made again with the same nonce and number, which now gives NO_PRIZE: the published rule.

Idempotency is the mall's (domain/mall/redemptions.py): in_flight.one_at_a_time lets one
request per key run at a time, the draw row makes the effect happen once, and any refusal is
first checked against a draw the key already made.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.transactions import in_transaction

from domain import contended, phones
from domain.access import Viewer
from domain.coupons.issuing import issue_coupon, template_by_id
from domain.coupons.models import Coupon, CouponSource
from domain.errors import AccessDenied
from domain.idempotency import in_flight
from domain.idempotency import service as idempotency
from domain.idempotency.service import check_key
from domain.ledger import service as ledger
from domain.ledger.accounts import MemberAmounts
from domain.ledger.errors import LedgerError, LedgerErrorCode
from domain.ledger.models import JournalKind
from domain.lotteries import catalogue, fairness, stock
from domain.lotteries.catalogue import SEED_PURPOSE, Table
from domain.lotteries.errors import LotteryError, LotteryErrorCode
from domain.lotteries.models import COUPON_KINDS, LotteryDraw, LotteryPrize, LotteryStatus, PrizeKind
from domain.mall import handover, local_time
from domain.mall.cache_slots import bounded
from domain.mall.models import MallItem, Redemption
from domain.members.models import Member
from domain.members.served import member_served
from domain.members.services import MemberWithBalance
from domain.stores import services as stores
from domain.stores.models import Store
from domain.text import clean_key
from domain.tiers import service as tiers
from infra import db
from infra.clock import Clock, utc

MAX_CLIENT_SEED = 64
LIFETIME = "LIFETIME"
NO_CAP = 2**31 - 1
GRANT_SCOPE = "lottery"  # the caller scope of the mall redemptions draws grant


@dataclass(frozen=True)
class DrawRequest:
    lottery_id: int
    idempotency_key: str
    client_seed: str | None = None
    member_code: str | None = None
    store_id: int | None = None


@dataclass(frozen=True)
class DrawOutcome:
    draw: LotteryDraw
    replayed: bool
    prizes: dict[int, LotteryPrize]  # the lottery's table by prize id
    coupon: Coupon | None = None
    redemption: Redemption | None = None
    member_after: MemberWithBalance | None = None  # the member as the draw left them, when it paid points only


def grant_ref(draw_id: int) -> str:
    """What a draw's coupon (source_ref), mall redemption (idempotency key) and points (journal reference) carry."""
    return f"draw:{draw_id}"


def spend_ref(lottery_id: int, member_id: int, nonce: int) -> str:
    """The reference of a draw's LOTTERY_DRAW journal: written before the draw row has its id."""
    return f"lottery:{lottery_id}:{member_id}:{nonce}"


# ---- who draws, where ----------------------------------------------------------------------------


def _store_key(viewer: Viewer, store_id: int | None) -> int | None:
    return viewer.store_id if viewer.is_store_bound else store_id


async def _store_for(viewer: Viewer, store_id: int | None) -> Store | None:
    """Store devices and store staff draw at their own store; a member may name one (its day counts)."""
    if viewer.is_store_bound and store_id is not None and store_id != viewer.store_id:
        raise AccessDenied("You may not act for that store.")
    store_id = _store_key(viewer, store_id)
    if store_id is None:
        return None
    store = await stores.store_by_id(store_id)
    if store is None:
        raise LotteryError(LotteryErrorCode.STORE_NOT_FOUND, "No such store.", field="storeId")
    return store


def fingerprint(lottery_id: int, member_id: int, store_id: int | None, client_seed: str | None) -> str:
    return idempotency.fingerprint(
        "drawLottery", {"lottery": lottery_id, "member": member_id, "store": store_id, "clientSeed": client_seed}
    )


# ---- the seed, kept decrypted in memory once read ------------------------------------------------

_seeds: dict[tuple[int, str], bytes] = {}


def _seed(table: Table, data_key: str) -> bytes:
    sealed = table.lottery.seed_encrypted
    assert sealed is not None  # OPEN: the CHECK lottery_seed_committed
    key = (table.lottery.id, sealed)
    if key not in _seeds:
        if len(_seeds) > 1_000:
            _seeds.clear()
        _seeds[key] = phones.unseal(sealed, data_key, SEED_PURPOSE)
    return _seeds[key]


# ---- drawing ------------------------------------------------------------------------------------


async def draw(viewer: Viewer, request: DrawRequest, *, data_key: str, clock: Clock) -> DrawOutcome:
    check_key(request.idempotency_key)
    if request.client_seed is not None:
        clean_key(request.client_seed, "clientSeed", MAX_CLIENT_SEED, code=str(LotteryErrorCode.INVALID_CLIENT_SEED))
    sent = {"lottery": request.lottery_id, "seed": request.client_seed, "store": request.store_id, "member": request.member_code}
    return await in_flight.one_at_a_time(
        viewer.idempotency_scope, request.idempotency_key, sent, lambda: _draw(viewer, request, data_key, clock),
        in_progress=_in_progress,
    )


def _try_again() -> LotteryError:
    return LotteryError(LotteryErrorCode.TRY_AGAIN, "The lottery is very busy right now: try again in a moment.")


@dataclass(frozen=True)
class _Screened:
    table: Table
    store: Store | None
    store_key: int | None


async def _screen(viewer: Viewer, request: DrawRequest, clock: Clock) -> _Screened:
    table = await catalogue.table(request.lottery_id)
    if table is None or not catalogue.may_see(viewer, table.lottery):
        raise LotteryError(LotteryErrorCode.LOTTERY_NOT_FOUND, "No such lottery.", field="lotteryId")
    lottery, now = table.lottery, utc(clock.now())
    if lottery.status != LotteryStatus.OPEN or not lottery.opens_at <= now < lottery.closes_at:
        raise LotteryError(
            LotteryErrorCode.LOTTERY_NOT_OPEN, "This lottery is not open for draws now.", field="lotteryId"
        )
    return _Screened(table, await _store_for(viewer, request.store_id), _store_key(viewer, request.store_id))


async def _draw(viewer: Viewer, request: DrawRequest, data_key: str, clock: Clock) -> DrawOutcome:
    async with contended.translated(_try_again):
        member = await member_served(viewer, request.member_code, doing="draw")  # None: the signed-in member, read in the transaction
        member_id = member.id if member is not None else viewer.subject_id
        try:
            screened = await _screen(viewer, request, clock)
        except LotteryError as exc:
            return await _replay_or_raise(exc, viewer, request, member_id)
        table = screened.table
        sold_out = await stock.known_sold_out(table.lottery.id) if table.limited_ids else frozenset()
        client_seed = request.client_seed if request.client_seed is not None else fairness.new_client_seed()
        for _ in range(len(table.limited_ids) + 1):
            try:
                return await _write(viewer, screened, member, request, client_seed, sold_out, data_key, clock)
            except _SoldOut as empty:
                sold_out = (await stock.note_sold_out(table.lottery.id)) | {empty.prize_id}
            except _AlreadyDrawn as first:
                return await _replay_of(first.draw, viewer, request, member_id)
            except LotteryError as exc:
                return await _replay_or_raise(exc, viewer, request, member_id)
        raise _try_again()


class _SoldOut(Exception):
    def __init__(self, prize_id: int) -> None:
        super().__init__(prize_id)
        self.prize_id = prize_id


class _AlreadyDrawn(Exception):
    def __init__(self, first: LotteryDraw) -> None:
        super().__init__(first.id)
        self.draw = first


async def _counted(conn, lottery_id: int, member_id: int, period: str, limit: int) -> int | None:
    """The member's count in `period` after this draw, or None when the lottery is not OPEN or the cap is full."""
    rows = await db.fetch(
        "INSERT INTO lottery_member_count (lottery_id, member_id, period_key, used)"
        " SELECT CAST($1 AS INTEGER), CAST($2 AS INTEGER), $3, 1"
        " WHERE EXISTS (SELECT 1 FROM lottery WHERE id = $1 AND status = 'OPEN')"
        " ON CONFLICT (lottery_id, member_id, period_key)"
        " DO UPDATE SET used = lottery_member_count.used + 1 WHERE lottery_member_count.used + 1 <= $4"
        " RETURNING used",
        lottery_id, member_id, period, limit, connection=conn,
    )
    return int(rows[0]["used"]) if rows else None


async def _refused_count(conn, lottery_id: int, limit: int | None, what: str) -> LotteryError:
    status = (await db.fetch("SELECT status FROM lottery WHERE id = $1", lottery_id, connection=conn))[0]["status"]
    if status != LotteryStatus.OPEN:
        return LotteryError(LotteryErrorCode.LOTTERY_NOT_OPEN, "This lottery has closed.", field="lotteryId")
    return LotteryError(LotteryErrorCode.DRAW_LIMIT_REACHED, f"A member may draw {limit} times {what}.", field="lotteryId")


async def _tier_allowed(table: Table, member: Member) -> bool:
    if not table.lottery.eligible_tiers:
        return True
    async with bounded:
        known = await tiers.all_tiers()
    tier = next((t for t in known if t.id == member.tier_id), None)  # type: ignore[attr-defined]
    return tier is not None and tier.code in table.lottery.eligible_tiers


async def _write(
    viewer: Viewer, screened: _Screened, member: Member | None, request: DrawRequest, client_seed: str,
    sold_out: frozenset[int], data_key: str, clock: Clock,
) -> DrawOutcome:
    table, store = screened.table, screened.store
    lottery = table.lottery
    account: MemberAmounts | None = None
    coupon = redemption = None
    async with in_transaction() as conn:
        if member is None:
            member = await db.by_id(Member, viewer.subject_id, connection=conn)
            if member is None:
                raise AccessDenied("Sign in again.", unauthenticated=True)
        if not await _tier_allowed(table, member):
            raise LotteryError(
                LotteryErrorCode.NOT_ELIGIBLE, f"This lottery is for {', '.join(lottery.eligible_tiers)} members only.",
                field="lotteryId",
            )
        count = await _counted(conn, lottery.id, member.id, LIFETIME, lottery.per_member_limit or NO_CAP)
        if count is None:
            raise await _refused_count(conn, lottery.id, lottery.per_member_limit, "in this lottery")
        nonce = count - 1
        if lottery.per_day_limit is not None:
            day = local_time.today(clock, await local_time.time_zone(store)).isoformat()
            if await _counted(conn, lottery.id, member.id, day, lottery.per_day_limit) is None:
                raise await _refused_count(conn, lottery.id, lottery.per_day_limit, "a day")
        number = fairness.number(_seed(table, data_key), lottery.id, member.id, nonce, client_seed)
        used_sold_out = sorted(p for p in sold_out if p in set(table.limited_ids))
        drawn_id, prize_id = fairness.outcome(table.lines, number, used_sold_out)
        prize = table.prize(prize_id)
        actor = viewer.idempotency_scope
        if lottery.points_per_draw:
            account = await _spend(conn, member.id, lottery, nonce, store, actor, clock)
        points_won = (prize.points or 0) if prize.kind == PrizeKind.POINTS else 0
        drawn = await _claim(
            conn, viewer, request, lottery.id, member.id, store, nonce, client_seed, number, used_sold_out, drawn_id,
            prize_id, lottery.points_per_draw, points_won, clock,
        )
        if prize.kind in COUPON_KINDS:
            template = await template_by_id(prize.coupon_template_id, connection=conn)  # type: ignore[attr-defined]
            coupon = await issue_coupon(
                conn, template, member.id, source=CouponSource.LOTTERY, source_ref=grant_ref(drawn.id), clock=clock
            )
        elif prize.kind == PrizeKind.POINTS:
            await _credit(conn, member.id, prize, drawn.id, store, actor, clock)
            account = None  # the balance moved twice: the payload reads it
        elif prize.kind == PrizeKind.MALL_ITEM:
            item = await MallItem.get(id=prize.mall_item_id).using_db(conn)  # type: ignore[attr-defined]
            redemption = await handover.grant(
                conn, item, member.id, store.id if store else None, scope=GRANT_SCOPE, key=grant_ref(drawn.id), actor=actor,
                clock=clock,
            )
        if prize.stock is not None and not await stock.take_and_commit(conn, prize.id, stock.guess(lottery.stock_buckets)):
            raise _SoldOut(prize.id)
    after = MemberWithBalance(member, account.balance, account.pending, account.debt) if account is not None else None
    return DrawOutcome(drawn, False, {p.id: p for p in table.prizes}, coupon, redemption, after)


async def _spend(conn, member_id: int, lottery, nonce: int, store: Store | None, actor: str, clock: Clock) -> MemberAmounts:
    try:
        spent = await ledger.debit(
            member_id, lottery.points_per_draw, JournalKind.LOTTERY_DRAW, reason=f"Lottery draw: {lottery.name}"[:255],
            actor=actor, store_id=store.id if store else None, reference=spend_ref(lottery.id, member_id, nonce),
            clock=clock, connection=conn, savepoint=False,  # any failure rolls the whole draw back
        )
    except LedgerError as exc:
        if exc.code != LedgerErrorCode.INSUFFICIENT_POINTS:
            raise
        raise LotteryError(
            LotteryErrorCode.INSUFFICIENT_POINTS,
            f"A draw costs {lottery.points_per_draw:,} points, more than the member can spend.", field="lotteryId",
        ) from None
    return spent.account


async def _credit(conn, member_id: int, prize: LotteryPrize, draw_id: int, store: Store | None, actor: str,
                  clock: Clock) -> None:
    try:
        await ledger.credit(
            member_id, prize.points, JournalKind.LOTTERY_PRIZE, reason=f"Lottery prize: {prize.name}"[:255], actor=actor,  # type: ignore[arg-type]
            store_id=store.id if store else None, reference=grant_ref(draw_id), clock=clock, connection=conn,
            savepoint=False,
        )
    except LedgerError as exc:
        if exc.code != LedgerErrorCode.BALANCE_LIMIT_EXCEEDED:
            raise
        raise LotteryError(LotteryErrorCode.BALANCE_LIMIT_EXCEEDED, "These points would take the member past the most a"
                           " member may hold.", field="lotteryId") from None


async def _claim(
    conn, viewer: Viewer, request: DrawRequest, lottery_id: int, member_id: int, store: Store | None, nonce: int,
    client_seed: str, number: str, sold_out: list[int], drawn_id: int, prize_id: int, points_spent: int, points_won: int,
    clock: Clock,
) -> LotteryDraw:
    lottery_row = await db.fetch(
        "INSERT INTO lottery_draw (lottery_id, member_id, store_id, nonce, client_seed, number, sold_out, drawn_prize_id,"
        " prize_id, points_spent, points_won, caller_scope, idempotency_key, fingerprint, actor, created_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
        " ON CONFLICT DO NOTHING RETURNING *",
        lottery_id, member_id, store.id if store else None, nonce, client_seed, number, sold_out_text(sold_out), drawn_id,
        prize_id, points_spent, points_won, viewer.idempotency_scope, request.idempotency_key,
        fingerprint(lottery_id, member_id, _store_key(viewer, request.store_id), request.client_seed),
        viewer.idempotency_scope, utc(clock.now()), connection=conn,
    )
    if lottery_row:
        return LotteryDraw._init_from_db(**lottery_row[0])
    first = await LotteryDraw.get_or_none(caller_scope=viewer.idempotency_scope, idempotency_key=request.idempotency_key)
    if first is None:
        raise RuntimeError("a draw with this member's nonce exists already")
    raise _AlreadyDrawn(first)


def sold_out_text(ids: list[int]) -> str:
    return ",".join(str(int(i)) for i in sorted(ids))


def sold_out_ids(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part]


# ---- replays ------------------------------------------------------------------------------------


async def _replay_or_raise(error: LotteryError, viewer: Viewer, request: DrawRequest, member_id: int | None) -> DrawOutcome:
    """A retry of a draw that went through answers with it, whatever changed since."""
    first = await LotteryDraw.get_or_none(caller_scope=viewer.idempotency_scope, idempotency_key=request.idempotency_key)
    if first is None:
        raise error
    return await _replay_of(first, viewer, request, member_id)


async def _replay_of(first: LotteryDraw, viewer: Viewer, request: DrawRequest, member_id: int | None) -> DrawOutcome:
    expected = fingerprint(request.lottery_id, member_id or 0, _store_key(viewer, request.store_id), request.client_seed)
    if first.fingerprint != expected:
        raise LotteryError(
            LotteryErrorCode.IDEMPOTENCY_KEY_REUSED, "This idempotency key was already used for a different draw.",
            field="idempotencyKey",
        )
    prizes = {p.id: p for p in await LotteryPrize.filter(lottery_id=first.lottery_id)}  # type: ignore[attr-defined]
    coupon, redemption = await granted(first, prizes[first.prize_id])  # type: ignore[attr-defined]
    return DrawOutcome(first, True, prizes, coupon, redemption)


async def granted(draw: LotteryDraw, prize: LotteryPrize) -> tuple[Coupon | None, Redemption | None]:
    """The coupon or mall redemption a draw granted."""
    if prize.kind in COUPON_KINDS:
        return await Coupon.get_or_none(source=str(CouponSource.LOTTERY), source_ref=grant_ref(draw.id)), None
    if prize.kind == PrizeKind.MALL_ITEM:
        return None, await Redemption.get_or_none(caller_scope=GRANT_SCOPE, idempotency_key=grant_ref(draw.id))
    return None, None


def _in_progress() -> LotteryError:
    return LotteryError(
        LotteryErrorCode.IN_PROGRESS, "This draw is still being made: send it again with the same key in a moment.",
        field="idempotencyKey",
    )
