"""The transactional outbox: an event is written by the transaction of the change it reports.

`emit` is one INSERT on the caller's connection: when that transaction rolls back, the event
was never written; once it commits, the event is in the table and `orchard worker` delivers
it (delivery.py), at least once. Nothing else happens on the caller's path: which endpoints
want the event is decided by the worker when it fans the event out, so the write path pays one
small INSERT whether nobody or many subscribe.
"""

from __future__ import annotations

from typing import Any

from domain.webhooks import events
from infra import db
from infra.clock import Clock, utc

_INSERT = "INSERT INTO webhook_event (event_id, event_type, partner_id, body, created_at) VALUES ($1, $2, $3, $4, $5)"


async def emit(connection: Any, event_type: str, payload: dict[str, Any], *, partner_id: int | None = None, clock: Clock) -> str:
    """Write an event inside the caller's transaction (`connection`); returns its `evt_...` id.

    `payload` is the event's `data`: JSON values only. `partner_id` names the partner the event
    is about; that partner's endpoints receive it as well as the chain's.
    """
    kind = events.EventType(event_type)  # an unknown type is a bug: fail the caller's transaction
    event_id = events.new_event_id()
    now = utc(clock.now())
    await db.execute(
        _INSERT, event_id, kind.value, partner_id, events.body(event_id, kind.value, now, payload), now, connection=connection
    )
    return event_id
