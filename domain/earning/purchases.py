"""Purchases: points credited the moment a purchase is recorded, taken back on return.

Coupons (couponCodes) are applied and used up in the purchase's own transaction
(domain/coupons/till.py): the discount is recorded on the purchase, its lines and per coupon
(PurchaseCoupon), and the lines earn points on what the member paid after it. A coupon that
cannot be used fails the whole purchase, nothing of it written; a replay answers the first
purchase with its discount. A return of the whole purchase gives its coupons back while they
are still valid; a partial return gives none back.

A purchase is idempotent on (caller, clientTxnId): the caller is the store device that sent it,
or the store for staff. The purchase row itself is the idempotency record: the first insert
claims the id (a concurrent retry waits on the unique index), a replay with the same payload
returns the first result, a different payload under the same id is CLIENT_TXN_ID_REUSED.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from domain import bounds, contended, text
from domain.access import CallerKind, Viewer
from domain.coupons import till
from domain.coupons.discounts import TillLine
from domain.earning import bundle_lines, calculator, rulebook
from domain.earning.models import Purchase, PurchaseCoupon, PurchaseLine
from domain.errors import AccessDenied, DomainError
from domain.idempotency import in_flight
from domain.idempotency import service as idempotency
from domain.ledger import service as ledger
from domain.ledger.errors import LedgerError, LedgerErrorCode
from domain.ledger.models import JournalKind, PointsJournal
from domain.members import codes
from domain.members.models import Member
from domain.programme import service as programme_settings
from domain.stores import services as stores
from domain.stores.models import Store
from domain.tiers import activity
from domain.tiers import service as tiers
from domain.tiers.rules import Activity
from infra import db, dialect
from infra.clock import Clock, utc

log = logging.getLogger("orchard.purchases")

CHANNELS = frozenset({"IN_STORE", "ONLINE", "DELIVERY"})
MAX_LINES = 200
MAX_UNIT_PRICE_YUAN = 10_000_000
MAX_CLOCK_SKEW = timedelta(minutes=5)
EARNING_JOURNAL_KINDS = (JournalKind.PURCHASE, JournalKind.CAMPAIGN_BONUS)


class PurchaseError(DomainError):
    pass


def _busy() -> PurchaseError:
    return PurchaseError("TRY_AGAIN", "The points ledger is very busy right now: send the purchase again with the same clientTxnId.")


@dataclass(frozen=True)
class LineInput:
    sku: str
    category: str
    quantity: int
    unit_price: str  # a decimal string in yuan, at most two decimals
    bundle_id: int | None = None  # the line sells this partner bundle for cash: it takes a unit of its stock


@dataclass(frozen=True)
class PurchaseRequest:
    member_code: str
    store_id: int
    channel: str
    lines: tuple[LineInput, ...]
    client_txn_id: str
    occurred_at: datetime | None = None
    points_to_redeem: int = 0
    coupon_codes: tuple[str, ...] = ()  # as the till scanned or typed them, in its order
    delivery_fee: str | None = None  # yuan, a DELIVERY purchase's fee: FREE_DELIVERY coupons waive it


@dataclass(frozen=True)
class PurchaseOutcome:
    purchase: Purchase
    replayed: bool
    campaign_points: dict[str, int] = field(default_factory=dict)


# ---- checks ---------------------------------------------------------------------------------


def _price_fen(text: str, index: int) -> int:
    try:
        return bounds.fen_from_yuan(text)
    except bounds.BadMoney as exc:
        raise PurchaseError("INVALID_PRICE", f"A unit price {exc}.", field=f"lines.{index}.unitPrice") from None


def _checked_lines(lines: tuple[LineInput, ...]) -> list[calculator.Line]:
    if not lines:
        raise PurchaseError("EMPTY_PURCHASE", "A purchase has at least one line.", field="lines")
    if len(lines) > MAX_LINES:
        raise PurchaseError("TOO_MANY_LINES", f"A purchase has at most {MAX_LINES} lines.", field="lines")
    checked = []
    for i, line in enumerate(lines):
        if not 0 < line.quantity <= 100_000:
            raise PurchaseError("INVALID_QUANTITY", "A quantity is a whole number above zero.", field=f"lines.{i}.quantity")
        if not line.sku.strip() or len(line.sku) > 64:
            raise PurchaseError("INVALID_SKU", "A line needs a SKU of at most 64 characters.", field=f"lines.{i}.sku")
        category = line.category.strip().upper()
        if not category or len(category) > 32:
            raise PurchaseError("INVALID_CATEGORY", "A line needs a category code.", field=f"lines.{i}.category")
        checked.append(calculator.Line(line.sku.strip(), category, line.quantity, _price_fen(line.unit_price, i)))
        if checked[-1].total_fen > bounds.MAX_MONEY_FEN:
            raise PurchaseError("INVALID_AMOUNT", _TOO_MUCH_MONEY.format(what="A line's total"), field=f"lines.{i}")
    if sum(line.total_fen for line in checked) > bounds.MAX_MONEY_FEN:
        raise PurchaseError("INVALID_AMOUNT", _TOO_MUCH_MONEY.format(what="A purchase's total"), field="lines")
    return checked


_TOO_MUCH_MONEY = "{what} is at most " + f"{bounds.MAX_MONEY_FEN // 100:,} yuan."


def caller_scope(viewer: Viewer, store_id: int) -> str:
    """Idempotency is per device for devices, per store for staff."""
    if viewer.kind is CallerKind.DEVICE:
        return viewer.idempotency_scope
    return f"store:{store_id}"


def require_purchase_writer(viewer: Viewer, store_id: int) -> None:
    if viewer.kind is CallerKind.DEVICE:
        if not viewer.has_scope("purchases:write") or viewer.store_id != store_id:
            raise AccessDenied("This device may not record purchases for that store.")
        return
    if viewer.is_chain_admin:
        return
    if viewer.is_staff and viewer.store_id == store_id:
        return
    raise AccessDenied("Only staff or devices of the store record its purchases.", unauthenticated=viewer.is_anonymous)


def fingerprint(request: PurchaseRequest) -> str:
    canonical = {
        "member": codes.code_from_scan(request.member_code), "store": request.store_id, "channel": request.channel,
        "lines": [[line.sku, line.category.upper(), line.quantity, str(Decimal(line.unit_price.strip()))]
                  + ([line.bundle_id] if line.bundle_id is not None else []) for line in request.lines],
        "occurredAt": request.occurred_at.isoformat() if request.occurred_at else None,
        "pointsToRedeem": request.points_to_redeem,
    }
    # Only when sent: a purchase without coupons keeps the fingerprint it had before coupons existed.
    if request.coupon_codes:
        canonical["couponCodes"] = till.normalized(request.coupon_codes)
    if delivery_fee_fen(request):
        canonical["deliveryFee"] = delivery_fee_fen(request)
    return idempotency.fingerprint("recordPurchase", canonical)


def delivery_fee_fen(request: PurchaseRequest) -> int:
    if request.delivery_fee is None:
        return 0
    try:
        fee = bounds.fen_from_yuan(request.delivery_fee)
    except bounds.BadMoney as exc:
        raise PurchaseError("INVALID_PRICE", f"A delivery fee {exc}.", field="deliveryFee") from None
    if fee and request.channel != "DELIVERY":
        raise PurchaseError("INVALID_PRICE", "A delivery fee goes with a DELIVERY purchase only.", field="deliveryFee")
    return fee


# ---- recording ------------------------------------------------------------------------------


async def record_purchase(viewer: Viewer, request: PurchaseRequest, *, clock: Clock) -> PurchaseOutcome:
    require_purchase_writer(viewer, request.store_id)
    if not text.column_text(Purchase, "client_txn_id", request.client_txn_id):
        raise PurchaseError("INVALID_CLIENT_TXN_ID", "clientTxnId is 1 to 100 characters.", field="clientTxnId")
    if request.channel not in CHANNELS:
        raise PurchaseError("INVALID_CHANNEL", "The channel is IN_STORE, ONLINE or DELIVERY.", field="channel")
    if not 0 <= request.points_to_redeem <= bounds.MAX_BALANCE:
        raise PurchaseError(
            "INVALID_POINTS", f"Points to redeem are 0 to {bounds.MAX_BALANCE:,}.", field="pointsToRedeem"
        )
    lines = _checked_lines(request.lines)
    delivery_fee_fen(request)
    till.check_count(request.coupon_codes)
    scope = caller_scope(viewer, request.store_id)
    print_ = fingerprint(request)
    return await in_flight.one_at_a_time(
        scope, request.client_txn_id.strip(), print_, lambda: _record(viewer, request, lines, scope, print_, clock),
        in_progress=lambda: idempotency.in_progress("clientTxnId"),
    )


async def _record(viewer: Viewer, request: PurchaseRequest, lines: list[calculator.Line], scope: str, print_: str,
                  clock: Clock) -> PurchaseOutcome:
    code = codes.code_from_scan(request.member_code)
    if not codes.is_valid_member_code(code):
        raise PurchaseError("INVALID_MEMBER_CODE", "That member code has a typo.", field="memberCode")
    member = await db.by_unique(Member, "code", code)
    if member is None:
        raise PurchaseError("MEMBER_NOT_FOUND", "No member has that code.", field="memberCode")
    store = await stores.store_by_id(request.store_id)
    if store is None:
        raise PurchaseError("STORE_NOT_FOUND", "No such store.", field="storeId")
    now = clock.now()
    occurred_at = request.occurred_at or now
    if occurred_at.tzinfo is None:
        raise PurchaseError("INVALID_OCCURRED_AT", "occurredAt needs a time-zone offset.", field="occurredAt")
    occurred_at = utc(occurred_at)
    if occurred_at > now + MAX_CLOCK_SKEW:
        raise PurchaseError("INVALID_OCCURRED_AT", "A purchase cannot happen in the future.", field="occurredAt")

    local_date = occurred_at.astimezone(ZoneInfo(store.time_zone)).date()
    async with contended.translated(_busy), in_transaction() as conn:
        claimed = await db.fetch(
            "INSERT INTO purchase (member_id, store_id, channel, caller_scope, client_txn_id, fingerprint, occurred_at,"
            " recorded_at, local_date, total_fen, cash_offset_fen, points_redeemed, points_earned, status, is_first_order,"
            " discount_fen, delivery_fee_fen)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, 0, 0, 'COMPLETED', false, 0, 0)"
            " ON CONFLICT (caller_scope, client_txn_id) DO NOTHING RETURNING *",
            member.id, store.id, request.channel, scope, request.client_txn_id.strip(), print_, occurred_at, now,
            local_date, sum(line.total_fen for line in lines), connection=conn,
        )
        if not claimed:
            first = await Purchase.get(caller_scope=scope, client_txn_id=request.client_txn_id.strip()).using_db(conn)
            if first.fingerprint != print_:
                raise PurchaseError(
                    "CLIENT_TXN_ID_REUSED", "This clientTxnId was already used for a different purchase.", field="clientTxnId"
                )
            return PurchaseOutcome(purchase=first, replayed=True)
        purchase, awards, tier_activity = await _settle(
            conn, Purchase._init_from_db(**claimed[0]), member, store, lines, request, local_date, clock
        )
        sold = [bundle_lines.BundleLine(i, given.bundle_id, given.quantity, line.total_fen)
                for i, (given, line) in enumerate(zip(request.lines, lines, strict=True)) if given.bundle_id is not None]
        if sold:  # last, like the mall's stock: the bundle's stock rows are held the least time
            await bundle_lines.sell(conn, purchase, store, sold, clock)
    await _after_purchase(purchase, member, tier_activity, clock)
    return PurchaseOutcome(purchase=purchase, replayed=False, campaign_points=awards)


async def record_batch(
    viewer: Viewer, requests: Sequence[PurchaseRequest | DomainError], *, clock: Clock
) -> list[PurchaseOutcome | DomainError]:
    """Offline backfill: each purchase on its own, oldest first (rules apply as of occurredAt);
    one outcome or error per request, in input order. A request may already be the error its
    input gave.

    The caller may write every purchase or the batch is refused before any is recorded. After
    that no exception escapes: the purchases before it are stored, so an unexpected failure of
    one is that purchase's error (logged), and a retry with its clientTxnId is safe.
    """
    for request in requests:
        if isinstance(request, PurchaseRequest):
            require_purchase_writer(viewer, request.store_id)
    results: dict[int, PurchaseOutcome | DomainError] = {}
    for i in sorted(range(len(requests)), key=lambda i: _batch_order(requests[i], i)):
        request = requests[i]
        if isinstance(request, DomainError):
            results[i] = request
            continue
        try:
            results[i] = await record_purchase(viewer, request, clock=clock)
        except DomainError as exc:
            results[i] = exc
        except Exception:
            log.exception("purchase %d of a batch failed", i)
            results[i] = PurchaseError(
                "NOT_RECORDED",
                "This purchase could not be recorded. Send it again with the same clientTxnId: one recorded already is not recorded twice.",
            )
    return [results[i] for i in range(len(requests))]


def _batch_order(request: PurchaseRequest | DomainError, index: int) -> tuple:
    """Oldest first; purchases without a usable occurredAt (none, or no offset: refused) last, in input order."""
    at = request.occurred_at if isinstance(request, PurchaseRequest) else None
    if at is None or at.tzinfo is None:
        return (1, index)
    return (0, utc(at), index)


async def _settle(conn, purchase: Purchase, member: Member, store: Store, lines: list[calculator.Line],
                  request: PurchaseRequest, local_date, clock: Clock) -> tuple[Purchase, dict[str, int], Activity]:
    """Points out (cash offset) and in (purchase and campaigns), all in the purchase's transaction.

    Returns the purchase as settled (its row after the last update), the campaign points given
    and the member's tier activity with this purchase.
    """
    settings = await programme_settings.current()
    now = clock.now()
    occurred_at = purchase.occurred_at
    actor = f"purchase:{purchase.id}"
    reference = f"purchase:{purchase.id}"
    max_age = timedelta(days=settings["offline_max_age_days"])
    book = await rulebook.load()
    stored = book.campaigns_at(occurred_at)
    window_start = await activity.window_start(clock)
    before = await _read_before(conn, purchase, member.id, store.id, local_date, [c.id for c in stored], window_start)
    is_first = before.is_first

    lines, discounted = await _use_coupons(conn, purchase, member, store, lines, request)
    if now - occurred_at > max_age:
        await _save_lines(conn, purchase, lines, [_HELD_LINE] * len(lines))
        held = await _update(
            conn, purchase.id, status="HELD",
            held_reason=f"Recorded more than {settings['offline_max_age_days']} days after it happened.", **discounted,
        )
        return held, {}, before.activity

    points_used, offset_fen = calculator.cash_offset(
        request.points_to_redeem, sum(line.payable_fen for line in lines), points_per_yuan=settings["cash_offset_points_per_yuan"],
        max_share=Decimal(settings["cash_offset_max_percent"]) / 100,
    )
    if points_used:
        await ledger.debit(
            member.id, points_used, JournalKind.CASH_OFFSET, reason="Points paid part of a purchase", actor=actor,
            store_id=store.id, reference=reference, occurred_at=occurred_at, clock=clock, connection=conn,
            savepoint=False,  # any failure rolls the whole purchase back
        )

    tier = next(t for t in await tiers.all_tiers() if t.id == member.tier_id)  # type: ignore[attr-defined]
    usage = before.usage
    campaigns = [
        rulebook.calculator_campaign(
            c, given_total=usage[c.id].total, given_today=usage[c.id].member_today,
            given_to_member=usage[c.id].member_total if c.cap_per_member is not None else 0,
        )
        for c in stored
    ]
    context = calculator.PurchaseContext(
        local_date=local_date, channel=request.channel, tier_code=tier.code,
        tier_multiplier=Decimal(tier.earn_multiplier), birthday=member.birthday, is_first_order=is_first,
        store_flags=before.store_flags, cash_offset_fen=offset_fen,
    )
    rates = book.rates_at(occurred_at)
    result = calculator.calculate_earning(lines, rates, context, campaigns)
    expires_at = occurred_at + timedelta(days=settings["points_expiry_days"])
    pending_days = settings["purchase_pending_days"]
    if result.purchase_points:
        await ledger.credit(
            member.id, result.purchase_points, JournalKind.PURCHASE, reason=f"Purchase at {store.code}", actor=actor,
            store_id=store.id, reference=reference, occurred_at=occurred_at, expires_at=expires_at,
            pending_days=pending_days, clock=clock, connection=conn, savepoint=False,
        )
    awarded: dict[str, int] = {}
    by_code = {c.code: c for c in stored}
    for award in result.awards:
        campaign = by_code[award.code]
        points = await _take_from_budget(conn, campaign.id, award.points)
        if points <= 0:
            continue
        await _count_member_day(conn, campaign.id, member.id, local_date, points)
        await ledger.credit(
            member.id, points, JournalKind.CAMPAIGN_BONUS, reason=campaign_reason(campaign.code), actor=actor,
            store_id=store.id, reference=reference, occurred_at=occurred_at, expires_at=expires_at,
            pending_days=pending_days, clock=clock, connection=conn, savepoint=False,
        )
        awarded[campaign.code] = points
    earned = result.purchase_points + sum(awarded.values())
    earned_lines = [
        _EarnedLine(lp.tier_points, lp.base_points, rates.rate_for(line.category)) for line, lp in zip(lines, result.lines, strict=True)
    ]
    settled = await _finish(
        conn, purchase, lines, earned_lines, member_id=member.id, store_id=store.id, now=now,
        cash_offset_fen=offset_fen, points_redeemed=points_used, points_earned=earned, is_first_order=is_first,
        tier_multiplier=context.tier_multiplier, **discounted,
    )
    counted = earned if occurred_at >= window_start else 0
    return settled, awarded, Activity(points=max(before.activity.points + counted, 0), purchases=before.activity.purchases)


async def _use_coupons(conn, purchase: Purchase, member: Member, store: Store, lines: list[calculator.Line],
                       request: PurchaseRequest) -> tuple[list[calculator.Line], dict[str, int]]:
    """The coupons applied and used up (a CouponError rolls the purchase back): the lines with their
    share of the discount, and the purchase's discount columns. Points are earned on the lines
    after the discount, since the member paid that much less; a waived delivery fee earns nothing
    either way (the fee is not a line)."""
    fee = delivery_fee_fen(request)
    if not request.coupon_codes:
        return lines, {"discount_fen": 0, "delivery_fee_fen": fee}
    used = await till.use_at_till(
        conn, request.coupon_codes, member_id=member.id, store_id=store.id, channel=request.channel,
        lines=[TillLine(line.category, line.total_fen) for line in lines], delivery_fee_fen=fee, at=purchase.occurred_at,
        used_ref=f"purchase:{purchase.id}",
    )
    await db.insert_rows(
        "purchase_coupon", ("purchase_id", "coupon_id", "position", "discount_fen"),
        [(purchase.id, u.coupon.id, u.position, u.discount_fen) for u in used.used], connection=conn,
    )
    discounted = [
        dataclasses.replace(line, discount_fen=share) for line, share in zip(lines, used.discount.line_discounts, strict=True)
    ]
    return discounted, {"discount_fen": used.discount.total_fen, "delivery_fee_fen": fee}


async def _finish(
    conn, purchase: Purchase, lines: list[calculator.Line], points: list[_EarnedLine], *, member_id: int, store_id: int,
    now: datetime, **columns,
) -> Purchase:
    """The purchase's last writes: its lines, the member linked to the store, and `columns` set on
    the purchase row, which comes back as updated. One statement on PostgreSQL (the lines and the
    link as data-modifying CTEs ahead of the UPDATE); three on SQLite."""
    if not dialect.current().writable_ctes:
        await _save_lines(conn, purchase, lines, points)
        await db.execute(_LINK_MEMBER_TO_STORE, member_id, store_id, now, connection=conn)
        return await _update(conn, purchase.id, **columns)
    rows = _line_rows(purchase, lines, points)
    start = 4 + len(rows) * len(_LINE_COLUMNS)
    assignments = ", ".join(f"{name} = ${i}" for i, name in enumerate(columns, start=start))
    statement = (
        f"WITH line AS ({db.insert_rows_sql('purchase_line', _LINE_COLUMNS, len(rows), start=4)}),"
        f" linked AS ({_LINK_MEMBER_TO_STORE})"
        f" UPDATE purchase SET {assignments} WHERE id = ${start + len(columns)} RETURNING *"
    )
    params = [member_id, store_id, now, *(value for row in rows for value in row), *columns.values(), purchase.id]
    found = await db.fetch(statement, *params, connection=conn)
    return Purchase._init_from_db(**found[0])


# $1 member, $2 store, $3 the time the member is first seen there
_LINK_MEMBER_TO_STORE = (
    "INSERT INTO member_store (member_id, store_id, first_seen_at) VALUES ($1, $2, $3)"
    " ON CONFLICT (member_id, store_id) DO NOTHING"
)


async def _update(conn, purchase_id: int, **columns) -> Purchase:
    """Set columns of the purchase; the row as updated, in the same statement."""
    assignments = ", ".join(f"{name} = ${i}" for i, name in enumerate(columns, start=1))
    rows = await db.fetch(
        f"UPDATE purchase SET {assignments} WHERE id = ${len(columns) + 1} RETURNING *",
        *columns.values(), purchase_id, connection=conn,
    )
    return Purchase._init_from_db(**rows[0])


@dataclass(frozen=True)
class _EarnedLine:
    """What a line earned and how, stored with it so the points can be explained later."""

    points: int  # after the tier multiplier
    base_points: int
    points_per_yuan: Decimal | None


_HELD_LINE = _EarnedLine(0, 0, None)


async def _save_lines(conn, purchase: Purchase, lines: list[calculator.Line], earned: list[_EarnedLine]) -> None:
    await db.insert_rows("purchase_line", _LINE_COLUMNS, _line_rows(purchase, lines, earned), connection=conn)


def _line_rows(purchase: Purchase, lines: list[calculator.Line], earned: list[_EarnedLine]) -> list[tuple]:
    return [
        (purchase.id, i, line.sku, line.category, line.quantity, line.unit_price_fen, line.total_fen,
         earned[i].points, earned[i].base_points, earned[i].points_per_yuan, 0, line.discount_fen)
        for i, line in enumerate(lines)
    ]


_LINE_COLUMNS = (
    "purchase_id", "line_no", "sku", "category", "quantity", "unit_price_fen", "total_fen", "points", "base_points",
    "points_per_yuan", "returned_quantity", "discount_fen",
)

CAMPAIGN_REASON_PREFIX = "Campaign "


def campaign_reason(code: str) -> str:
    """The reason of a campaign's CAMPAIGN_BONUS journal; `campaign_of_reason` reads the code back."""
    return f"{CAMPAIGN_REASON_PREFIX}{code}"


