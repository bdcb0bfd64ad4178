"""Managing webhook endpoints and reading their deliveries; replaying an event.

Chain admins manage the chain's endpoints and every partner's; a partner key (scope
webhooks:manage) manages its own partner's only, and another partner's endpoint, delivery or
event answers ENDPOINT_NOT_FOUND, DELIVERY_NOT_FOUND or EVENT_NOT_FOUND, exactly as one that
does not exist (never a permission error that confirms it exists).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from tortoise.transactions import in_transaction

from domain.access import Viewer
from domain.pagination import Page, PageRequest, keyset_page
from domain.text import clean_text
from domain.webhooks import events, secrets, urls
from domain.webhooks.access import Owner, owner_of
from domain.webhooks.errors import WebhookError, WebhookErrorCode
from domain.webhooks.models import WebhookDelivery, WebhookDispatch, WebhookEndpoint, WebhookEvent
from infra import db
from infra.clock import Clock, utc
from infra.settings import Settings

MAX_ENDPOINTS_PER_OWNER = 20
RETRY_FOR = timedelta(days=3)  # a dispatch is retried this long after it is made, then given up


@dataclass(frozen=True)
class IssuedEndpoint:
    endpoint: WebhookEndpoint
    secret: str  # shown once


def _not_found(field: str = "id") -> WebhookError:
    return WebhookError(WebhookErrorCode.ENDPOINT_NOT_FOUND, "No webhook endpoint has that ID.", field)


def checked_events(requested: list[str], partner_id: int | None, field: str = "events") -> list[str]:
    """The event types, deduplicated in the catalogue's order; partner endpoints take partner events only."""
    if not requested:
        raise WebhookError(WebhookErrorCode.INVALID_EVENTS, "Subscribe to at least one event type.", field)
    wanted = set(requested)
    unknown = wanted - {t.value for t in events.EventType}
    if unknown:
        raise WebhookError(WebhookErrorCode.INVALID_EVENTS, f"Unknown event types: {', '.join(sorted(unknown))}.", field)
    if partner_id is not None and (chain_only := wanted - {t.value for t in events.PARTNER_EVENTS}):
        raise WebhookError(
            WebhookErrorCode.INVALID_EVENTS, f"A partner's endpoint may not subscribe to {', '.join(sorted(chain_only))}.", field
        )
    return [t.value for t in events.EventType if t.value in wanted]


def _description(text: str | None) -> str:
    if text is None:
        return ""
    return clean_text(text, "description", 255, code=WebhookErrorCode.INVALID_DESCRIPTION.value)


async def _partner_exists(partner_id: int) -> bool:
    return bool(await db.fetch("SELECT 1 AS found FROM partner WHERE id = $1", partner_id))


async def _owner_partner(owner: Owner, partner_id: int | None) -> int | None:
    """The partner a new endpoint belongs to: a partner key's own (it may name only itself)."""
    if not owner.everything:
        if partner_id is not None and partner_id != owner.partner_id:
            raise WebhookError(WebhookErrorCode.PARTNER_NOT_FOUND, "No partner has that ID.", "partnerId")
        return owner.partner_id
    if partner_id is not None and not await _partner_exists(partner_id):
        raise WebhookError(WebhookErrorCode.PARTNER_NOT_FOUND, "No partner has that ID.", "partnerId")
    return partner_id


async def create_endpoint(
    viewer: Viewer, *, url: str, event_types: list[str], partner_id: int | None, description: str | None,
    settings: Settings, clock: Clock,
) -> IssuedEndpoint:
    owner = owner_of(viewer)
    partner_id = await _owner_partner(owner, partner_id)
    types = checked_events(event_types, partner_id)
    text = _description(description)
    url = await urls.check_reachable(url, settings)
    if await WebhookEndpoint.filter(partner_id=partner_id).count() >= MAX_ENDPOINTS_PER_OWNER:
        raise WebhookError(
            WebhookErrorCode.TOO_MANY_ENDPOINTS, f"An owner has at most {MAX_ENDPOINTS_PER_OWNER} webhook endpoints.", "url"
        )
    secret = secrets.new_secret()
    now = utc(clock.now())
    endpoint = await WebhookEndpoint.create(
        partner_id=partner_id, url=url, events=types, description=text,
        secret_encrypted=secrets.seal(secret, settings.personal_data_key), secret_hint=secrets.hint(secret),
        created_by=viewer.idempotency_scope, created_at=now, updated_at=now,
    )
    return IssuedEndpoint(endpoint, secret)


async def _managed(owner: Owner, endpoint_id: int, field: str = "id") -> WebhookEndpoint:
    endpoint = await WebhookEndpoint.get_or_none(id=endpoint_id)
    if endpoint is None or not owner.may_manage(endpoint.partner_id):  # type: ignore[attr-defined]
        raise _not_found(field)
    return endpoint


async def update_endpoint(
    viewer: Viewer, endpoint_id: int, *, url: str | None, event_types: list[str] | None, description: str | None,
    settings: Settings, clock: Clock,
) -> WebhookEndpoint:
    endpoint = await _managed(owner_of(viewer), endpoint_id)
    changes: dict = {}
    if event_types is not None:
        changes["events"] = checked_events(event_types, endpoint.partner_id)  # type: ignore[attr-defined]
    if description is not None:
        changes["description"] = _description(description)
    if url is not None:
        changes["url"] = await urls.check_reachable(url, settings)
    if changes:
        changes["updated_at"] = utc(clock.now())
        await WebhookEndpoint.filter(id=endpoint.id).update(**changes)
    return await WebhookEndpoint.get(id=endpoint.id)


