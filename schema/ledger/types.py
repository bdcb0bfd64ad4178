"""The ledger as members see it: balance changes and the points about to expire."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from schema.relay import Node, to_global_id


@strawberry.enum(description="What caused a points entry.")
class PointsKind(Enum):
    PURCHASE = strawberry.enum_value("PURCHASE", description="Points a purchase earned at the earn rates and the tier multiplier.")
    CHECK_IN = strawberry.enum_value("CHECK_IN", description="The daily check-in, with its streak bonus.")
    REFERRAL = strawberry.enum_value(
        "REFERRAL",
        description="A referral: both members when the friend registers, the referrer again on the friend's first order.",
    )
    REVIEW = strawberry.enum_value("REVIEW", description="A review of a purchased item.")
    SURVEY = strawberry.enum_value("SURVEY", description="A completed survey.")
    CAMPAIGN_BONUS = strawberry.enum_value(
        "CAMPAIGN_BONUS",
        description="Extra points from a campaign: its multiplier's share or its bonus.",
    )
    REGISTRATION = strawberry.enum_value("REGISTRATION", description="The welcome points on registration.")
    IMPORT = strawberry.enum_value("IMPORT", description="A balance migrated from the legacy system.")
    LOTTERY_PRIZE = strawberry.enum_value("LOTTERY_PRIZE", description="Points won in a lottery draw.")
    REDEMPTION = strawberry.enum_value("REDEMPTION", description="Points spent on a mall item.")
    LOTTERY_DRAW = strawberry.enum_value("LOTTERY_DRAW", description="Points spent on a lottery draw.")
    CASH_OFFSET = strawberry.enum_value("CASH_OFFSET", description="Points that paid part of a purchase as cash.")
    DONATION = strawberry.enum_value("DONATION", description="Points donated.")
    ADJUSTMENT = strawberry.enum_value("ADJUSTMENT", description="A manual correction by a chain admin, audited.")
    EXPIRY = strawberry.enum_value("EXPIRY", description="Points that reached their expiry unspent.")
    REVERSAL = strawberry.enum_value(
        "REVERSAL",
        description="A correction undoing an earlier entry, e.g. the points of a cancelled redemption coming back.",
    )
    RETURN = strawberry.enum_value(
        "RETURN",
        description="A returned purchase: the points it earned taken back, points it used as cash refunded.",
    )


@strawberry.type(description="One change of the member's balance.")
class PointsEntry(Node):
    kind: PointsKind = strawberry.field(description="What caused the change.")
    points: int = strawberry.field(description="Signed: positive credits, negative debits.")
    reason: str = strawberry.field(description="Why the balance changed, in words a member can read, e.g. \"Purchase at SH001\".")
    occurred_at: datetime = strawberry.field(
        description="When the change happened (for purchase points, the purchase's time); ISO 8601 with offset.",
    )
    reference: str | None = strawberry.field(
        description="What the entry belongs to, e.g. purchase:42 or redemption:7; null when it has no such object.",
    )

    @classmethod
    def from_model(cls, row) -> PointsEntry:
        journal = row.journal
        return cls(
            id=strawberry.ID(to_global_id("PointsEntry", row.id)), kind=PointsKind(journal.kind), points=row.amount,
            reason=journal.reason, occurred_at=journal.occurred_at, reference=journal.reference,
        )


@strawberry.type(description="Points of one credit that expire at one moment unless spent first (spending takes the oldest expiry first).")
class ExpiringPoints:
    points: int = strawberry.field(description="Points still left of the credit.")
    expires_at: datetime = strawberry.field(
        description="When they expire, ISO 8601 with offset; may be past when the expiry run has not processed them yet.",
    )

    @classmethod
    def from_model(cls, lot) -> ExpiringPoints:
        return cls(points=lot.points, expires_at=lot.expires_at)
