"""Webhook endpoints, the event types they subscribe to, and each delivery attempt."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from strawberry.types import Info

from schema.relay import Node, maybe, to_global_id


@strawberry.enum(description="An event Orchard pushes to webhook endpoints. The body's `type` is the dotted name given here.")
class WebhookEventType(Enum):
    MEMBER_REGISTERED = strawberry.enum_value(
        "member.registered", description="member.registered: a new member joined (chain endpoints only)."
    )
    MEMBER_TIER_CHANGED = strawberry.enum_value(
        "member.tier_changed", description="member.tier_changed: a member moved up or down a tier (chain endpoints only)."
    )
    POINTS_EXPIRING = strawberry.enum_value(
        "points.expiring", description="points.expiring: a member was reminded that points expire soon (chain endpoints only)."
    )
    REDEMPTION_CREATED = strawberry.enum_value("redemption.created", description="redemption.created: a mall item was redeemed.")
    REDEMPTION_FULFILLED = strawberry.enum_value(
        "redemption.fulfilled", description="redemption.fulfilled: a redemption was handed out at the counter."
    )
    REDEMPTION_CANCELLED = strawberry.enum_value(
        "redemption.cancelled", description="redemption.cancelled: a redemption was cancelled, or expired uncollected."
    )
    SETTLEMENT_CLOSED = strawberry.enum_value(
        "settlement.closed",
        description="settlement.closed: a partner's settlement period was closed; its statement is final (partner events).",
    )
    BUNDLE_STOCK_LOW = strawberry.enum_value(
        "bundle.stock_low",
        description="bundle.stock_low: a partner bundle is down to a tenth of its stock; once per restock (partner events).",
    )


@strawberry.enum(description="Why a webhook endpoint receives nothing.")
class WebhookDisabledReason(Enum):
    MANUAL = strawberry.enum_value("MANUAL", description="Its owner disabled it (`disableWebhookEndpoint`).")
    FAILING = strawberry.enum_value(
        "FAILING", description="Its deliveries failed 10 times in a row over at least an hour; its owner enables it again."
    )


@strawberry.type(description=(
    "Where Orchard pushes signed events (Standard Webhooks): the chain's own endpoint, or a partner's. "
    "Chain admins see every endpoint; a partner key (scope webhooks:manage) only its own."
))
class WebhookEndpoint(Node):
    url: str = strawberry.field(description="The https URL events are POSTed to.")
    events: list[WebhookEventType] = strawberry.field(description="The event types the endpoint receives.")
    description: str = strawberry.field(description="A note for the owner: what the endpoint is for.")
    enabled: bool = strawberry.field(description="False while the endpoint receives nothing (see `disabledReason`).")
    disabled_reason: WebhookDisabledReason | None = strawberry.field(description="Why it is disabled; null while enabled.")
    disabled_at: datetime | None = strawberry.field(description="When it was disabled; null while enabled.")
    consecutive_failures: int = strawberry.field(description="Failed attempts in a row since the last success.")
    failing_since: datetime | None = strawberry.field(description="When the current run of failures began; null when none.")
    secret_hint: str = strawberry.field(description="The first characters of the signing secret, to tell secrets apart.")
    partner_id: strawberry.ID | None = strawberry.field(description="The partner the endpoint belongs to; null for the chain's.")
    created_at: datetime = strawberry.field(description="When it was created; ISO 8601 with offset.")
    updated_at: datetime = strawberry.field(description="When it was last changed; ISO 8601 with offset.")

    @classmethod
    def from_model(cls, endpoint) -> WebhookEndpoint:
        partner_pk = endpoint.partner_id
        return cls(
            id=strawberry.ID(to_global_id("WebhookEndpoint", endpoint.id)), url=endpoint.url,
            events=[WebhookEventType(value) for value in endpoint.events], description=endpoint.description,
            enabled=endpoint.enabled,
            disabled_reason=WebhookDisabledReason(endpoint.disabled_reason) if endpoint.disabled_reason else None,
            disabled_at=endpoint.disabled_at, consecutive_failures=endpoint.consecutive_failures,
            failing_since=endpoint.failing_since, secret_hint=endpoint.secret_hint,
            partner_id=strawberry.ID(to_global_id("Partner", partner_pk)) if partner_pk is not None else None,
            created_at=endpoint.created_at, updated_at=endpoint.updated_at,
        )


@strawberry.type(description="One attempt to deliver an event to a webhook endpoint: what the endpoint answered, and how fast.")
class WebhookDelivery(Node):
    event_id: str = strawberry.field(
        description="The event's id (`evt_...`), sent as the `webhook-id` header: the same for every attempt and replay."
    )
    event_type: WebhookEventType = strawberry.field(description="The event's type.")
    attempt: int = strawberry.field(description="Which attempt of this dispatch it was: 1 for the first send.")
    status_code: int | None = strawberry.field(
        description="The HTTP status the endpoint answered; null when no answer came (timeout, refused address, connection error)."
    )
    succeeded: bool = strawberry.field(description="True for a 2xx answer.")
    latency_ms: int = strawberry.field(description="Milliseconds from sending to the answer (or the failure).")
    error: str | None = strawberry.field(description="Why the attempt failed; null when it succeeded.")
    replay: bool = strawberry.field(description="True for a send asked for by `replayWebhookEvent`.")
    attempted_at: datetime = strawberry.field(description="When it was sent (the `webhook-timestamp`); ISO 8601 with offset.")
    next_attempt_at: datetime | None = strawberry.field(
        description="When the event is tried again after this failure; null after a success or the last try."
    )
    endpoint_pk: strawberry.Private[int]

    @strawberry.field(description="The endpoint it was sent to.")
    async def endpoint(self, info: Info) -> WebhookEndpoint | None:
        return maybe(WebhookEndpoint.from_model, await info.context.loaders.webhook_endpoint.load(self.endpoint_pk))

    @classmethod
    def from_model(cls, delivery) -> WebhookDelivery:
        return cls(
            id=strawberry.ID(to_global_id("WebhookDelivery", delivery.id)), event_id=delivery.event_key,
            event_type=WebhookEventType(delivery.event_type), attempt=delivery.attempt, status_code=delivery.status_code,
            succeeded=delivery.succeeded, latency_ms=delivery.latency_ms, error=delivery.error, replay=delivery.replay,
            attempted_at=delivery.attempted_at, next_attempt_at=delivery.next_attempt_at, endpoint_pk=delivery.endpoint_id,
        )
