"""Redeeming a mall item: by the member in the app, or by a kiosk or clerk for a scanned member code.

Before the transaction, nothing is written: the attempt is counted against the member's rate
limit, the item is read from the cached catalogue and a remembered sold-out answers at once.
The transaction first reads a signed-in member (staff and devices found theirs by its code
before), checks availability and tier and prices the item for the member's local day; a
refusal there rolls back what is only a read.

It then writes, in this order, which is also the lock order of every mall write:

1. the redemption row, claimed by a unique insert on (caller, idempotency key): a concurrent
   retry with the same key waits on the unique index and then replays the first result; a
   key used for another request is IDEMPOTENCY_KEY_REUSED;
2. the member's quota row for the item and period (MEMBER_LIMIT_REACHED when it is full);
3. the points, through the ledger (member account, its lots, then the REDEEMED system
   account): FIFO lots, one REDEMPTION journal, INSUFFICIENT_POINTS when short; then the
   redemption.created webhook event (one INSERT into the outbox, no lock anyone waits for);
4. the stock bucket, last: on PostgreSQL its UPDATE goes out with the COMMIT in one message,
   so a hot bucket stays locked for no round trip (stock.take_and_commit; OUT_OF_STOCK).

Every change is a conditional atomic UPDATE (or a conditional upsert); an expected failure
rolls the whole transaction back, the key included, so the caller may retry with that key.

Note for the rush: the ledger adds every debit to a REDEEMED system account row in the same
transaction, held from the end of step 3 to the commit. That row is one of 16 shards chosen by
member (domain/ledger/accounts.py), so redemptions of different members rarely queue on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from tortoise.transactions import in_transaction

from domain.access import Viewer
from domain.errors import AccessDenied
from domain.idempotency import in_flight
from domain.idempotency import service as idempotency
from domain.idempotency.service import check_key
from domain.ledger import service as ledger
from domain.ledger.accounts import MemberAmounts
from domain.ledger.errors import LedgerError, LedgerErrorCode
from domain.ledger.models import JournalKind
from domain.mall import catalogue, codes, contention, eligibility, events, limits, shoppers, stock, throttle
from domain.mall import settings as mall_settings
from domain.mall.errors import MallError, MallErrorCode
from domain.mall.models import MallItem, Redemption
from domain.members.models import Member
from domain.members.served import member_served
from domain.members.services import MemberWithBalance
from domain.stores import services as stores
from domain.stores.models import Store
from domain.webhooks import outbox
from domain.webhooks.events import EventType
from infra import db
from infra.clock import Clock, utc

MAX_QUANTITY = 99
CODE_ATTEMPTS = 5


@dataclass(frozen=True)
class RedeemRequest:
    item_id: int
    quantity: int
    idempotency_key: str
    store_id: int | None = None
    member_code: str | None = None


@dataclass(frozen=True)
class RedeemOutcome:
    redemption: Redemption
    replayed: bool
    member_after: MemberWithBalance | None = None  # the member as this redemption left them, when it paid points


@dataclass(frozen=True)
class _Order:
    """Everything the transaction writes, decided before it starts."""

    item: MallItem
    member: Member
    store: Store | None
    quantity: int
    unit_points: int
    cash_fen: int
    period_key: str | None
    stock_plan: list[int]
    scope: str
    key: str
    fingerprint: str
    actor: str
    expires_hours: int


# ---- who redeems, where -----------------------------------------------------------------------


async def _store_for(viewer: Viewer, store_id: int | None, item: MallItem) -> Store | None:
    """Store devices and store staff act for their own store; a member picks one, or the item's only one."""
    if viewer.is_store_bound:
        if store_id is not None and store_id != viewer.store_id:
            raise AccessDenied("You may not act for that store.")
        store_id = viewer.store_id
    elif store_id is None and len(item.store_ids) == 1:
        store_id = item.store_ids[0]
    if store_id is None:
        return None
    store = await stores.store_by_id(store_id)
    if store is None:
        raise MallError(MallErrorCode.STORE_NOT_FOUND, "No such store.", field="storeId")
    return store


def fingerprint(item_id: int, quantity: int, store_id: int | None, member_id: int) -> str:
    return idempotency.fingerprint(
        "redeemMallItem", {"item": item_id, "quantity": quantity, "store": store_id, "member": member_id}
    )


# ---- redeeming ----------------------------------------------------------------------------------


async def redeem(viewer: Viewer, request: RedeemRequest, *, clock: Clock) -> RedeemOutcome:
    check_key(request.idempotency_key)
    if not 1 <= request.quantity <= MAX_QUANTITY:
        raise MallError(MallErrorCode.INVALID_QUANTITY, f"Redeem 1 to {MAX_QUANTITY} units at a time.", field="quantity")
    sent = {"item": request.item_id, "quantity": request.quantity, "store": request.store_id, "member": request.member_code}
    return await in_flight.one_at_a_time(
        viewer.idempotency_scope, request.idempotency_key, sent, lambda: _redeem(viewer, request, clock),
        in_progress=_in_progress,
    )


