"""The expiry sweep: expire lots past their date (oldest first), then remind members once
about points that expire soon, through the notifications outbox, with a points.expiring
webhook event in the reminder's transaction."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from domain import phones
from domain.earning.models import ExpiryReminder
from domain.ledger import service as ledger
from domain.members.models import Member
from domain.notifications import service as notifications
from domain.programme import service as programme_settings
from domain.webhooks import outbox
from domain.webhooks.events import EventType, api_id, iso
from infra import db
from infra.clock import Clock, utc
from infra.settings import Settings

log = logging.getLogger("orchard.expiry")


@dataclass(frozen=True)
class SweepReport:
    expired_lots: int
    reminders: int


async def send_reminders(*, settings: Settings, clock: Clock, progress: Callable[[int], None] | None = None) -> int:
    """One reminder per member and expiry day, for points expiring within the reminder window."""
    window = await programme_settings.get("expiry_reminder_days")
    now = clock.now()
    rows = await db.fetch(
        "SELECT a.member_id AS member_id, MIN(l.expires_at) AS first_expiry, SUM(l.remaining) AS points"
        " FROM points_lot l JOIN points_account a ON a.id = l.account_id"
        " WHERE l.status = 'AVAILABLE' AND l.remaining > 0 AND l.expires_at > $1 AND l.expires_at <= $2"
        " GROUP BY a.member_id ORDER BY a.member_id",
        now, now + timedelta(days=window),
    )
    sent = 0
    for row in rows:
        member = await Member.get(id=row["member_id"])
        first_expiry = row["first_expiry"]
        if isinstance(first_expiry, str):  # SQLite hands back text for an aggregate
            from datetime import datetime

            first_expiry = datetime.fromisoformat(first_expiry)
        try:
            async with in_transaction() as conn:
                await ExpiryReminder.create(
                    member_id=member.id, expires_on=first_expiry.date(), points=int(row["points"]),
                    created_at=now, using_db=conn,
                )
                await notifications.enqueue(
                    notifications.Channel.SMS, phones.decrypt(member.phone_encrypted, settings.personal_data_key),
                    "POINTS_EXPIRING",
                    f"{int(row['points'])} of your Orchard points expire from {first_expiry.date().isoformat()}: "
                    "redeem them before they go.",
                    data_key=settings.personal_data_key, clock=clock, member_id=member.id, connection=conn,
                )
                await outbox.emit(conn, EventType.POINTS_EXPIRING, {
                    "member": {"id": api_id("Member", member.id), "code": member.code},
                    "points": int(row["points"]), "firstExpiry": iso(utc(first_expiry)),
                }, clock=clock)
        except IntegrityError:
            continue  # reminded already for that day
        sent += 1
        if progress:
            progress(sent)
    return sent


async def run_sweep(*, settings: Settings, clock: Clock, progress: Callable[[str, int], None] | None = None) -> SweepReport:
    expired = await ledger.expire_due(clock, progress=(lambda n: progress("expired", n)) if progress else None)
    await ledger.release_pending(clock)
    reminders = await send_reminders(settings=settings, clock=clock, progress=(lambda n: progress("reminded", n)) if progress else None)
    await notifications.deliver_pending(data_key=settings.personal_data_key, clock=clock)
    log.info("expiry sweep done", extra={"expiredLots": expired, "reminders": reminders})
    return SweepReport(expired_lots=expired, reminders=reminders)
