"""The member a clerk or a store device serves: found by the code the member shows.

A member acts for themself (a code they send is ignored); staff, and devices whose key carries
the scope, act for the member whose card or QR code they scanned. Every counter use case (a
redemption, a lottery draw, a donation) finds that member here.
"""

from __future__ import annotations

from domain.access import CallerKind, Viewer
from domain.errors import AccessDenied
from domain.members import codes
from domain.members.errors import MemberErrorCode
from domain.members.models import Member
from domain.members.services import MemberError
from infra import db

COUNTER_SCOPE = "redemptions:write"  # a kiosk or POS that may spend a member's points at the counter


async def member_served(viewer: Viewer, member_code: str | None, *, doing: str) -> Member | None:
    """The scanned member for staff and devices; None for a signed-in member (read by the caller,
    inside its own transaction). `doing` names the act in the refusals ("redeem", "draw", ...)."""
    if viewer.kind is CallerKind.MEMBER:
        return None
    if viewer.kind is CallerKind.DEVICE:
        if not viewer.has_scope(COUNTER_SCOPE):
            raise AccessDenied(f"This key may not {doing} for members.")
    elif not viewer.is_staff:
        raise AccessDenied(f"Sign in to {doing}.", unauthenticated=viewer.is_anonymous)
    if not member_code or not member_code.strip():
        raise MemberError(str(MemberErrorCode.MEMBER_CODE_REQUIRED), "Scan or type the member's code.", field="memberCode")
    code = codes.code_from_scan(member_code)
    if not codes.is_valid_member_code(code):
        raise MemberError(str(MemberErrorCode.INVALID_MEMBER_CODE), "That member code has a typo.", field="memberCode")
    member = await db.by_unique(Member, "code", code)
    if member is None:
        raise MemberError(str(MemberErrorCode.MEMBER_NOT_FOUND), "No member has that code.", field="memberCode")
    return member
