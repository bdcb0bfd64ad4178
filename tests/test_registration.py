"""Registration across contexts: members creates the member; tiers and earning react in its transaction."""

from __future__ import annotations

import pytest

from domain import registration
from domain.access import StaffRole
from domain.ledger.models import JournalKind, PointsJournal
from domain.members import events
from domain.members.models import Member
from domain.members.services import Channel, Profile
from domain.programme import service as programme_settings
from domain.stores.services import staff_viewer
from domain.tiers.models import TierChange


async def _register(api, clock, settings, phone: str):
    store = await api.make_store()
    staff, _token = await api.make_staff(StaffRole.CLERK, store)
    return await registration.register_member(
        staff_viewer(staff), phone=phone, channel=Channel.POS, profile=Profile(name="Wen"), referral_code=None,
        login_code=None, settings=settings, clock=clock,
    )


async def test_a_new_member_gets_the_starting_tier_and_the_welcome_points(api, clock, settings):
    points = await programme_settings.get("registration_points")
    done = await _register(api, clock, settings, "13700000001")
    assert done.created
    change = await TierChange.get(member_id=done.member.id)
    assert change.reason == "REGISTRATION" and change.to_tier_id == done.member.tier_id  # type: ignore[attr-defined]
    welcome = await PointsJournal.get(reference=f"registration:{done.member.id}")
    assert welcome.kind == JournalKind.REGISTRATION and points > 0


async def test_a_failing_reaction_undoes_the_whole_registration(api, clock, settings):
    async def refuse(_event):
        raise RuntimeError("the reaction failed")

    events.on_registered("test.refuse", refuse)
    try:
        with pytest.raises(RuntimeError):
            await _register(api, clock, settings, "13700000002")
    finally:
        events._Hooks.on_registered.pop("test.refuse")
    assert not await Member.exists()
    assert not await TierChange.exists() and not await PointsJournal.exists()