async def set_enabled(viewer: Viewer, endpoint_id: int, enabled: bool, *, clock: Clock) -> WebhookEndpoint:
    """Disable (MANUAL) or enable an endpoint. Enabling also clears a run of failures that
    disabled it (FAILING); its pending deliveries then go on where they stopped."""
    endpoint = await _managed(owner_of(viewer), endpoint_id)
    now = utc(clock.now())
    if enabled:
        await WebhookEndpoint.filter(id=endpoint.id).update(
            enabled=True, disabled_reason=None, disabled_at=None, consecutive_failures=0, failing_since=None, updated_at=now,
        )
    else:
        await WebhookEndpoint.filter(id=endpoint.id, enabled=True).update(
            enabled=False, disabled_reason="MANUAL", disabled_at=now, updated_at=now,
        )
    return await WebhookEndpoint.get(id=endpoint.id)


async def delete_endpoint(viewer: Viewer, endpoint_id: int) -> int:
    """Delete an endpoint with its pending deliveries and its delivery log; returns its id."""
    endpoint = await _managed(owner_of(viewer), endpoint_id)
    async with in_transaction() as conn:
        await WebhookDelivery.filter(endpoint_id=endpoint.id).using_db(conn).delete()
        await WebhookDispatch.filter(endpoint_id=endpoint.id).using_db(conn).delete()
        await WebhookEndpoint.filter(id=endpoint.id).using_db(conn).delete()
    return endpoint.id


# ---- reading ----------------------------------------------------------------------------------


async def list_endpoints(viewer: Viewer, request: PageRequest) -> Page[WebhookEndpoint]:
    owner = owner_of(viewer)
    query = WebhookEndpoint.all() if owner.everything else WebhookEndpoint.filter(partner_id=owner.partner_id)
    return await keyset_page(query, request)


async def endpoints_by_ids(viewer: Viewer, ids: list[int]) -> dict[int, WebhookEndpoint]:
    try:
        owner = owner_of(viewer)
    except Exception:  # noqa: BLE001 - a loader answers None for what the viewer may not see
        return {}
    found = await WebhookEndpoint.filter(id__in=ids)
    return {e.id: e for e in found if owner.may_manage(e.partner_id)}  # type: ignore[attr-defined]


async def list_deliveries(viewer: Viewer, endpoint_id: int, request: PageRequest) -> Page[WebhookDelivery] | None:
    """The endpoint's delivery attempts, newest first; None for an endpoint the viewer may not manage."""
    owner = owner_of(viewer)
    endpoint = await WebhookEndpoint.get_or_none(id=endpoint_id)
    if endpoint is None or not owner.may_manage(endpoint.partner_id):  # type: ignore[attr-defined]
        return None
    return await keyset_page(WebhookDelivery.filter(endpoint_id=endpoint_id), request, descending=True)


async def deliveries_by_ids(viewer: Viewer, ids: list[int]) -> dict[int, WebhookDelivery]:
    try:
        owner = owner_of(viewer)
    except Exception:  # noqa: BLE001 - a loader answers None for what the viewer may not see
        return {}
    found = await WebhookDelivery.filter(id__in=ids).select_related("endpoint")
    return {d.id: d for d in found if owner.may_manage(d.endpoint.partner_id)}  # type: ignore[attr-defined]


# ---- replay -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Replay:
    endpoint: WebhookEndpoint
    event_id: str  # the `evt_...` id, the same as the first delivery's: receivers deduplicate on it


async def replay(
    viewer: Viewer, *, delivery_id: int | None, event_id: str | None, endpoint_id: int | None, clock: Clock
) -> Replay:
    """Send an event to an endpoint once more (a new dispatch, due now, retried like any other).

    Name the event by one of its deliveries (the endpoint defaults to that delivery's) or by its
    `evt_...` id with the endpoint. The endpoint's owner must be one the event is for.
    """
    owner = owner_of(viewer)
    if (delivery_id is None) == (event_id is None):
        raise WebhookError(WebhookErrorCode.EVENT_NOT_FOUND, "Name the event by deliveryId or by eventId, one of them.", "eventId")
    if delivery_id is not None:
        delivery = await WebhookDelivery.get_or_none(id=delivery_id).select_related("endpoint")
        if delivery is None or not owner.may_manage(delivery.endpoint.partner_id):  # type: ignore[attr-defined]
            raise WebhookError(WebhookErrorCode.DELIVERY_NOT_FOUND, "No webhook delivery has that ID.", "deliveryId")
        event = await WebhookEvent.get(id=delivery.event_id)  # type: ignore[attr-defined]
        endpoint_id = endpoint_id if endpoint_id is not None else delivery.endpoint_id  # type: ignore[attr-defined]
    else:
        event = await WebhookEvent.get_or_none(event_id=(event_id or "").strip())
        if endpoint_id is None:
            raise _not_found("endpointId")
    endpoint = await _managed(owner, endpoint_id, "endpointId")
    if event is None or not _for_endpoint(event, endpoint):
        raise WebhookError(WebhookErrorCode.EVENT_NOT_FOUND, "No event with that ID was sent to this endpoint's owner.", "eventId")
    if not endpoint.enabled:
        raise WebhookError(WebhookErrorCode.ENDPOINT_DISABLED, "Enable the endpoint before replaying to it.", "endpointId")
    now = utc(clock.now())
    await WebhookDispatch.create(
        event_id=event.id, endpoint_id=endpoint.id, next_attempt_at=now, give_up_at=now + RETRY_FOR, replay=True, created_at=now,
    )
    return Replay(endpoint, event.event_id)


def _for_endpoint(event: WebhookEvent, endpoint: WebhookEndpoint) -> bool:
    """Chain endpoints receive every event; a partner's those emitted for that partner."""
    partner_id = endpoint.partner_id  # type: ignore[attr-defined]
    return partner_id is None or event.partner_id == partner_id  # type: ignore[attr-defined]
