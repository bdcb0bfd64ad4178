"""Webhook payloads and their error."""

from __future__ import annotations

import strawberry

from domain.webhooks.errors import WebhookErrorCode
from schema.errors import UserError, codes_listed
from schema.webhooks.types import WebhookEndpoint


@strawberry.type(description=codes_listed(WebhookErrorCode, "Why a webhook endpoint change or replay was refused."))
class WebhookError(UserError):
    CODES = WebhookErrorCode


@strawberry.type(description="The result of `createWebhookEndpoint`: the endpoint and, this once, its signing secret.")
class CreateWebhookEndpointPayload:
    endpoint: WebhookEndpoint | None = strawberry.field(default=None, description="The new endpoint; null when refused.")
    secret: str | None = strawberry.field(
        default=None,
        description="The signing secret (`whsec_<base64>`), shown only now: verify every delivery's signature with it.",
    )
    errors: list[WebhookError] = strawberry.field(default_factory=list, description="Why it was refused; empty on success.")


@strawberry.type(description="The result of `updateWebhookEndpoint`, `disableWebhookEndpoint` and `enableWebhookEndpoint`.")
class WebhookEndpointPayload:
    endpoint: WebhookEndpoint | None = strawberry.field(default=None, description="The endpoint as it is now; null when refused.")
    errors: list[WebhookError] = strawberry.field(default_factory=list, description="Why it was refused; empty on success.")


@strawberry.type(description="The result of `deleteWebhookEndpoint`.")
class DeleteWebhookEndpointPayload:
    deleted_endpoint_id: strawberry.ID | None = strawberry.field(
        default=None, description="The deleted endpoint's global ID; null when refused."
    )
    errors: list[WebhookError] = strawberry.field(default_factory=list, description="Why it was refused; empty on success.")


@strawberry.type(description="The result of `replayWebhookEvent`: the event is queued to be sent again, due now.")
class ReplayWebhookEventPayload:
    event_id: str | None = strawberry.field(
        default=None, description="The event's `evt_...` id: the replay carries it again, so a receiver deduplicates it."
    )
    endpoint: WebhookEndpoint | None = strawberry.field(default=None, description="Where it will be sent; null when refused.")
    errors: list[WebhookError] = strawberry.field(default_factory=list, description="Why it was refused; empty on success.")
