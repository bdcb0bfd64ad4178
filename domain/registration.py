"""Registering a member, the use case across contexts: members creates the member; tiers
(its starting tier) and earning (the welcome points) react to the registration, in the same
transaction (domain/members/events.py). Importing this module loads those reactions, so a
caller of `register_member` here never registers a member without them."""

from __future__ import annotations

import domain.earning
import domain.tiers  # noqa: F401 - wires the starting tier
from domain.members.services import Registration, register_member

__all__ = ["Registration", "register_member"]
