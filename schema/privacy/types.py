"""Members' data rights: the export document, the erasure input, payload and error."""

from __future__ import annotations

import strawberry

from domain.privacy.errors import PrivacyErrorCode
from schema.errors import UserError, codes_listed
from schema.members.types import Member


@strawberry.type(description="Everything Orchard holds about the signed-in member (PIPL art. 45, GDPR art. 15 and 20).")
class MemberDataExport:
    document: str = strawberry.field(
        description="A JSON document: format, exportedAt, profile, consents, pointsEntries, purchases, redemptions, "
        "lotteryDraws, donations, coupons, checkIns, reviews, tierChanges and notifications."
    )


@strawberry.input(description="Erase a member's personal data, keeping the books under an anonymous member.")
class EraseMemberInput:
    member_id: strawberry.ID = strawberry.field(description="The member's global ID (MEMBER_NOT_FOUND).")
    reason: str = strawberry.field(description="Why: the member's request, a court order (REASON_REQUIRED); audited.")
    idempotency_key: str = strawberry.field(description="Made by the client, 1 to 255 characters: a retry with it changes nothing.")


@strawberry.type(description=codes_listed(PrivacyErrorCode, "Why an erasure was refused."))
class PrivacyError(UserError):
    CODES = PrivacyErrorCode


@strawberry.type(description="The result of `eraseMember`.")
class EraseMemberPayload:
    member: Member | None = strawberry.field(default=None, description="The anonymous member that keeps the books; null when refused.")
    errors: list[PrivacyError] = strawberry.field(default_factory=list, description="Why not; empty on success.")
