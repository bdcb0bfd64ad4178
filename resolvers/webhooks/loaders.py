"""The webhooks' loaders: endpoints and delivery attempts the viewer may manage."""

from __future__ import annotations

from strawberry.dataloader import DataLoader

from domain.webhooks import endpoints
from resolvers.loading import LoaderSet


class WebhookLoaders(LoaderSet):
    @property
    def webhook_endpoint(self) -> DataLoader:
        return self._get("webhook_endpoint", lambda ids: endpoints.endpoints_by_ids(self.viewer, ids))

    @property
    def webhook_delivery(self) -> DataLoader:
        return self._get("webhook_delivery", lambda ids: endpoints.deliveries_by_ids(self.viewer, ids))
