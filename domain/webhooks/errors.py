"""The webhooks' error codes: expected outcomes a payload reports."""

from __future__ import annotations

from enum import StrEnum

from domain.errors import DomainError


class WebhookErrorCode(StrEnum):
    INVALID_ID = "INVALID_ID"
    INVALID_URL = "INVALID_URL"
    HTTPS_REQUIRED = "HTTPS_REQUIRED"
    UNSAFE_URL = "UNSAFE_URL"
    UNRESOLVABLE_URL = "UNRESOLVABLE_URL"
    INVALID_EVENTS = "INVALID_EVENTS"
    INVALID_DESCRIPTION = "INVALID_DESCRIPTION"
    PARTNER_NOT_FOUND = "PARTNER_NOT_FOUND"
    ENDPOINT_NOT_FOUND = "ENDPOINT_NOT_FOUND"
    EVENT_NOT_FOUND = "EVENT_NOT_FOUND"
    DELIVERY_NOT_FOUND = "DELIVERY_NOT_FOUND"
    ENDPOINT_DISABLED = "ENDPOINT_DISABLED"
    TOO_MANY_ENDPOINTS = "TOO_MANY_ENDPOINTS"


class WebhookError(DomainError):
    def __init__(self, code: WebhookErrorCode, message: str, field: str | None = None) -> None:
        super().__init__(code.value, message, field=field)
