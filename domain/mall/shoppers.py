"""The person a mall price is for: their tier and balance, on the local day of a store or the chain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from domain.access import CallerKind, Viewer
from domain.ledger import service as ledger
from domain.mall import local_time, price_rules
from domain.mall import settings as mall_settings
from domain.mall.cache_slots import bounded
from domain.mall.models import MallItem
from domain.mall.pricing import Price, PriceRule, TierDiscount, effective_price
from domain.members.models import Member
from domain.stores import services as stores
from domain.stores.models import Store
from domain.tiers import service as tiers
from domain.tiers.models import Tier
from infra import db
from infra.clock import Clock


@dataclass(frozen=True)
class Shopper:
    member: Member | None
    tier: Tier | None
    local_date: date
    now: datetime
    rules: tuple[PriceRule, ...]
    new_item_days: int

    @property
    def tier_code(self) -> str | None:
        return self.tier.code if self.tier else None

    def price(self, item: MallItem) -> Price:
        discount = None
        if self.tier is not None:
            discount = TierDiscount(self.tier.code, self.tier.name, self.tier.redemption_discount_percent)
        return effective_price(item.points_price, item.cash_fen, item.band, self.local_date, self.rules, discount)

    async def balance(self) -> int | None:
        return await ledger.balance(self.member.id) if self.member else None


async def tier_of(member: Member) -> Tier:
    async with bounded:
        known = await tiers.all_tiers()
    return next((t for t in known if t.id == member.tier_id), known[0])  # type: ignore[attr-defined]


async def for_member(member: Member | None, store: Store | None, clock: Clock, *, settings: dict | None = None) -> Shopper:
    zone = await local_time.time_zone(store)
    settings = settings or await mall_settings.current()
    return Shopper(
        member=member, tier=await tier_of(member) if member else None, local_date=local_time.today(clock, zone),
        now=clock.now(), rules=tuple(await price_rules.active_rules()), new_item_days=settings["new_item_days"],
    )


async def for_viewer(viewer: Viewer, store_id: int | None, clock: Clock) -> Shopper:
    """A signed-in member sees their own tier price; anyone else the price before any tier discount."""
    member = await db.by_id(Member, viewer.subject_id) if viewer.kind is CallerKind.MEMBER else None
    store = await stores.store_by_id(store_id) if store_id is not None else None
    return await for_member(member, store, clock)
