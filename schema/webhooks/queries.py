"""Webhook root queries."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from resolvers.webhooks import queries
from schema.permissions import IsAuthenticated
from schema.relay import After, Connection, First, connection_of
from schema.webhooks.types import WebhookDelivery, WebhookEndpoint


@strawberry.type
class WebhookQuery:
    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="Webhook endpoints, oldest first: every one for chain admins, its own for a partner key (scope webhooks:manage).",
    )
    async def webhook_endpoints(self, info: Info, first: First = None, after: After = None) -> Connection[WebhookEndpoint]:
        return connection_of(await queries.webhook_endpoints(info.context, first, after), WebhookEndpoint.from_model)

    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="An endpoint's delivery attempts, newest first; null when no endpoint the viewer manages has that ID.",
    )
    async def webhook_deliveries(
        self, info: Info,
        endpoint_id: Annotated[strawberry.ID, strawberry.argument(description="The WebhookEndpoint's global ID.")],
        first: First = None, after: After = None,
    ) -> Connection[WebhookDelivery] | None:
        page = await queries.webhook_deliveries(info.context, endpoint_id, first, after)
        return None if page is None else connection_of(page, WebhookDelivery.from_model)
