"""What Orchard holds about a member, as one JSON document (PIPL art. 45, GDPR art. 15 and 20).

Read-only and for the member themself: the profile with the phone decrypted, then every record
that names the member. Hashes, ciphertexts, idempotency fingerprints and callers' scopes are left
out: they are ours, not the member's data.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from domain import phones
from domain.access import Viewer, require_authenticated
from domain.members.models import Member
from domain.privacy.errors import PrivacyError, PrivacyErrorCode
from infra import db
from infra.clock import Clock

FORMAT = "orchard-member-export/1"

# (section, query over the member's id as $1), oldest first. Only columns that are the member's.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("consent_history",
     "SELECT purpose, given, channel, at FROM consent_change WHERE member_id = $1 ORDER BY id"),
    ("points_entries",
     "SELECT e.id, e.amount, e.created_at, j.kind, j.reason FROM points_entry e"
     " JOIN points_account a ON a.id = e.account_id JOIN points_journal j ON j.id = e.journal_id"
     " WHERE a.member_id = $1 ORDER BY e.id"),
    ("purchases",
     "SELECT id, store_id, channel, occurred_at, total_fen, cash_offset_fen, discount_fen, delivery_fee_fen, points_earned,"
     " points_redeemed, status FROM purchase WHERE member_id = $1 ORDER BY id"),
    ("redemptions",
     "SELECT id, code, item_id, quantity, points_spent, cash_fen, status, created_at, fulfilled_at, cancelled_at"
     " FROM mall_redemption WHERE member_id = $1 ORDER BY id"),
    ("lottery_draws",
     "SELECT id, lottery_id, prize_id, points_spent, points_won, created_at FROM lottery_draw WHERE member_id = $1 ORDER BY id"),
    ("donations",
     "SELECT id, project_id, certificate_code, points, matched_points, anonymous, status, created_at, refunded_at"
     " FROM donation WHERE member_id = $1 ORDER BY id"),
    ("coupons",
     "SELECT id, code, template_id, status, source, issued_at, valid_until, used_at FROM coupon WHERE member_id = $1 ORDER BY id"),
    ("check_ins", "SELECT local_date, streak_days, points, created_at FROM check_in WHERE member_id = $1 ORDER BY id"),
    ("reviews", "SELECT purchase_line_id, rating, text, points, created_at FROM product_review WHERE member_id = $1 ORDER BY id"),
    ("tier_changes",
     "SELECT from_tier_id, to_tier_id, reason, created_at FROM tier_change WHERE member_id = $1 ORDER BY id"),
    ("notifications",
     "SELECT channel, template, body, status, created_at, sent_at FROM outbox_message WHERE member_id = $1 ORDER BY id"),
)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


async def export_member_data(viewer: Viewer, *, data_key: str, clock: Clock) -> str:
    """The signed-in member's data as a JSON document."""
    require_authenticated(viewer)
    if viewer.member_id is None:
        raise PrivacyError(PrivacyErrorCode.MEMBER_NOT_FOUND, "Only a signed-in member exports their own data.")
    member = await Member.get_or_none(id=viewer.member_id)
    if member is None:
        raise PrivacyError(PrivacyErrorCode.MEMBER_NOT_FOUND, "No such member.")
    document: dict[str, Any] = {
        "format": FORMAT,
        "exportedAt": clock.now().isoformat(),
        "profile": {
            "code": member.code, "name": member.name,
            "phone": phones.decrypt(member.phone_encrypted, data_key) if member.phone_encrypted else None,
            "birthday": _plain(member.birthday), "gender": member.gender, "region": member.region,
            "channel": member.channel, "referralCode": member.referral_code,
            "homeStoreId": member.home_store_id,  # type: ignore[attr-defined]
            "tierId": member.tier_id,  # type: ignore[attr-defined]
            "registeredAt": _plain(member.created_at),
        },
        "consents": {"marketing": member.marketing_consent},
    }
    for section, query in SECTIONS:
        rows = await db.fetch(query, member.id)
        document[section] = [{key: _plain(value) for key, value in row.items()} for row in rows]
    return json.dumps(document, ensure_ascii=False, sort_keys=False)
