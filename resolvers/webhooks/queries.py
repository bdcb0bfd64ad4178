"""Webhook queries: the viewer's endpoints and an endpoint's delivery attempts."""

from __future__ import annotations

from domain.pagination import Page
from domain.webhooks import endpoints
from domain.webhooks.models import WebhookDelivery, WebhookEndpoint
from resolvers.context import RequestContext
from resolvers.global_ids import InvalidGlobalId, pk_of
from resolvers.paging import page_request


async def webhook_endpoints(ctx: RequestContext, first: int | None, after: str | None) -> Page[WebhookEndpoint]:
    return await endpoints.list_endpoints(ctx.viewer, page_request(first, after))


async def webhook_deliveries(
    ctx: RequestContext, endpoint_id: str, first: int | None, after: str | None
) -> Page[WebhookDelivery] | None:
    request = page_request(first, after)
    try:
        pk = pk_of(endpoint_id, "WebhookEndpoint")
    except InvalidGlobalId:
        pk = 0  # names nothing: answered like an endpoint the viewer may not see
    return await endpoints.list_deliveries(ctx.viewer, pk, request)
