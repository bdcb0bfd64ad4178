"""Earning payloads and their error."""

from __future__ import annotations

import strawberry

from domain.earning.errors import PointsErrorCode
from schema.earning.types import Campaign, EarnRate, Purchase
from schema.errors import UserError, codes_listed
from schema.members.types import Member


@strawberry.type(description=codes_listed(PointsErrorCode, "Why a purchase, return, points change or earning rule was refused."))
class PointsError(UserError):
    CODES = PointsErrorCode


@strawberry.type
class RecordPurchasePayload:
    purchase: Purchase | None = None
    member: Member | None = None
    replayed: bool = strawberry.field(default=False, description="True when this answers a retry of an earlier request.")
    errors: list[PointsError] = strawberry.field(default_factory=list)


@strawberry.type
class SubmitPurchaseBatchPayload:
    results: list[RecordPurchasePayload] = strawberry.field(default_factory=list, description="One per submitted purchase, in input order.")
    errors: list[PointsError] = strawberry.field(default_factory=list)


@strawberry.type
class ReturnPurchasePayload:
    purchase: Purchase | None = None
    member: Member | None = None
    errors: list[PointsError] = strawberry.field(default_factory=list)


@strawberry.type
class CheckInPayload:
    points_awarded: int = 0
    streak_days: int = 0
    member: Member | None = None
    replayed: bool = strawberry.field(default=False, description="True when this answers an earlier request with the same key.")
    errors: list[PointsError] = strawberry.field(default_factory=list)


@strawberry.type
class SubmitReviewPayload:
    points_awarded: int = 0
    replayed: bool = strawberry.field(default=False, description="True when this answers an earlier request with the same key.")
    errors: list[PointsError] = strawberry.field(default_factory=list)


@strawberry.type
class AdjustPointsPayload:
    member: Member | None = None
    balance_before: int | None = None
    balance_after: int | None = None
    errors: list[PointsError] = strawberry.field(default_factory=list)


@strawberry.type
class ExpirePointsPayload:
    expired_lots: int = 0
    reminders_sent: int = 0
    errors: list[PointsError] = strawberry.field(default_factory=list)


@strawberry.type
class SetEarnRatePayload:
    rate: EarnRate | None = None
    errors: list[PointsError] = strawberry.field(default_factory=list)


@strawberry.type
class CampaignPayload:
    campaign: Campaign | None = None
    errors: list[PointsError] = strawberry.field(default_factory=list)


@strawberry.type
class SetStoreFlagPayload:
    flags: list[str] = strawberry.field(default_factory=list)
    errors: list[PointsError] = strawberry.field(default_factory=list)