def campaign_of_reason(reason: str) -> str | None:
    return reason.removeprefix(CAMPAIGN_REASON_PREFIX) if reason.startswith(CAMPAIGN_REASON_PREFIX) else None


@dataclass(frozen=True)
class _Usage:
    """What a campaign has given so far: in all, to this member, and to this member on this local day."""

    total: int = 0
    member_total: int = 0
    member_today: int = 0


@dataclass(frozen=True)
class _Before:
    """What a purchase's earning depends on, read at once when it settles."""

    is_first: bool
    store_flags: frozenset[str]
    usage: dict[int, _Usage]
    activity: Activity  # in the tier window: the points before this purchase's, the purchases with it


async def _read_before(
    conn, purchase: Purchase, member_id: int, store_id: int, local_date, campaign_ids: list[int], window_start: datetime,
) -> _Before:
    """Whether the member bought before, the store's flags for the day, what every live campaign
    has given (read for the caps) and the member's tier activity: one statement whatever the
    number of campaigns."""
    marks = db.placeholders(len(campaign_ids), start=6)
    parts = [
        "SELECT 'first' AS part, 0 AS id, '' AS tag, COUNT(*) AS given, 0 AS today FROM"
        " (SELECT 1 AS found FROM purchase WHERE member_id = $1 AND status <> 'HELD' AND id <> $2 LIMIT 1) AS earlier",
        "SELECT 'flag', 0, flag, 0, 0 FROM store_flag WHERE store_id = $3 AND local_date = $4",
        f"SELECT 'activity', 0, '', {activity.points_sql('$1', '$5')}, {activity.purchases_sql('$1', '$5')}",
    ]
    if campaign_ids:
        parts += [
            f"SELECT 'total', id, '', given_total, 0 FROM campaign_rule WHERE id IN ({marks})",
            "SELECT 'mine', campaign_id, '', COALESCE(SUM(points), 0), COALESCE(SUM(CASE WHEN local_date = $4 THEN points ELSE 0 END), 0)"
            f" FROM campaign_member_day WHERE member_id = $1 AND campaign_id IN ({marks}) GROUP BY campaign_id",
        ]
    rows = await db.fetch(
        " UNION ALL ".join(parts), member_id, purchase.id, store_id, local_date, window_start, *campaign_ids, connection=conn,
    )
    by_part: dict[str, list[dict]] = {"first": [], "flag": [], "activity": [], "total": [], "mine": []}
    for row in rows:
        by_part[row["part"]].append(row)
    given = {row["id"]: int(row["given"]) for row in by_part["total"]}
    mine = {row["id"]: row for row in by_part["mine"]}
    window = by_part["activity"][0]
    return _Before(
        is_first=not int(by_part["first"][0]["given"]),
        store_flags=frozenset(row["tag"] for row in by_part["flag"]),
        activity=Activity(points=int(window["given"]), purchases=int(window["today"])),
        usage={
            cid: _Usage(
                total=given.get(cid, 0),
                member_total=int(mine[cid]["given"]) if cid in mine else 0,
                member_today=int(mine[cid]["today"]) if cid in mine else 0,
            )
            for cid in campaign_ids
        },
    )


