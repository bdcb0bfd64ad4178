"""The event types an endpoint may subscribe to, who may receive each, and the delivered body.

A new event type is one line in EventType (and its description in schema/webhooks/types.py);
partner events (settlement.closed, bundle.stock_low) are in PARTNER_EVENTS.
Chain endpoints receive every event; a partner's endpoints receive only the events emitted for
that partner (`emit(..., partner_id=...)`), and only types in PARTNER_EVENTS.
"""

from __future__ import annotations

import base64
import os
import time
from datetime import datetime
from enum import StrEnum
from typing import Any

import orjson


class EventType(StrEnum):
    MEMBER_REGISTERED = "member.registered"
    MEMBER_TIER_CHANGED = "member.tier_changed"
    POINTS_EXPIRING = "points.expiring"
    REDEMPTION_CREATED = "redemption.created"
    REDEMPTION_FULFILLED = "redemption.fulfilled"
    REDEMPTION_CANCELLED = "redemption.cancelled"
    SETTLEMENT_CLOSED = "settlement.closed"
    BUNDLE_STOCK_LOW = "bundle.stock_low"


# What a partner's endpoint may subscribe to: events about its own business, never members'.
PARTNER_EVENTS = frozenset({EventType.REDEMPTION_CREATED, EventType.REDEMPTION_FULFILLED, EventType.REDEMPTION_CANCELLED,
                            EventType.SETTLEMENT_CLOSED, EventType.BUNDLE_STOCK_LOW})

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_event_id() -> str:
    """`evt_` and a ULID (48-bit milliseconds, 80 random bits, Crockford base32): unique and in time order."""
    value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    chars = []
    for _ in range(26):
        value, digit = divmod(value, 32)
        chars.append(_CROCKFORD[digit])
    return "evt_" + "".join(reversed(chars))


def api_id(type_name: str, pk: int) -> str:
    """The object's global ID as the GraphQL API shows it (resolvers/global_ids.py's codec; a test
    keeps the two equal), so a receiver can refetch what an event names with `node(id:)`."""
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def body(event_id: str, event_type: str, created_at: datetime, data: dict[str, Any]) -> str:
    """The JSON delivered, as Standard Webhooks suggests: `type`, `timestamp`, `data` (and our `id`)."""
    return orjson.dumps({"id": event_id, "type": event_type, "timestamp": created_at.isoformat(), "data": data}).decode()
