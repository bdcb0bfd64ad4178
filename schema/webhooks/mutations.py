"""Webhook root mutations."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from resolvers.webhooks import mutations
from schema.errors import payload_of
from schema.permissions import IsAuthenticated
from schema.relay import to_global_id
from schema.webhooks import inputs
from schema.webhooks.payloads import (
    CreateWebhookEndpointPayload,
    DeleteWebhookEndpointPayload,
    ReplayWebhookEventPayload,
    WebhookEndpointPayload,
)
from schema.webhooks.types import WebhookEndpoint


def _endpoint(endpoint) -> dict:
    return {"endpoint": WebhookEndpoint.from_model(endpoint)}


@strawberry.type
class WebhookMutation:
    @strawberry.mutation(
        permission_classes=[IsAuthenticated],
        description="A webhook endpoint (chain admins: the chain's or any partner's; a partner key: its own); the secret is shown once.",
    )
    async def create_webhook_endpoint(
        self, info: Info,
        input: Annotated[inputs.CreateWebhookEndpointInput, strawberry.argument(description="The URL, events and owner.")],
    ) -> CreateWebhookEndpointPayload:
        work = mutations.create_webhook_endpoint(
            info.context, url=input.url, events=[e.value for e in input.events], partner_id=input.partner_id,
            description=input.description,
        )
        return await payload_of(
            CreateWebhookEndpointPayload, work,
            lambda issued: {"endpoint": WebhookEndpoint.from_model(issued.endpoint), "secret": issued.secret},
        )

    @strawberry.mutation(permission_classes=[IsAuthenticated], description="Change an endpoint's URL, events or note.")
    async def update_webhook_endpoint(
        self, info: Info, input: Annotated[inputs.UpdateWebhookEndpointInput, strawberry.argument(description="The changes.")],
    ) -> WebhookEndpointPayload:
        work = mutations.update_webhook_endpoint(
            info.context, input.id, url=input.url, events=[e.value for e in input.events] if input.events is not None else None,
            description=input.description,
        )
        return await payload_of(WebhookEndpointPayload, work, _endpoint)

    @strawberry.mutation(
        permission_classes=[IsAuthenticated], description="Stop sending to an endpoint; its pending events wait until it is enabled."
    )
    async def disable_webhook_endpoint(
        self, info: Info, input: Annotated[inputs.DisableWebhookEndpointInput, strawberry.argument(description="The endpoint.")],
    ) -> WebhookEndpointPayload:
        return await payload_of(WebhookEndpointPayload, mutations.set_webhook_endpoint_enabled(info.context, input.id, False), _endpoint)

    @strawberry.mutation(
        permission_classes=[IsAuthenticated],
        description="Send to an endpoint again (also one disabled after failures): its run of failures starts over.",
    )
    async def enable_webhook_endpoint(
        self, info: Info, input: Annotated[inputs.EnableWebhookEndpointInput, strawberry.argument(description="The endpoint.")],
    ) -> WebhookEndpointPayload:
        return await payload_of(WebhookEndpointPayload, mutations.set_webhook_endpoint_enabled(info.context, input.id, True), _endpoint)

    @strawberry.mutation(permission_classes=[IsAuthenticated], description="Delete an endpoint with its pending events and delivery log.")
    async def delete_webhook_endpoint(
        self, info: Info, input: Annotated[inputs.DeleteWebhookEndpointInput, strawberry.argument(description="The endpoint.")],
    ) -> DeleteWebhookEndpointPayload:
        return await payload_of(
            DeleteWebhookEndpointPayload, mutations.delete_webhook_endpoint(info.context, input.id),
            lambda pk: {"deleted_endpoint_id": strawberry.ID(to_global_id("WebhookEndpoint", pk))},
        )

    @strawberry.mutation(
        permission_classes=[IsAuthenticated], description="Send an event to an endpoint once more, with the same `evt_...` id."
    )
    async def replay_webhook_event(
        self, info: Info, input: Annotated[inputs.ReplayWebhookEventInput, strawberry.argument(description="The event and endpoint.")],
    ) -> ReplayWebhookEventPayload:
        work = mutations.replay_webhook_event(
            info.context, delivery_id=input.delivery_id, event_id=input.event_id, endpoint_id=input.endpoint_id
        )
        return await payload_of(
            ReplayWebhookEventPayload, work,
            lambda done: {"event_id": done.event_id, "endpoint": WebhookEndpoint.from_model(done.endpoint)},
        )
