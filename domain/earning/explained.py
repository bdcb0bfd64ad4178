"""Why a purchase earned its points, told from what was stored when it was recorded.

Each line's base points, the rate they came from and its points after the tier multiplier are
kept on the line, the multiplier on the purchase (purchases.py); each campaign's extra is its
CAMPAIGN_BONUS journal. Nothing is recomputed from today's rules, which may have changed since,
so the reasons add up to the purchase's pointsEarned. Lines recorded before the split was kept
give one BASE reason with the line's points.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from domain.earning import calculator, purchases
from domain.earning.models import Purchase, PurchaseLine
from domain.earning.rulebook import StoredCampaign
from domain.ledger.models import JournalKind
from infra import db


class ReasonKind(StrEnum):
    BASE = "BASE"  # a line's amount times its category's rate
    TIER = "TIER"  # what the member's tier multiplier added to a line
    CAMPAIGN = "CAMPAIGN"  # a campaign's extra points for the purchase


@dataclass(frozen=True)
class PointsReason:
    kind: ReasonKind
    points: int
    description: str
    line_no: int | None = None
    category: str | None = None
    campaign_code: str | None = None


@dataclass(frozen=True)
class CampaignPoints:
    code: str
    points: int


async def campaign_points_of(purchase_ids: list[int]) -> dict[int, list[CampaignPoints]]:
    """The campaign extras credited for each purchase, in the order credited: one statement."""
    found: dict[int, list[CampaignPoints]] = {i: [] for i in purchase_ids}
    if not purchase_ids:
        return found
    by_reference = {f"purchase:{i}": i for i in purchase_ids}
    rows = await db.fetch(
        "SELECT j.reference, j.reason, e.amount FROM points_journal j"
        " JOIN points_entry e ON e.journal_id = j.id"
        " JOIN points_account a ON a.id = e.account_id AND a.kind = 'MEMBER'"
        f" WHERE j.kind = $1 AND j.reference IN ({db.placeholders(len(by_reference), start=2)}) ORDER BY j.id",
        str(JournalKind.CAMPAIGN_BONUS), *by_reference,
    )
    for row in rows:
        code = purchases.campaign_of_reason(row["reason"]) or row["reason"]
        found[by_reference[row["reference"]]].append(CampaignPoints(code, int(row["amount"])))
    return found


def explain(
    purchase: Purchase, lines: Sequence[PurchaseLine], campaign_points: Iterable[CampaignPoints],
    campaigns: Mapping[str, StoredCampaign],
) -> list[PointsReason]:
    """The reasons, line by line (BASE, then TIER where the multiplier added points), then the
    campaigns; `campaigns` by code only words the descriptions."""
    if purchase.status == "HELD":
        return [
            PointsReason(ReasonKind.BASE, 0, "Held for review: the purchase earned no points.", line.line_no, line.category)
            for line in lines
        ]
    ordered = sorted(lines, key=lambda line: line.line_no)
    payable = [line.total_fen - line.discount_fen for line in ordered]
    earning = calculator.pro_rata(purchase.cash_offset_fen, payable)
    reasons: list[PointsReason] = []
    for line, paid, offset_share in zip(ordered, payable, earning, strict=True):
        reasons += _line_reasons(line, paid - offset_share, purchase.tier_multiplier)
    for award in campaign_points:
        reasons.append(PointsReason(
            ReasonKind.CAMPAIGN, award.points, _campaign_words(award, campaigns.get(award.code)),
            campaign_code=award.code,
        ))
    return reasons


def _line_reasons(line: PurchaseLine, earning_fen: int, tier_multiplier: Decimal | None) -> list[PointsReason]:
    if line.base_points is None:
        return [PointsReason(
            ReasonKind.BASE, line.points, f"{line.category}: the line's purchase points (recorded before the"
            " split into base and tier points was kept).", line.line_no, line.category,
        )]
    rate = "" if line.points_per_yuan is None else f" at {_plain(line.points_per_yuan)} points per yuan"
    paid = _after(line, earning_fen)
    reasons = [PointsReason(
        ReasonKind.BASE, line.base_points, f"{line.category}: {_yuan(earning_fen)} yuan{paid}{rate}.",
        line.line_no, line.category,
    )]
    extra = line.points - line.base_points
    if extra or (tier_multiplier is not None and tier_multiplier != 1):
        multiplier = "the tier multiplier" if tier_multiplier is None else f"the tier multiplier x{_plain(tier_multiplier)}"
        reasons.append(PointsReason(
            ReasonKind.TIER, extra, f"{line.category}: {multiplier} on {line.base_points} base points.",
            line.line_no, line.category,
        ))
    return reasons


def _after(line: PurchaseLine, earning_fen: int) -> str:
    """What the earning amount is after: the coupons' part, the part paid with points, both or neither."""
    parts = []
    if line.discount_fen:
        parts.append("coupons")
    if earning_fen != line.total_fen - line.discount_fen:
        parts.append("the part paid with points")
    return f" (after {' and '.join(parts)})" if parts else ""


def _campaign_words(award: CampaignPoints, campaign: StoredCampaign | None) -> str:
    if campaign is None:
        return f"Campaign {award.code}."
    if campaign.multiplier is not None:
        effect = f"x{_plain(campaign.multiplier)} on the lines it covers"
    else:
        effect = f"{campaign.bonus_points} bonus points per purchase"
    capped = " (cut to its caps or budget)" if _was_cut(award, campaign) else ""
    return f"{campaign.name} ({campaign.code}): {effect}{capped}."


def _was_cut(award: CampaignPoints, campaign: StoredCampaign) -> bool:
    return campaign.bonus_points is not None and award.points < campaign.bonus_points


def _yuan(fen: int) -> str:
    return f"{fen // calculator.FEN_PER_YUAN}.{fen % calculator.FEN_PER_YUAN:02d}"


def _plain(value: Decimal) -> str:
    return format(Decimal(value).normalize(), "f")
