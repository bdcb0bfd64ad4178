"""What other contexts hook into when a member registers, so members need not know them.

Tiers gives the tier a new member starts in and records it; earning awards the welcome
points (domain/tiers/reactions.py, domain/earning/reactions.py, wired when their packages
load). Handlers run inside the registration's transaction, on `event.connection`: a failing
handler undoes the whole registration.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from domain.members.models import Member
from infra.clock import Clock


@dataclass(frozen=True)
class MemberRegistered:
    member: Member
    actor: str  # who registered them ("self", or the staff or device scope)
    clock: Clock
    connection: Any


Handler = Callable[[MemberRegistered], Awaitable[None]]


class _Hooks:
    initial_tier: Callable[[], Awaitable[int]] | None = None
    on_registered: ClassVar[dict[str, Handler]] = {}


def provide_initial_tier(provider: Callable[[], Awaitable[int]]) -> None:
    """The id of the tier a new member starts in (tiers provides it)."""
    _Hooks.initial_tier = provider


def on_registered(name: str, handler: Handler) -> None:
    """Run `handler` for every new member, in the order registered; a name is registered once."""
    _Hooks.on_registered[name] = handler


async def initial_tier_id() -> int:
    if _Hooks.initial_tier is None:
        raise RuntimeError("no initial tier provider: domain.tiers is not loaded")
    return await _Hooks.initial_tier()


async def registered(event: MemberRegistered) -> None:
    for handler in list(_Hooks.on_registered.values()):
        await handler(event)
