"""Lotteries: the prize table with its published odds, the seed commitment and reveal, the draws."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from fractions import Fraction
from typing import Any

import strawberry
from strawberry.types import Info

from domain.lotteries import fairness
from domain.lotteries.catalogue import SOLD_OUT_RULE, Table
from domain.lotteries.draws import sold_out_ids
from schema.coupons.types import Coupon
from schema.mall.types import Redemption
from schema.relay import Node, maybe, to_global_id


@strawberry.enum(description="Where a lottery stands.")
class LotteryStatus(Enum):
    DRAFT = strawberry.enum_value("DRAFT", description="Being prepared: editable, no seed yet, seen by chain admins only.")
    OPEN = strawberry.enum_value("OPEN", description="The seed is committed (seedCommitment); members draw inside the window.")
    CLOSED = strawberry.enum_value("CLOSED", description="The seed is revealed (revealedSeed) and every draw is published.")


@strawberry.enum(description="What a prize gives.")
class PrizeKind(Enum):
    COUPON = strawberry.enum_value("COUPON", description="A coupon in the member's wallet, from couponTemplateId.")
    MALL_ITEM = strawberry.enum_value("MALL_ITEM", description="A mall item, collected at the counter with a redemption code.")
    POINTS = strawberry.enum_value("POINTS", description="Points, credited as a new lot.")
    TASTING = strawberry.enum_value("TASTING", description="A new-product tasting: a TASTING coupon, written off at the counter.")
    NO_PRIZE = strawberry.enum_value("NO_PRIZE", description="Nothing; a sold-out prize's weight moves here.")


@strawberry.type(description="One line of a lottery's prize table.")
class LotteryPrize:
    id: strawberry.ID = strawberry.field(description="The prize's global ID; the table runs in ascending prize id.")
    name: str = strawberry.field(description="What the member sees.")
    kind: PrizeKind = strawberry.field(description="What it gives.")
    weight: int = strawberry.field(description="Its share of the total weight: probability = weight / totalWeight.")
    stock: int | None = strawberry.field(description="Units it started with; null: unlimited.")
    points: int | None = strawberry.field(description="POINTS: the points it gives; null otherwise.")
    coupon_template_id: strawberry.ID | None = strawberry.field(description="COUPON and TASTING: the template's global ID.")
    mall_item_id: strawberry.ID | None = strawberry.field(description="MALL_ITEM: the mall item's global ID.")
    pk: strawberry.Private[int]

    @classmethod
    def from_model(cls, p: Any) -> LotteryPrize:
        return cls(
            id=strawberry.ID(to_global_id("LotteryPrize", p.id)), name=p.name, kind=PrizeKind(p.kind), weight=p.weight,
            stock=p.stock, points=p.points, pk=p.id,
            coupon_template_id=None if p.coupon_template_id is None
            else strawberry.ID(to_global_id("CouponTemplate", p.coupon_template_id)),
            mall_item_id=None if p.mall_item_id is None else strawberry.ID(to_global_id("MallItem", p.mall_item_id)),
        )


@strawberry.type(description="A prize's published probability, and the units it has left.")
class LotteryOdds:
    prize: LotteryPrize = strawberry.field(description="The prize.")
    probability: float = strawberry.field(description="weight / totalWeight, fixed for the lottery's life (see soldOutRule).")
    stock_remaining: int | None = strawberry.field(description="Units left; null: unlimited. A DRAFT shows its starting stock.")


@strawberry.type(description="A lottery: a few points buy a draw from a published prize table, verifiable after it closes.")
class Lottery(Node):
    name: str = strawberry.field(description="What members see.")
    description: str = strawberry.field(description="The terms in words; may be empty.")
    image_url: str | None = strawberry.field(description="An http(s) image; null: none.")
    points_per_draw: int = strawberry.field(description="Points one draw costs.")
    status: LotteryStatus = strawberry.field(description="DRAFT, OPEN or CLOSED.")
    opens_at: datetime = strawberry.field(description="Draws are taken from then (once OPEN).")
    closes_at: datetime = strawberry.field(description="Draws stop then; the worker closes the lottery soon after.")
    eligible_tiers: list[str] = strawberry.field(description="Tier codes that may draw; empty: every tier.")
    per_member_limit: int | None = strawberry.field(description="Draws a member may make in the whole lottery; null: no cap.")
    per_day_limit: int | None = strawberry.field(description="Draws a member may make per store-local day; null: no cap.")
    seed_commitment: str | None = strawberry.field(
        description="SHA-256 (hex) of the secret server seed, published when the lottery opens; null in DRAFT."
    )
    revealed_seed: str | None = strawberry.field(
        description="The server seed (64 hex digits), published when the lottery closes; null before."
    )
    sold_out_rule: str = strawberry.field(description="The published rule for a prize that runs out.")
    total_weight: int = strawberry.field(description="The sum of the prize weights: each draw's ticket is its number modulo this.")
    prizes: list[LotteryPrize] = strawberry.field(description="The prize table, in ascending prize id (the order of the mapping).")
    pk: strawberry.Private[int]
    limited: strawberry.Private[dict[int, int]]  # prize pk -> starting stock, for the stock loader

    @strawberry.field(description="Each prize's probability from the weights, with the units it has left.")
    async def odds(self, info: Info) -> list[LotteryOdds]:
        left = await info.context.loaders.lottery_stock.load(self.pk) if self.status is not LotteryStatus.DRAFT else None
        total = self.total_weight
        found = []
        for prize in self.prizes:
            remaining = None
            if prize.pk in self.limited:
                remaining = self.limited[prize.pk] if left is None else left.get(prize.pk, 0)
            found.append(LotteryOdds(prize=prize, probability=float(Fraction(prize.weight, total)), stock_remaining=remaining))
        return found

    @classmethod
    def from_model(cls, t: Table) -> Lottery:
        lottery = t.lottery
        return cls(
            id=strawberry.ID(to_global_id("Lottery", lottery.id)), name=lottery.name, description=lottery.description,
            image_url=lottery.image_url, points_per_draw=lottery.points_per_draw, status=LotteryStatus(lottery.status),
            opens_at=lottery.opens_at, closes_at=lottery.closes_at, eligible_tiers=list(lottery.eligible_tiers),
            per_member_limit=lottery.per_member_limit, per_day_limit=lottery.per_day_limit,
            seed_commitment=lottery.seed_commitment, revealed_seed=lottery.revealed_seed, sold_out_rule=SOLD_OUT_RULE,
            total_weight=fairness.total_weight(t.lines), prizes=[LotteryPrize.from_model(p) for p in t.prizes], pk=lottery.id,
            limited={p.id: p.stock for p in t.prizes if p.stock is not None},
        )


@strawberry.type(description="One draw: its public inputs, its number and the prize it gave. Published when the lottery closes.")
class LotteryDraw(Node):
    member_id: strawberry.ID = strawberry.field(description="The member's global ID (part of the HMAC message); no name.")
    nonce: int = strawberry.field(description="The member's count of earlier draws in this lottery: 0 for the first.")
    client_seed: str = strawberry.field(description="The client seed in the HMAC message: sent by the member, or generated.")
    number: str = strawberry.field(description="HMAC-SHA256(serverSeed, \"lotteryId:memberId:nonce:clientSeed\") in hex.")
    sold_out: list[strawberry.ID] = strawberry.field(
        description="Global IDs of the prizes this draw took as sold out (the table state it used)."
    )
    drawn_prize: LotteryPrize = strawberry.field(description="The prize the number fell on.")
    prize: LotteryPrize = strawberry.field(description="The prize given: drawnPrize, or NO_PRIZE when that was sold out.")
    points_spent: int = strawberry.field(description="Points the draw cost.")
    points_won: int = strawberry.field(description="POINTS prizes: the points credited; 0 otherwise.")
    created_at: datetime = strawberry.field(description="When it was drawn.")
    lottery_id: strawberry.ID = strawberry.field(description="The lottery's global ID (part of the HMAC message).")
    pk: strawberry.Private[int]
    coupon_pk: strawberry.Private[object]  # the granted coupon when the draw just made it (payload), else unset
    redemption_pk: strawberry.Private[object]

    @strawberry.field(description="COUPON and TASTING prizes: the coupon granted; null otherwise or for callers who may not see it.")
    async def coupon(self, info: Info) -> Coupon | None:
        if self.coupon_pk is None:
            return None
        if not isinstance(self.coupon_pk, int):  # the coupon itself, given with the payload
            return Coupon.from_model(self.coupon_pk)
        return maybe(Coupon.from_model, await info.context.loaders.coupon.load(self.coupon_pk))

    @strawberry.field(description="MALL_ITEM prizes: the redemption to collect at the counter; null otherwise.")
    async def redemption(self, info: Info) -> Redemption | None:
        if self.redemption_pk is None:
            return None
        if not isinstance(self.redemption_pk, int):
            return Redemption.from_model(self.redemption_pk)
        return maybe(Redemption.from_model, await info.context.loaders.redemption.load(self.redemption_pk))

    @classmethod
    def from_model(cls, found: Any) -> LotteryDraw:
        """A loaded draw (domain.lotteries.visibility.ShownDraw), or a DrawOutcome."""
        d, prizes = found.draw, found.prizes
        coupon = getattr(found, "coupon", None)
        redemption = getattr(found, "redemption", None)
        return cls(
            id=strawberry.ID(to_global_id("LotteryDraw", d.id)), member_id=strawberry.ID(to_global_id("Member", d.member_id)),
            nonce=d.nonce, client_seed=d.client_seed, number=d.number,
            sold_out=[strawberry.ID(to_global_id("LotteryPrize", pk)) for pk in sold_out_ids(d.sold_out)],
            drawn_prize=LotteryPrize.from_model(prizes[d.drawn_prize_id]), prize=LotteryPrize.from_model(prizes[d.prize_id]),
            points_spent=d.points_spent, points_won=d.points_won, created_at=d.created_at,
            lottery_id=strawberry.ID(to_global_id("Lottery", d.lottery_id)), pk=d.id,
            coupon_pk=coupon if coupon is not None else getattr(found, "coupon_id", None),
            redemption_pk=redemption if redemption is not None else getattr(found, "redemption_id", None),
        )


@strawberry.type(description="Prizes given of one kind.")
class LotteryKindCount:
    kind: PrizeKind = strawberry.field(description="The kind.")
    count: int = strawberry.field(description="Draws that gave a prize of this kind.")


@strawberry.type(description="A limited prize's units left.")
class LotteryPrizeStock:
    prize: LotteryPrize = strawberry.field(description="The prize.")
    remaining: int = strawberry.field(description="Units left.")


@strawberry.type(description="A lottery's figures for chain admins.")
class LotteryReport:
    lottery: Lottery = strawberry.field(description="The lottery.")
    draws: int = strawberry.field(description="Draws made.")
    points_taken: int = strawberry.field(description="Points spent on draws.")
    points_given: int = strawberry.field(description="Points credited by POINTS prizes.")
    prizes_given: list[LotteryKindCount] = strawberry.field(description="Draws per kind of prize given, every kind listed.")
    remaining_stock: list[LotteryPrizeStock] = strawberry.field(description="Units left of each limited prize.")

    @classmethod
    def from_model(cls, r: Any, table: Table) -> LotteryReport:
        return cls(
            lottery=Lottery.from_model(table), draws=r.draws, points_taken=r.points_taken, points_given=r.points_given,
            prizes_given=[LotteryKindCount(kind=PrizeKind(kind), count=n) for kind, n in r.given_by_kind.items()],
            remaining_stock=[
                LotteryPrizeStock(prize=LotteryPrize.from_model(p), remaining=r.stock_left.get(p.id, 0))
                for p in r.prizes if p.stock is not None
            ],
        )
