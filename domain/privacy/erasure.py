"""Erasing a member (PIPL art. 47, GDPR art. 17), by a chain admin, in one transaction.

The person goes; the books stay. Name, phone (its ciphertext, mask and lookup hash), birthday,
gender, region, legacy IDs, review texts and the messages sent to them are removed; the member row,
its ledger and its sales stay under an anonymous member, so every total and `orchard ledger check`
still hold. The remaining balance is forfeited by an ADJUSTMENT journal. The freed phone can
register again, as a new member.
"""

from __future__ import annotations

from domain.access import Viewer, require_chain_admin
from domain.audit import trail as audit
from domain.ledger import service as ledger
from domain.members.models import LoginCode, Member, MemberLegacyId
from domain.privacy.errors import PrivacyError, PrivacyErrorCode
from domain.text import clean_text
from infra import db
from infra.clock import Clock

ERASED_NAME = "Erased member"
ERASED_HASH_PREFIX = "erased:"  # phone_hash of an erased member: unique, and no phone hashes to it
MAX_REASON = 255


def is_erased(member: Member) -> bool:
    return member.phone_hash.startswith(ERASED_HASH_PREFIX)


async def erase_member(viewer: Viewer, member_id: int, reason: str, *, clock: Clock, connection) -> Member:
    """Erase the member's personal data and forfeit their points; returns the anonymous member."""
    require_chain_admin(viewer)
    reason = clean_text(reason, "reason", MAX_REASON)
    if not reason:
        raise PrivacyError(PrivacyErrorCode.REASON_REQUIRED, "Say why the member is erased (their request, a court order).", "reason")
    member = await Member.filter(id=member_id).using_db(connection).first()
    if member is None:
        raise PrivacyError(PrivacyErrorCode.MEMBER_NOT_FOUND, "No such member.", "memberId")
    if is_erased(member):
        raise PrivacyError(PrivacyErrorCode.ALREADY_ERASED, "This member was erased already.", "memberId")
    audit.note(reason=reason)
    balance = await ledger.balance(member_id, connection=connection)
    if balance > 0:
        await ledger.adjust(
            member_id, -balance, reason=f"Forfeited on erasure: {reason}"[:255], actor=viewer.idempotency_scope,
            clock=clock, connection=connection,
        )
    old_hash = member.phone_hash
    await Member.filter(id=member_id).using_db(connection).update(
        name=ERASED_NAME, phone_hash=f"{ERASED_HASH_PREFIX}{member.code}", phone_encrypted="", phone_masked="",
        birthday=None, gender=None, region=None, marketing_consent=False, tier_floor_reason=None, updated_at=clock.now(),
    )
    await MemberLegacyId.filter(member_id=member_id).using_db(connection).delete()
    await LoginCode.filter(phone_hash=old_hash).using_db(connection).delete()
    await db.execute("UPDATE product_review SET text = '' WHERE member_id = $1", member_id, connection=connection)
    await db.execute(
        "UPDATE outbox_message SET recipient_encrypted = '', recipient_hash = 'erased', body = '' WHERE member_id = $1",
        member_id, connection=connection,
    )
    return await Member.get(id=member_id).using_db(connection)