async def _take_from_budget(conn, campaign_id: int, points: int) -> int:
    """A conditional update: concurrent purchases never spend a campaign past its budget."""
    taken = await db.fetch(
        "UPDATE campaign_rule SET given_total = given_total + $1"
        " WHERE id = $2 AND (budget IS NULL OR given_total + $1 <= budget) RETURNING id",
        points, campaign_id, connection=conn,
    )
    return points if taken else 0


async def _count_member_day(conn, campaign_id: int, member_id: int, local_date, points: int) -> None:
    await db.execute(
        "INSERT INTO campaign_member_day (campaign_id, member_id, local_date, points) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (campaign_id, member_id, local_date) DO UPDATE SET points = campaign_member_day.points + excluded.points",
        campaign_id, member_id, local_date, points, connection=conn,
    )


async def _after_purchase(purchase: Purchase, member: Member, tier_activity: Activity, clock: Clock) -> None:
    """Outside the purchase's transaction: tier upgrade and the referrer's first-order bonus.

    `tier_activity` is the member's activity in the tier window as the purchase left it: read in
    the purchase's transaction, with the points it earned added (no read of its own after it).
    """
    if purchase.status == "HELD":
        return
    await tiers.apply_activity(member, tier_activity, actor=f"purchase:{purchase.id}", clock=clock)
    if purchase.is_first_order and member.referred_by_id:  # type: ignore[attr-defined]
        from domain.earning import behaviour

        await behaviour.reward_referrer_for_first_order(member, purchase.id, clock=clock)


