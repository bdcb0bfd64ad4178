"""Which purchases a viewer may see: the rules of the earning context's reads."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.queryset import QuerySet

from domain.access import CallerKind, Viewer
from domain.earning.models import CampaignRule, Purchase, PurchaseLine
from domain.members import services as members
from infra import db


async def purchases_by_ids(viewer: Viewer, ids: list[int]) -> dict[int, Purchase]:
    """A member sees their own purchases, store staff their store's, a chain admin all; others none."""
    query = Purchase.filter(id__in=ids)
    if viewer.kind is CallerKind.MEMBER:
        query = query.filter(member_id=viewer.subject_id)
    elif viewer.is_store_bound and viewer.kind is CallerKind.STAFF:
        query = query.filter(store_id=viewer.store_id)
    elif not viewer.is_chain_admin:
        return {}
    return {p.id: p for p in await query}


def purchases_of_member(viewer: Viewer, member_id: int, *, home_store_id: int | None) -> QuerySet[Purchase]:
    """The member's purchases the viewer sees (see members.history_scope)."""
    scope = members.history_scope(viewer, member_id, home_store_id=home_store_id)
    query = Purchase.filter(member_id=member_id)
    return query if scope.is_full else query.filter(store_id=scope.store_id)


async def lines_of(purchase_ids: list[int]) -> dict[int, list[PurchaseLine]]:
    """The lines of purchases already shown to the viewer, in line order."""
    found: dict[int, list[PurchaseLine]] = {i: [] for i in purchase_ids}
    for line in await PurchaseLine.filter(purchase_id__in=purchase_ids).order_by("purchase_id", "line_no"):
        found[line.purchase_id].append(line)  # type: ignore[attr-defined]
    return found


async def lines_by_ids(viewer: Viewer, ids: list[int]) -> dict[int, PurchaseLine]:
    """Purchase lines whose purchase the viewer sees."""
    lines = await PurchaseLine.filter(id__in=ids)
    visible = await purchases_by_ids(viewer, list({line.purchase_id for line in lines}))  # type: ignore[attr-defined]
    return {line.id: line for line in lines if line.purchase_id in visible}  # type: ignore[attr-defined]


async def campaigns_by_ids(viewer: Viewer, ids: list[int]) -> dict[int, CampaignRule]:
    """Campaigns, with their budgets and caps, are for staff."""
    if not viewer.is_staff:
        return {}
    return {c.id: c for c in await CampaignRule.filter(id__in=ids)}


@dataclass(frozen=True)
class CouponOnPurchase:
    """A coupon a purchase used and what it took off; given_back once a return gave it back."""

    coupon_id: int
    code: str
    kind: str
    position: int
    discount_fen: int
    given_back: bool


async def coupons_of(purchase_ids: list[int]) -> dict[int, list[CouponOnPurchase]]:
    """The coupons of purchases already shown to the viewer, in the till's order: one statement."""
    found: dict[int, list[CouponOnPurchase]] = {i: [] for i in purchase_ids}
    if not purchase_ids:
        return found
    rows = await db.fetch(
        "SELECT pc.purchase_id, pc.position, pc.discount_fen, pc.given_back_at, c.id, c.code, t.kind FROM purchase_coupon pc"
        " JOIN coupon c ON c.id = pc.coupon_id JOIN coupon_template t ON t.id = c.template_id"
        f" WHERE pc.purchase_id IN ({db.placeholders(len(purchase_ids))}) ORDER BY pc.purchase_id, pc.position",
        *purchase_ids,
    )
    for row in rows:
        found[row["purchase_id"]].append(CouponOnPurchase(
            coupon_id=row["id"], code=row["code"], kind=row["kind"], position=row["position"], discount_fen=int(row["discount_fen"]),
            given_back=row["given_back_at"] is not None,
        ))
    return found