async def _redeem(viewer: Viewer, request: RedeemRequest, clock: Clock) -> RedeemOutcome:
    async with contention.translated():
        member = await member_served(viewer, request.member_code, doing="redeem")  # None: the signed-in member, read in the transaction
        member_id = member.id if member is not None else viewer.subject_id
        try:
            screened = await _screen(viewer, member_id, request, clock)
        except MallError as exc:
            return await _replay_or_raise(exc, viewer, request, member_id)
        try:
            redemption, replayed, account, member = await _write(viewer, screened, member, request, clock)
        except _Unpriced as unpriced:
            return await _replay_or_raise(unpriced.error, viewer, request, member_id)
        except MallError as exc:
            if exc.code == MallErrorCode.OUT_OF_STOCK:
                await stock.note_if_sold_out(screened.item.id)
            raise
        member_after = None
        if account is not None:
            member_after = MemberWithBalance(member, account.balance, account.pending, account.debt)
        return RedeemOutcome(redemption, replayed, member_after)


async def _replay_or_raise(error: MallError, viewer: Viewer, request: RedeemRequest, member_id: int) -> RedeemOutcome:
    """A retry of a redemption that went through answers with it, whatever changed since."""
    replay = await _replay(viewer.idempotency_scope, request.idempotency_key)
    if replay is None:
        raise error
    if not _same_input(replay, request, member_id):
        raise _key_reused() from None
    return RedeemOutcome(replay, replayed=True)


@dataclass(frozen=True)
class _Screened:
    """What the checks before the transaction found: they need the member's id only."""

    settings: dict
    item: MallItem
    store: Store | None


class _Unpriced(Exception):
    """A MallError that stopped the order being priced, inside the transaction (it reads the member)."""

    def __init__(self, error: MallError) -> None:
        super().__init__(str(error))
        self.error = error


async def _screen(viewer: Viewer, member_id: int, request: RedeemRequest, clock: Clock) -> _Screened:
    settings = await mall_settings.current()
    await throttle.count_attempt(
        member_id, request.idempotency_key, limit=settings["redeem_attempts_per_window"],
        window_seconds=settings["redeem_window_seconds"], clock=clock,
    )
    item = await catalogue.find(request.item_id)
    if item is None:
        raise MallError(MallErrorCode.ITEM_NOT_FOUND, "No such mall item.", field="itemId")
    if not item.points_redeemable:
        raise MallError(MallErrorCode.CASH_ONLY, "This bundle is sold for cash at the till, not redeemed with points.",
                        field="itemId")
    if item.stock_limited and await stock.known_sold_out(item.id):
        raise _out_of_stock()  # the rush after the last unit stops here, before any database read
    return _Screened(settings, item, await _store_for(viewer, request.store_id, item))


async def _priced(viewer: Viewer, screened: _Screened, member: Member, request: RedeemRequest, clock: Clock) -> _Order:
    item, store, settings = screened.item, screened.store, screened.settings
    shopper = await shoppers.for_member(member, store, clock, settings=settings)
    eligibility.check_available(item, shopper.now, store.id if store else None)
    eligibility.check_tier(item, shopper.tier_code or "")
    plan = stock.guess(item.stock_buckets) if item.stock_limited else []
    price = shopper.price(item)
    period = None
    if item.per_member_limit is not None:
        period = limits.period_key(limits.LimitPeriod(item.limit_period), shopper.local_date)
    return _Order(
        item=item, member=member, store=store, quantity=request.quantity, unit_points=price.points,
        cash_fen=price.cash_fen, period_key=period, stock_plan=plan, scope=viewer.idempotency_scope,
        key=request.idempotency_key, fingerprint=fingerprint(item.id, request.quantity, store.id if store else None, member.id),
        actor=viewer.idempotency_scope, expires_hours=settings["redemption_valid_hours"],
    )


