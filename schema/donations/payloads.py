"""Donations payloads and their error."""

from __future__ import annotations

import strawberry

from domain.donations.errors import DonationErrorCode
from schema.donations.types import CharityProject, CharitySettings, Donation
from schema.errors import UserError, codes_listed
from schema.members.types import Member


@strawberry.type(description=codes_listed(DonationErrorCode, "Why a charity project change or a donation was refused."))
class CharityError(UserError):
    CODES = DonationErrorCode


@strawberry.type(description="The result of createCharityProject, openCharityProject, closeCharityProject and settleCharityProject.")
class CharityProjectPayload:
    project: CharityProject | None = strawberry.field(default=None, description="The project as it is now; null when refused.")
    errors: list[CharityError] = strawberry.field(default_factory=list, description="Why the change was refused; empty on success.")


@strawberry.type(description="The result of cancelCharityProject.")
class CancelCharityProjectPayload:
    project: CharityProject | None = strawberry.field(default=None, description="The cancelled project; null when refused.")
    refunded_donations: int = strawberry.field(
        default=0, description="Donations this request gave back; a retried cancel gives back only what was left."
    )
    errors: list[CharityError] = strawberry.field(default_factory=list, description="Why the cancellation was refused; empty on success.")


@strawberry.type(description="The result of donatePoints.")
class DonatePointsPayload:
    donation: Donation | None = strawberry.field(default=None, description="The donation with its certificate code; null when refused.")
    project: CharityProject | None = strawberry.field(default=None, description="The project's progress after it; null when refused.")
    member: Member | None = strawberry.field(default=None, description="The member after it, with the new balance; null when refused.")
    replayed: bool = strawberry.field(default=False, description="True when this answers a retry of an earlier request.")
    errors: list[CharityError] = strawberry.field(default_factory=list, description="Why the donation was refused; empty on success.")


@strawberry.type(description="The result of updateCharitySettings.")
class UpdateCharitySettingsPayload:
    settings: CharitySettings | None = strawberry.field(default=None, description="Every setting as it is now; null when refused.")
    errors: list[CharityError] = strawberry.field(default_factory=list, description="Why the change was refused; empty on success.")
