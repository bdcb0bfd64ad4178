"""Registering a member, the use case across contexts: members creates the member; tiers
(its starting tier) and earning (the welcome points) react to the registration, in the same
transaction (domain/members/events.py), and so does the member.registered webhook event,
written here into the outbox. Importing this module loads those reactions, so a caller of
`register_member` here never registers a member without them."""

from __future__ import annotations

import domain.earning
import domain.tiers  # noqa: F401 - wires the starting tier
from domain.members import events
from domain.members.services import Registration, register_member
from domain.webhooks import outbox
from domain.webhooks.events import EventType, api_id, iso

__all__ = ["Registration", "register_member"]


async def _announce(event: events.MemberRegistered) -> None:
    member = event.member
    data = {"member": {
        "id": api_id("Member", member.id), "code": member.code, "channel": member.channel,
        "homeStoreId": api_id("Store", member.home_store_id) if member.home_store_id else None,  # type: ignore[attr-defined]
        "registeredAt": iso(member.created_at),
    }}
    await outbox.emit(event.connection, EventType.MEMBER_REGISTERED, data, clock=event.clock)


events.on_registered("webhooks.member-registered", _announce)
