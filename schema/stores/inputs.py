"""Store inputs."""

from __future__ import annotations

import strawberry

from schema.stores.types import DeviceType, StaffRole


@strawberry.input
class StaffLoginInput:
    email: str
    password: str


@strawberry.input
class RefreshStaffSessionInput:
    refresh_token: str


@strawberry.input
class CreateStoreInput:
    code: str
    name: str
    time_zone: str | None = None
    idempotency_key: str | None = strawberry.field(
        default=None, description="Optional: the same key and input return the first store again."
    )


@strawberry.input
class CreateStaffInput:
    email: str
    name: str
    password: str
    role: StaffRole
    store_id: strawberry.ID | None = None


@strawberry.input
class CreateDeviceKeyInput:
    store_id: strawberry.ID
    device_type: DeviceType
    name: str
    scopes: list[str] | None = None


@strawberry.input
class RevokeApiKeyInput:
    id: strawberry.ID
