"""Earning: purchases and their lines, earn rates, campaigns and announced rule changes."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum

import strawberry
from strawberry.types import Info

from schema.relay import Node, maybe, to_global_id
from schema.scalars import Money
from schema.stores.types import Store


@strawberry.enum
class PurchaseChannel(Enum):
    IN_STORE = "IN_STORE"
    ONLINE = "ONLINE"
    DELIVERY = "DELIVERY"


@strawberry.enum
class PurchaseStatus(Enum):
    COMPLETED = "COMPLETED"
    HELD = "HELD"
    PARTIALLY_RETURNED = "PARTIALLY_RETURNED"
    RETURNED = "RETURNED"


@strawberry.type
class PurchaseLine(Node):
    line_no: int
    sku: str
    category: str
    quantity: int
    unit_price: Money
    points: int = strawberry.field(description="Purchase points of the line (campaign extras are separate entries).")
    returned_quantity: int

    @classmethod
    def from_model(cls, line) -> PurchaseLine:
        return cls(
            id=strawberry.ID(to_global_id("PurchaseLine", line.id)), line_no=line.line_no, sku=line.sku, category=line.category, quantity=line.quantity,
            unit_price=Money.from_minor(line.unit_price_fen), points=line.points, returned_quantity=line.returned_quantity,
        )


@strawberry.type
class Purchase(Node):
    channel: PurchaseChannel
    occurred_at: datetime
    recorded_at: datetime
    total: Money
    cash_offset: Money = strawberry.field(description="The part of the total paid with points.")
    points_redeemed: int
    points_earned: int
    status: PurchaseStatus
    held_reason: str | None
    client_txn_id: str
    store_pk: strawberry.Private[int]
    pk: strawberry.Private[int]

    @strawberry.field
    async def store(self, info: Info) -> Store | None:
        return maybe(Store.from_model, await info.context.loaders.public_store.load(self.store_pk))

    @strawberry.field
    async def lines(self, info: Info) -> list[PurchaseLine]:
        return [PurchaseLine.from_model(line) for line in await info.context.loaders.purchase_lines.load(self.pk)]

    @classmethod
    def from_model(cls, purchase) -> Purchase:
        return cls(
            id=strawberry.ID(to_global_id("Purchase", purchase.id)), channel=PurchaseChannel(purchase.channel),
            occurred_at=purchase.occurred_at, recorded_at=purchase.recorded_at,
            total=Money.from_minor(purchase.total_fen), cash_offset=Money.from_minor(purchase.cash_offset_fen),
            points_redeemed=purchase.points_redeemed, points_earned=purchase.points_earned,
            status=PurchaseStatus(purchase.status), held_reason=purchase.held_reason,
            client_txn_id=purchase.client_txn_id, store_pk=purchase.store_id, pk=purchase.id,
        )


@strawberry.type
class EarnRate:
    category: str
    points_per_yuan: Decimal
    effective_from: datetime

    @classmethod
    def from_model(cls, rate) -> EarnRate:
        return cls(category=rate.category, points_per_yuan=rate.points_per_yuan, effective_from=rate.effective_from)


@strawberry.enum
class Stacking(Enum):
    BEST_OF = "BEST_OF"
    MULTIPLY = "MULTIPLY"


@strawberry.type
class Campaign(Node):
    code: str
    name: str
    multiplier: Decimal | None
    bonus_points: int | None
    stacking: Stacking
    cap_per_member_per_day: int | None
    cap_per_member: int | None
    budget: int | None
    given_total: int
    starts_at: datetime
    ends_at: datetime | None
    announced_at: datetime

    @classmethod
    def from_model(cls, c) -> Campaign:
        return cls(
            id=strawberry.ID(to_global_id("Campaign", c.id)), code=c.code, name=c.name, multiplier=c.multiplier,
            bonus_points=c.bonus_points, stacking=Stacking(c.stacking), cap_per_member_per_day=c.cap_per_member_per_day,
            cap_per_member=c.cap_per_member, budget=c.budget, given_total=c.given_total, starts_at=c.starts_at,
            ends_at=c.ends_at, announced_at=c.announced_at,
        )


@strawberry.type(description="A rule change members will see before it applies.")
class RuleChange:
    description: str
    effective_from: datetime
    announced_at: datetime
    reduces_earning: bool

    @classmethod
    def from_model(cls, c) -> RuleChange:
        return cls(description=c.description, effective_from=c.effective_from, announced_at=c.announced_at,
                   reduces_earning=c.reduces_earning)
