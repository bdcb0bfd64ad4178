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


@strawberry.type(description="The result of recordPurchase, and of each purchase of a batch.")
class RecordPurchasePayload:
    purchase: Purchase | None = strawberry.field(default=None, description="The recorded purchase; null when refused.")
    member: Member | None = strawberry.field(
        default=None,
        description="The member after the purchase, with the new balance; null when refused.",
    )
    replayed: bool = strawberry.field(default=False, description="True when this answers a retry of an earlier request.")
    errors: list[PointsError] = strawberry.field(default_factory=list, description="Why the purchase was refused; empty on success.")


@strawberry.type(description="The result of submitPurchaseBatch.")
class SubmitPurchaseBatchPayload:
    results: list[RecordPurchasePayload] = strawberry.field(default_factory=list, description="One per submitted purchase, in input order.")
    errors: list[PointsError] = strawberry.field(default_factory=list, description="Why the whole batch was refused; empty on success.")


@strawberry.type(description="The result of returnPurchase.")
class ReturnPurchasePayload:
    purchase: Purchase | None = strawberry.field(default=None, description="The purchase with its returned quantities; null when refused.")
    member: Member | None = strawberry.field(default=None, description="The member after the return; null when refused.")
    errors: list[PointsError] = strawberry.field(default_factory=list, description="Why the return was refused; empty on success.")


@strawberry.type(description="The result of checkIn.")
class CheckInPayload:
    points_awarded: int = strawberry.field(default=0, description="Points the check-in earned, the streak bonus included.")
    streak_days: int = strawberry.field(default=0, description="Days in a row the member has checked in, today included.")
    member: Member | None = strawberry.field(default=None, description="The member after the check-in; null when refused.")
    replayed: bool = strawberry.field(default=False, description="True when this answers an earlier request with the same key.")
    errors: list[PointsError] = strawberry.field(default_factory=list, description="Why the check-in was refused; empty on success.")


@strawberry.type(description="The result of submitReview.")
class SubmitReviewPayload:
    points_awarded: int = strawberry.field(default=0, description="Points the review earned; 0 once the daily behaviour cap is reached.")
    replayed: bool = strawberry.field(default=False, description="True when this answers an earlier request with the same key.")
    errors: list[PointsError] = strawberry.field(default_factory=list, description="Why the review was refused; empty on success.")


@strawberry.type(description="The result of adjustPoints.")
class AdjustPointsPayload:
    member: Member | None = strawberry.field(default=None, description="The member after the adjustment; null when refused.")
    balance_before: int | None = strawberry.field(default=None, description="The balance before, in points; null when refused.")
    balance_after: int | None = strawberry.field(default=None, description="The balance after, in points; null when refused.")
    errors: list[PointsError] = strawberry.field(default_factory=list, description="Why the adjustment was refused; empty on success.")


@strawberry.type(description="The result of expirePoints.")
class ExpirePointsPayload:
    expired_lots: int = strawberry.field(default=0, description="Credits (lots) expired by this run.")
    reminders_sent: int = strawberry.field(default=0, description="Expiry reminders sent to members by this run.")
    errors: list[PointsError] = strawberry.field(default_factory=list, description="Why the run was refused; empty on success.")


@strawberry.type(description="The result of setEarnRate.")
class SetEarnRatePayload:
    rate: EarnRate | None = strawberry.field(default=None, description="The rate as stored; null when refused.")
    errors: list[PointsError] = strawberry.field(default_factory=list, description="Why the rate was refused; empty on success.")


@strawberry.type(description="The result of createCampaign and endCampaign.")
class CampaignPayload:
    campaign: Campaign | None = strawberry.field(default=None, description="The campaign as stored; null when refused.")
    errors: list[PointsError] = strawberry.field(default_factory=list, description="Why the campaign change was refused; empty on success.")


@strawberry.type(description="The result of setStoreFlag.")
class SetStoreFlagPayload:
    flags: list[str] = strawberry.field(default_factory=list, description="Every flag the store's day now has, sorted.")
    errors: list[PointsError] = strawberry.field(default_factory=list, description="Why the flag was refused; empty on success.")
