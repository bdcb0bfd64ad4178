"""Webhook mutations: endpoints created, changed, disabled, enabled and deleted; events replayed."""

from __future__ import annotations

from domain.webhooks import endpoints
from domain.webhooks.models import WebhookEndpoint
from resolvers.context import RequestContext
from resolvers.global_ids import input_pk, optional_input_pk


async def create_webhook_endpoint(
    ctx: RequestContext, *, url: str, events: list[str], partner_id: str | None, description: str | None
) -> endpoints.IssuedEndpoint:
    return await endpoints.create_endpoint(
        ctx.viewer, url=url, event_types=events, partner_id=optional_input_pk(partner_id, "Partner", "partnerId"),
        description=description, settings=ctx.settings, clock=ctx.clock,
    )


async def update_webhook_endpoint(
    ctx: RequestContext, endpoint_id: str, *, url: str | None, events: list[str] | None, description: str | None
) -> WebhookEndpoint:
    return await endpoints.update_endpoint(
        ctx.viewer, input_pk(endpoint_id, "WebhookEndpoint", "id"), url=url, event_types=events, description=description,
        settings=ctx.settings, clock=ctx.clock,
    )


async def set_webhook_endpoint_enabled(ctx: RequestContext, endpoint_id: str, enabled: bool) -> WebhookEndpoint:
    return await endpoints.set_enabled(ctx.viewer, input_pk(endpoint_id, "WebhookEndpoint", "id"), enabled, clock=ctx.clock)


async def delete_webhook_endpoint(ctx: RequestContext, endpoint_id: str) -> int:
    return await endpoints.delete_endpoint(ctx.viewer, input_pk(endpoint_id, "WebhookEndpoint", "id"))


async def replay_webhook_event(
    ctx: RequestContext, *, delivery_id: str | None, event_id: str | None, endpoint_id: str | None
) -> endpoints.Replay:
    return await endpoints.replay(
        ctx.viewer, delivery_id=optional_input_pk(delivery_id, "WebhookDelivery", "deliveryId"), event_id=event_id,
        endpoint_id=optional_input_pk(endpoint_id, "WebhookEndpoint", "endpointId"), clock=ctx.clock,
    )