async def _write(
    viewer: Viewer, screened: _Screened, member: Member | None, request: RedeemRequest, clock: Clock
) -> tuple[Redemption, bool, MemberAmounts | None, Member]:
    """The redemption, whether it replays an earlier one, the member's account after the points
    went, and the member.

    A signed-in member is read here, on the transaction's connection: a read of its own outside
    would take and give back a pooled connection, which costs asyncpg more than the statement.
    """
    account = None
    async with in_transaction() as conn:
        if member is None:
            member = await db.by_id(Member, viewer.subject_id, connection=conn)
            if member is None:
                raise AccessDenied("Sign in again.", unauthenticated=True)
        try:
            order = await _priced(viewer, screened, member, request, clock)
        except MallError as exc:
            raise _Unpriced(exc) from None
        redemption, replayed = await _claim(conn, order, clock)
        if replayed:
            return redemption, True, None, member
        if order.period_key is not None:
            taken = await limits.take(
                conn, item_id=order.item.id, member_id=order.member.id, period=order.period_key,
                quantity=order.quantity, limit=order.item.per_member_limit,  # type: ignore[arg-type]
            )
            if not taken:
                limit = order.item.per_member_limit
                raise MallError(
                    MallErrorCode.MEMBER_LIMIT_REACHED,
                    f"A member may redeem {limit} of this item {limits.describe(limits.LimitPeriod(order.item.limit_period))}.",
                    field="quantity",
                )
        points = order.unit_points * order.quantity
        if points:
            account = await _spend(conn, order, redemption.id, points, clock)
        await outbox.emit(conn, EventType.REDEMPTION_CREATED, events.redemption_data(redemption),
                          partner_id=redemption.partner_id, clock=clock)  # type: ignore[attr-defined]
        if order.item.stock_limited and not await stock.take_and_commit(conn, order.item.id, order.quantity, order.stock_plan):
            raise _out_of_stock()
    return redemption, False, account, member


async def _claim(conn, order: _Order, clock: Clock) -> tuple[Redemption, bool]:
    """Insert the redemption, or find the one this caller already made with this key.

    The inserted row is returned whole: it is what the payload shows, with no read after commit.
    """
    now = utc(clock.now())
    for _ in range(CODE_ATTEMPTS):
        inserted = await db.fetch(
            "INSERT INTO mall_redemption (code, item_id, member_id, store_id, quantity, unit_points, points_spent, cash_fen,"
            " status, period_key, caller_scope, idempotency_key, fingerprint, actor, created_at, expires_at, partner_id)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'PENDING', $9, $10, $11, $12, $13, $14, $15, $16)"
            " ON CONFLICT DO NOTHING RETURNING *",
            codes.new_code(), order.item.id, order.member.id, order.store.id if order.store else None, order.quantity,
            order.unit_points, order.unit_points * order.quantity, order.cash_fen * order.quantity, order.period_key,
            order.scope, order.key, order.fingerprint, order.actor, now, now + timedelta(hours=order.expires_hours),
            order.item.partner_id,  # type: ignore[attr-defined]
            connection=conn,
        )
        if inserted:
            return Redemption._init_from_db(**inserted[0]), False
        first = await Redemption.get_or_none(caller_scope=order.scope, idempotency_key=order.key).using_db(conn)
        if first is not None:
            if first.fingerprint != order.fingerprint:
                raise _key_reused()
            return first, True
        # Otherwise the random code was taken: draw another.
    raise RuntimeError("no free redemption code after several draws")


async def _spend(conn, order: _Order, redemption_id: int, points: int, clock: Clock) -> MemberAmounts:
    try:
        spent = await ledger.debit(
            order.member.id, points, JournalKind.REDEMPTION, reason=f"Redeemed {order.quantity} x {order.item.name}",
            actor=order.actor, store_id=order.store.id if order.store else None, reference=reference(redemption_id),
            clock=clock, connection=conn, savepoint=False,  # any failure rolls the whole redemption back
        )
    except LedgerError as exc:
        if exc.code != LedgerErrorCode.INSUFFICIENT_POINTS:
            raise
        raise MallError(
            MallErrorCode.INSUFFICIENT_POINTS, f"This needs {points:,} points, more than the member can spend.", field="quantity"
        ) from None
    return spent.account


def reference(redemption_id: int) -> str:
    """The ledger reference of a redemption: its REDEMPTION journal and any reversal carry it."""
    return f"redemption:{redemption_id}"


async def _replay(scope: str, key: str) -> Redemption | None:
    return await Redemption.get_or_none(caller_scope=scope, idempotency_key=key)


def _same_input(first: Redemption, request: RedeemRequest, member_id: int) -> bool:
    store_id = first.store_id if request.store_id is None else request.store_id  # type: ignore[attr-defined]
    return first.fingerprint == fingerprint(request.item_id, request.quantity, store_id, member_id)


def _key_reused() -> MallError:
    return MallError(
        MallErrorCode.IDEMPOTENCY_KEY_REUSED, "This idempotency key was already used for a different redemption.",
        field="idempotencyKey",
    )


def _in_progress() -> MallError:
    return MallError(
        MallErrorCode.IN_PROGRESS, "This redemption is still being made: send it again with the same key in a moment.",
        field="idempotencyKey",
    )


def _out_of_stock() -> MallError:
    return MallError(MallErrorCode.OUT_OF_STOCK, "This item is sold out.", field="itemId")
