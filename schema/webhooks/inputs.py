"""Inputs of the webhook mutations."""

from __future__ import annotations

import strawberry

from schema.webhooks.types import WebhookEventType


@strawberry.input(description="A new webhook endpoint, for `createWebhookEndpoint`.")
class CreateWebhookEndpointInput:
    url: str = strawberry.field(
        description="Where to POST events: https (http only outside production), a host resolving to public addresses only."
    )
    events: list[WebhookEventType] = strawberry.field(
        description="The event types to receive, at least one; a partner's endpoint takes redemption events only."
    )
    partner_id: strawberry.ID | None = strawberry.field(
        default=None, description="The partner the endpoint belongs to; null: the chain's (chain admins), or the calling partner's."
    )
    description: str | None = strawberry.field(default=None, description="A note for the owner, at most 255 characters.")


@strawberry.input(description="Changes to a webhook endpoint, for `updateWebhookEndpoint`; null fields stay as they are.")
class UpdateWebhookEndpointInput:
    id: strawberry.ID = strawberry.field(description="The endpoint's global ID.")
    url: str | None = strawberry.field(default=None, description="A new URL, checked as when creating.")
    events: list[WebhookEventType] | None = strawberry.field(default=None, description="The event types to receive from now on.")
    description: str | None = strawberry.field(default=None, description="A new note, at most 255 characters.")


@strawberry.input(description="The endpoint to disable, for `disableWebhookEndpoint`.")
class DisableWebhookEndpointInput:
    id: strawberry.ID = strawberry.field(description="The endpoint's global ID.")


@strawberry.input(description="The endpoint to enable again, for `enableWebhookEndpoint`.")
class EnableWebhookEndpointInput:
    id: strawberry.ID = strawberry.field(description="The endpoint's global ID.")


@strawberry.input(description="The endpoint to delete, for `deleteWebhookEndpoint`.")
class DeleteWebhookEndpointInput:
    id: strawberry.ID = strawberry.field(description="The endpoint's global ID.")


@strawberry.input(description="An event to send again, for `replayWebhookEvent`: by one of its deliveries, or by its id.")
class ReplayWebhookEventInput:
    delivery_id: strawberry.ID | None = strawberry.field(
        default=None, description="A WebhookDelivery of the event; the endpoint defaults to that delivery's."
    )
    event_id: str | None = strawberry.field(default=None, description="The event's `evt_...` id (with endpointId).")
    endpoint_id: strawberry.ID | None = strawberry.field(
        default=None, description="The endpoint to send it to; required with eventId."
    )
