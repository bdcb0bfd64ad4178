"""Who manages which endpoints: chain admins every one, a partner key (scope webhooks:manage)
its own partner's only. Another partner's endpoints answer as if they did not exist."""

from __future__ import annotations

from dataclasses import dataclass

from domain.access import CallerKind, Viewer
from domain.errors import AccessDenied

# The scope a partner key needs to manage its webhook endpoints and read their deliveries.
WEBHOOK_SCOPE = "webhooks:manage"


@dataclass(frozen=True)
class Owner:
    """The endpoints a viewer may manage: every one (chain admin) or one partner's."""

    everything: bool
    partner_id: int | None = None

    def may_manage(self, endpoint_partner_id: int | None) -> bool:
        return self.everything or (endpoint_partner_id is not None and endpoint_partner_id == self.partner_id)


def owner_of(viewer: Viewer) -> Owner:
    if viewer.is_chain_admin:
        return Owner(everything=True)
    if viewer.kind is CallerKind.PARTNER and viewer.partner_id is not None and viewer.has_scope(WEBHOOK_SCOPE):
        return Owner(everything=False, partner_id=viewer.partner_id)
    raise AccessDenied(
        "Only chain admins and partner keys with the webhooks:manage scope manage webhooks.",
        unauthenticated=viewer.is_anonymous,
    )
