"""Earning's part in a member's registration: the welcome and referral points."""

from __future__ import annotations

from domain.earning import behaviour
from domain.members import events


async def _welcome(event: events.MemberRegistered) -> None:
    await behaviour.welcome(event.member, clock=event.clock, connection=event.connection)


events.on_registered("earning.welcome", _welcome)
