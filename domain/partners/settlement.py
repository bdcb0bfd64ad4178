"""A partner's settlement per calendar month in the chain's time zone.

A period counts the units of the partner's bundles redeemed with points in it (still open or
collected), the units sold for cash at tills, the cash taken (the cash part of points + cash
redemptions and the tills' line totals) and the partner's share due: each bundle's per-unit
share, or the partner's percent of the cash. While a period is open its statement is worked
out from the rows; `close` freezes it. A redemption a closed statement counted and that is
cancelled (or expires) later is an ADJUSTMENT line, with negative figures, in the period of
its cancellation, so a closed statement never changes.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from domain.access import Viewer, require_chain_admin
from domain.mall.local_time import chain_time_zone
from domain.mall.models import MallItem, Redemption
from domain.members.models import Member
from domain.partners import partners
from domain.partners.errors import PartnerError, PartnerErrorCode
from domain.partners.models import BundleSale, BundleSaleReturn, PartnerBundle, SettlementStatement
from domain.stores.models import Partner
from domain.text import masked_name
from domain.webhooks import outbox
from domain.webhooks.events import EventType, api_id
from infra.clock import Clock, utc

PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
COUNTED = ("PENDING", "FULFILLED")
ENDED = ("CANCELLED", "EXPIRED")
READ_SCOPE = "settlement:read"


@dataclass(frozen=True)
class Line:
    kind: str  # REDEEMED | SOLD | RETURNED | ADJUSTMENT
    at: datetime
    bundle_id: int
    bundle_name: str
    reference: str  # the redemption code, or purchase:<id>
    member: str | None  # masked name; none for a till sale
    quantity: int  # negative on an adjustment
    cash_fen: int
    share_fen: int


@dataclass(frozen=True)
class Statement:
    partner: Partner
    period: str
    starts_at: datetime
    ends_at: datetime
    lines: list[Line]
    closed_at: datetime | None = None
    redemption_ids: list[int] = field(default_factory=list)

    def _sum(self, kind: str, attribute: str) -> int:
        return sum(getattr(line, attribute) for line in self.lines if kind in ("*", line.kind))

    @property
    def units_redeemed(self) -> int:
        return self._sum("REDEEMED", "quantity")

    @property
    def units_sold(self) -> int:
        """Net of the till returns in the period."""
        return self._sum("SOLD", "quantity") + self._sum("RETURNED", "quantity")

    @property
    def units_adjusted(self) -> int:
        return self._sum("ADJUSTMENT", "quantity")

    @property
    def cash_fen(self) -> int:
        return self._sum("*", "cash_fen")

    @property
    def share_fen(self) -> int:
        return self._sum("*", "share_fen")


def parse_period(text: str) -> tuple[int, int]:
    found = PERIOD.match(text.strip())
    if found is None:
        raise PartnerError(PartnerErrorCode.INVALID_PERIOD, "A settlement period is a month, YYYY-MM.", "period")
    return int(found.group(1)), int(found.group(2))


async def _bounds(year: int, month: int) -> tuple[datetime, datetime]:
    zone = ZoneInfo(await chain_time_zone())
    start = datetime(year, month, 1, tzinfo=zone)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone)
    return utc(start), utc(end)


def _share(terms: PartnerBundle | None, partner: Partner, quantity: int, cash_fen: int) -> int:
    if terms is not None and terms.share_fen is not None:
        return terms.share_fen * quantity
    return (partner.share_percent or 0) * cash_fen // 100


async def _work_out(partner: Partner, period: str, start: datetime, end: datetime) -> Statement:
    made = await Redemption.filter(partner_id=partner.id, created_at__gte=start, created_at__lt=end, status__in=COUNTED)
    closed_ids = {i for ids in await SettlementStatement.filter(partner_id=partner.id).values_list("redemption_ids", flat=True)
                  for i in ids}
    ended = [r for r in await Redemption.filter(partner_id=partner.id, cancelled_at__gte=start, cancelled_at__lt=end,
                                                status__in=ENDED) if r.id in closed_ids]
    sales = await BundleSale.filter(partner_id=partner.id, sold_at__gte=start, sold_at__lt=end)
    returns = await BundleSaleReturn.filter(partner_id=partner.id, returned_at__gte=start, returned_at__lt=end).prefetch_related("sale")
    item_ids = {r.item_id for r in [*made, *ended]} | {s.item_id for s in [*sales, *returns]}  # type: ignore[attr-defined]
    names = dict(await MallItem.filter(id__in=item_ids).values_list("id", "name"))
    terms = {t.item_id: t for t in await PartnerBundle.filter(item_id__in=item_ids)}  # type: ignore[attr-defined]
    members = dict(await Member.filter(id__in={r.member_id for r in [*made, *ended]}).values_list("id", "name"))  # type: ignore[attr-defined]
    lines = []
    for r in made:
        lines.append(Line("REDEEMED", utc(r.created_at), r.item_id, names[r.item_id], r.code,  # type: ignore[attr-defined]
                          masked_name(members.get(r.member_id)), r.quantity, r.cash_fen,  # type: ignore[attr-defined]
                          _share(terms.get(r.item_id), partner, r.quantity, r.cash_fen)))  # type: ignore[attr-defined]
    for r in ended:
        lines.append(Line("ADJUSTMENT", utc(r.cancelled_at), r.item_id, names[r.item_id], r.code,  # type: ignore[arg-type,attr-defined]
                          masked_name(members.get(r.member_id)), -r.quantity, -r.cash_fen,  # type: ignore[attr-defined]
                          -_share(terms.get(r.item_id), partner, r.quantity, r.cash_fen)))  # type: ignore[attr-defined]
    for s in sales:
        lines.append(Line("SOLD", utc(s.sold_at), s.item_id, names[s.item_id], f"purchase:{s.purchase_id}", None,  # type: ignore[attr-defined]
                          s.quantity, s.cash_fen, _share(terms.get(s.item_id), partner, s.quantity, s.cash_fen)))  # type: ignore[attr-defined]
    for x in returns:
        lines.append(Line("RETURNED", utc(x.returned_at), x.item_id, names[x.item_id], f"purchase:{x.sale.purchase_id}",  # type: ignore[attr-defined]
                          None, -x.quantity, -x.cash_fen,
                          -_share(terms.get(x.item_id), partner, x.quantity, x.cash_fen)))  # type: ignore[attr-defined]
    lines.sort(key=lambda line: (line.at, line.reference))
    return Statement(partner, period, start, end, lines, redemption_ids=sorted(r.id for r in made))


def _frozen(partner: Partner, frozen: SettlementStatement, start: datetime, end: datetime) -> Statement:
    lines = [Line(**{**line, "at": datetime.fromisoformat(line["at"])}) for line in frozen.lines]
    return Statement(partner, frozen.period, start, end, lines, closed_at=frozen.closed_at,
                     redemption_ids=list(frozen.redemption_ids))


def _may_read(viewer: Viewer, partner_id: int) -> bool:
    return viewer.is_chain_admin or (partners.own_partner(viewer) == partner_id and viewer.has_scope(READ_SCOPE))


async def statement(viewer: Viewer, partner_id: int, period: str) -> Statement | None:
    """The period's statement, frozen when closed; None when the viewer may not read the partner's."""
    if not _may_read(viewer, partner_id):
        return None
    partner = await Partner.get_or_none(id=partner_id)
    if partner is None:
        return None
    year, month = parse_period(period)
    start, end = await _bounds(year, month)
    text = f"{year:04d}-{month:02d}"
    frozen = await SettlementStatement.get_or_none(partner_id=partner_id, period=text)
    return _frozen(partner, frozen, start, end) if frozen else await _work_out(partner, text, start, end)


async def close(viewer: Viewer, partner_id: int, period: str, *, clock: Clock, actor: str | None = None) -> Statement:
    """Freeze a period that has ended (chain admin); the settlement.closed event goes to the partner."""
    require_chain_admin(viewer)
    partner = await partners.existing(viewer, partner_id)
    year, month = parse_period(period)
    start, end = await _bounds(year, month)
    text = f"{year:04d}-{month:02d}"
    if utc(clock.now()) < end:
        raise PartnerError(PartnerErrorCode.PERIOD_NOT_ENDED, f"{text} has not ended yet: close it from its next month.", "period")
    if await SettlementStatement.exists(partner_id=partner_id, period=text):
        raise PartnerError(PartnerErrorCode.PERIOD_CLOSED, f"{text} is closed already: its statement is final.", "period")
    worked = await _work_out(partner, text, start, end)
    now = utc(clock.now())
    try:
        async with in_transaction() as conn:
            await SettlementStatement.create(
                partner_id=partner_id, period=text, units_redeemed=worked.units_redeemed, units_sold=worked.units_sold,
                cash_fen=worked.cash_fen, share_fen=worked.share_fen, redemption_ids=worked.redemption_ids,
                lines=[{**line.__dict__, "at": line.at.isoformat()} for line in worked.lines],
                closed_at=now, closed_by=actor or viewer.idempotency_scope, using_db=conn,
            )
            await outbox.emit(conn, EventType.SETTLEMENT_CLOSED, {"settlement": {
                "partnerId": api_id("Partner", partner_id), "period": text, "unitsRedeemed": worked.units_redeemed,
                "unitsSold": worked.units_sold, "cashTaken": _yuan(worked.cash_fen), "shareDue": _yuan(worked.share_fen),
                "closedAt": now.isoformat(),
            }}, partner_id=partner_id, clock=clock)
    except IntegrityError:  # closed at the same moment by another request
        raise PartnerError(PartnerErrorCode.PERIOD_CLOSED, f"{text} is closed already: its statement is final.", "period") from None
    return Statement(partner, text, start, end, worked.lines, closed_at=now, redemption_ids=worked.redemption_ids)


def _yuan(fen: int) -> dict[str, str]:
    sign = "-" if fen < 0 else ""
    return {"amount": f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}", "currency": "CNY"}


def as_csv(done: Statement) -> str:
    """The statement's lines and a TOTAL row, as the partner's accounts department reads it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["partner", "period", "kind", "at", "bundle", "reference", "member", "quantity", "cash_yuan", "share_yuan"])
    for line in done.lines:
        writer.writerow([done.partner.code, done.period, line.kind, line.at.isoformat(), line.bundle_name, line.reference,
                         line.member or "", line.quantity, _yuan(line.cash_fen)["amount"], _yuan(line.share_fen)["amount"]])
    writer.writerow([done.partner.code, done.period, "TOTAL", "", "", "", "",
                     done.units_redeemed + done.units_sold + done.units_adjusted, _yuan(done.cash_fen)["amount"],
                     _yuan(done.share_fen)["amount"]])
    return out.getvalue()
