"""The ledger as members see it: balance changes and the points about to expire."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from schema.relay import Node, to_global_id


@strawberry.enum
class PointsKind(Enum):
    PURCHASE = "PURCHASE"
    CHECK_IN = "CHECK_IN"
    REFERRAL = "REFERRAL"
    REVIEW = "REVIEW"
    SURVEY = "SURVEY"
    CAMPAIGN_BONUS = "CAMPAIGN_BONUS"
    REGISTRATION = "REGISTRATION"
    IMPORT = "IMPORT"
    REDEMPTION = "REDEMPTION"
    LOTTERY_DRAW = "LOTTERY_DRAW"
    CASH_OFFSET = "CASH_OFFSET"
    DONATION = "DONATION"
    ADJUSTMENT = "ADJUSTMENT"
    EXPIRY = "EXPIRY"
    REVERSAL = "REVERSAL"
    RETURN = "RETURN"


@strawberry.type(description="One change of the member's balance.")
class PointsEntry(Node):
    kind: PointsKind
    points: int = strawberry.field(description="Signed: positive credits, negative debits.")
    reason: str
    occurred_at: datetime
    reference: str | None

    @classmethod
    def from_model(cls, row) -> PointsEntry:
        journal = row.journal
        return cls(
            id=strawberry.ID(to_global_id("PointsEntry", row.id)), kind=PointsKind(journal.kind), points=row.amount,
            reason=journal.reason, occurred_at=journal.occurred_at, reference=journal.reference,
        )


@strawberry.type
class ExpiringPoints:
    points: int
    expires_at: datetime

    @classmethod
    def from_model(cls, lot) -> ExpiringPoints:
        return cls(points=lot.points, expires_at=lot.expires_at)
