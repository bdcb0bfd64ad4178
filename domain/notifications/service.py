"""Enqueue messages in the outbox and hand them to pluggable delivery adapters."""

from __future__ import annotations

import logging
from enum import StrEnum
from typing import Protocol

from domain import phones
from domain.notifications.models import OutboxMessage
from infra.clock import Clock

log = logging.getLogger("orchard.notifications")

# Bodies of these templates carry secrets: they are blanked once delivered.
SENSITIVE_TEMPLATES = frozenset({"LOGIN_CODE"})


class Channel(StrEnum):
    SMS = "SMS"
    PUSH = "PUSH"
    WECHAT = "WECHAT"


class DeliveryAdapter(Protocol):
    async def send(self, channel: Channel, recipient: str, body: str, template: str) -> None: ...


class LogAdapter:
    """Development delivery: writes the message to the log (the recipient masked)."""

    def __init__(self, show_body: bool = True) -> None:
        self.show_body = show_body

    async def send(self, channel: Channel, recipient: str, body: str, template: str) -> None:
        log.info(
            "message delivered to log", extra={
                "channel": channel.value, "recipient": phones.mask(recipient) if recipient.startswith("+") else "***",
                "template": template, "body": body if self.show_body else "(hidden)",
            },
        )


class CaptureAdapter:
    """Keeps what it was given; for tests."""

    def __init__(self) -> None:
        self.sent: list[tuple[Channel, str, str, str]] = []

    async def send(self, channel: Channel, recipient: str, body: str, template: str) -> None:
        self.sent.append((channel, recipient, body, template))


_adapters: dict[Channel, DeliveryAdapter] = {}


def use_adapter(channel: Channel, adapter: DeliveryAdapter | None) -> None:
    if adapter is None:
        _adapters.pop(channel, None)
    else:
        _adapters[channel] = adapter


def use_adapter_unless_set(channel: Channel, adapter: DeliveryAdapter) -> None:
    _adapters.setdefault(channel, adapter)


async def enqueue(
    channel: Channel, recipient: str, template: str, body: str, *, data_key: str, clock: Clock,
    member_id: int | None = None, connection=None,
) -> OutboxMessage:
    return await OutboxMessage.create(
        channel=channel.value, recipient_encrypted=phones.encrypt(recipient, data_key),
        recipient_hash=phones.lookup_hash(recipient, data_key), member_id=member_id, template=template,
        body=body, created_at=clock.now(), using_db=connection,
    )


async def deliver(message: OutboxMessage, *, data_key: str, clock: Clock) -> bool:
    """Send one pending message through its channel's adapter; False when none is configured."""
    adapter = _adapters.get(Channel(message.channel))
    if adapter is None or message.status != "PENDING":
        return False
    recipient = phones.decrypt(message.recipient_encrypted, data_key)
    try:
        await adapter.send(Channel(message.channel), recipient, message.body, message.template)
    except Exception:
        log.warning("delivery failed", exc_info=True, extra={"messageId": message.id})
        await OutboxMessage.filter(id=message.id).update(attempts=message.attempts + 1)
        return False
    blanked = "(delivered)" if message.template in SENSITIVE_TEMPLATES else message.body
    await OutboxMessage.filter(id=message.id, status="PENDING").update(
        status="SENT", sent_at=clock.now(), attempts=message.attempts + 1, body=blanked
    )
    return True


async def deliver_pending(*, data_key: str, clock: Clock, limit: int = 100) -> int:
    sent = 0
    for message in await OutboxMessage.filter(status="PENDING").order_by("id").limit(limit):
        sent += await deliver(message, data_key=data_key, clock=clock)
    return sent