# ---- returns --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReturnLine:
    line_no: int
    quantity: int


def _list_share(list_value: int, total_fen: int) -> Fraction:
    """The returned part of a free order (nothing paid): by list price."""
    return Fraction(list_value, total_fen) if total_fen else Fraction(1)


async def return_purchase(viewer: Viewer, purchase_id: int, returned: list[ReturnLine], *, clock: Clock, connection) -> Purchase:
    """Take back the points the returned part earned (pro rata by what the member paid for it) and
    refund points used as cash. The return that leaves nothing of the purchase gives its coupons
    back, those still valid now (till.give_back); a partial return gives none back.

    Runs inside the caller's transaction (the idempotency record's).
    """
    purchase = await Purchase.get_or_none(id=purchase_id).using_db(connection)
    if purchase is None:
        raise PurchaseError("PURCHASE_NOT_FOUND", "No such purchase.", field="purchaseId")
    require_purchase_writer(viewer, purchase.store_id)  # type: ignore[attr-defined]
    if purchase.status == "HELD":
        raise PurchaseError("PURCHASE_HELD", "This purchase is held for review and earned nothing yet.", field="purchaseId")
    lines = {line.line_no: line for line in await PurchaseLine.filter(purchase_id=purchase.id).using_db(connection)}
    if not returned:
        returned = [
            ReturnLine(n, line.quantity - line.returned_quantity)
            for n, line in lines.items() if line.quantity > line.returned_quantity
        ]
    value = Fraction(0)  # what the member paid for the returned units, after the coupons
    list_value = 0  # their list price
    for i, item in enumerate(returned):
        line = lines.get(item.line_no)
        if line is None:
            raise PurchaseError("LINE_NOT_FOUND", "The purchase has no such line.", field=f"lines.{i}.lineNo")
        if item.quantity <= 0 or item.quantity > line.quantity - line.returned_quantity:
            raise PurchaseError("INVALID_QUANTITY", "More returned than was bought (or left to return).", field=f"lines.{i}.quantity")
        updated = await db.execute(
            "UPDATE purchase_line SET returned_quantity = returned_quantity + $1 WHERE id = $2 AND returned_quantity + $1 <= quantity",
            item.quantity, line.id, connection=connection,
        )
        if updated != 1:
            raise PurchaseError("INVALID_QUANTITY", "More returned than was bought.", field=f"lines.{i}.quantity")
        value += Fraction(line.total_fen - line.discount_fen, line.quantity) * item.quantity
        list_value += line.unit_price_fen * item.quantity
    fully = all(
        line.returned_quantity + sum(r.quantity for r in returned if r.line_no == n) >= line.quantity for n, line in lines.items()
    )
    paid = purchase.total_fen - sum(line.discount_fen for line in lines.values())
    share = value / paid if paid else _list_share(list_value, purchase.total_fen)
    journals = await PointsJournal.filter(
        reference=f"purchase:{purchase.id}", kind__in=[*EARNING_JOURNAL_KINDS, JournalKind.CASH_OFFSET]
    ).using_db(connection)
    for journal in journals:
        try:
            await ledger.reverse(
                journal.id, fraction=None if fully else share, kind=JournalKind.RETURN,
                reason=f"Return of purchase {purchase.id}", actor=viewer.idempotency_scope,
                store_id=purchase.store_id, reference=f"return:{purchase.id}",  # type: ignore[attr-defined]
                clock=clock, connection=connection,
            )
        except LedgerError as exc:
            if exc.code != LedgerErrorCode.NOTHING_TO_REVERSE:
                raise
    if fully:
        given_back = await till.give_back(connection, f"purchase:{purchase.id}", utc(clock.now()))
        if given_back:
            await PurchaseCoupon.filter(purchase_id=purchase.id, coupon_id__in=given_back).using_db(connection).update(
                given_back_at=utc(clock.now())
            )
    await bundle_lines.give_back(connection, purchase.id, _per_line(returned), clock)
    await Purchase.filter(id=purchase.id).using_db(connection).update(status="RETURNED" if fully else "PARTIALLY_RETURNED")
    return await Purchase.get(id=purchase.id).using_db(connection)


def _per_line(returned: list[ReturnLine]) -> dict[int, int]:
    units: dict[int, int] = {}
    for item in returned:
        units[item.line_no] = units.get(item.line_no, 0) + item.quantity
    return units
