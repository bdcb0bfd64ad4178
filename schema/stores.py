"""Stores, staff, API keys and the caller themself."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from strawberry.types import Info

from schema.relay import Node, to_global_id


@strawberry.enum
class StaffRole(Enum):
    CLERK = "CLERK"
    STORE_MANAGER = "STORE_MANAGER"
    CHAIN_ADMIN = "CHAIN_ADMIN"


@strawberry.enum
class CallerKind(Enum):
    ANONYMOUS = "ANONYMOUS"
    MEMBER = "MEMBER"
    STAFF = "STAFF"
    DEVICE = "DEVICE"
    PARTNER = "PARTNER"


@strawberry.enum
class DeviceType(Enum):
    KIOSK = "KIOSK"
    POS = "POS"


@strawberry.type
class Store(Node):
    code: str
    name: str
    time_zone: str = strawberry.field(description="IANA zone deciding the store's 'today'.")
    is_active: bool

    @classmethod
    def from_model(cls, store) -> Store:
        return cls(
            id=strawberry.ID(to_global_id("Store", store.id)), code=store.code, name=store.name,
            time_zone=store.time_zone, is_active=store.is_active,
        )


@strawberry.type
class StaffUser(Node):
    email: str
    name: str
    role: StaffRole
    store_pk: strawberry.Private[int | None]

    @strawberry.field
    async def store(self, info: Info) -> Store | None:
        if self.store_pk is None:
            return None
        return await info.context.loaders.store.load(self.store_pk)

    @classmethod
    def from_model(cls, staff) -> StaffUser:
        return cls(
            id=strawberry.ID(to_global_id("StaffUser", staff.id)), email=staff.email, name=staff.name,
            role=StaffRole(staff.role), store_pk=staff.store_id,
        )


@strawberry.type(description="A device's or partner's API key. The secret itself is never shown again.")
class ApiKey(Node):
    name: str
    kind: str
    device_type: DeviceType | None
    display_prefix: str = strawberry.field(description="The first characters of the key, to recognise it.")
    scopes: list[str]
    created_at: datetime
    revoked_at: datetime | None
    store_pk: strawberry.Private[int | None]

    @strawberry.field
    async def store(self, info: Info) -> Store | None:
        if self.store_pk is None:
            return None
        return await info.context.loaders.store.load(self.store_pk)

    @classmethod
    def from_model(cls, key) -> ApiKey:
        return cls(
            id=strawberry.ID(to_global_id("ApiKey", key.id)), name=key.name, kind=key.kind,
            device_type=DeviceType(key.device_type) if key.device_type else None,
            display_prefix=key.display_prefix, scopes=list(key.scopes), created_at=key.created_at,
            revoked_at=key.revoked_at, store_pk=key.store_id,
        )


@strawberry.type(description="Who is calling.")
class Viewer:
    kind: CallerKind
    role: StaffRole | None
    scopes: list[str]
    store_pk: strawberry.Private[int | None]
    staff_pk: strawberry.Private[int | None]

    @strawberry.field
    async def store(self, info: Info) -> Store | None:
        if self.store_pk is None:
            return None
        return await info.context.loaders.store.load(self.store_pk)

    @strawberry.field
    async def staff(self, info: Info) -> StaffUser | None:
        if self.staff_pk is None:
            return None
        return await info.context.loaders.staff.load(self.staff_pk)


# ---- errors -------------------------------------------------------------------------------


@strawberry.enum
class AuthErrorCode(Enum):
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    INVALID_REFRESH_TOKEN = "INVALID_REFRESH_TOKEN"
    ACCOUNT_LOCKED = "ACCOUNT_LOCKED"
    RATE_LIMITED = "RATE_LIMITED"


@strawberry.type
class AuthError:
    code: AuthErrorCode
    field: str | None
    message: str


@strawberry.enum
class StoreErrorCode(Enum):
    INVALID_ID = "INVALID_ID"
    INVALID_TEXT = "INVALID_TEXT"
    TOO_LONG = "TOO_LONG"
    INVALID_CODE = "INVALID_CODE"
    INVALID_NAME = "INVALID_NAME"
    INVALID_TIME_ZONE = "INVALID_TIME_ZONE"
    CODE_TAKEN = "CODE_TAKEN"
    STORE_NOT_FOUND = "STORE_NOT_FOUND"
    KEY_NOT_FOUND = "KEY_NOT_FOUND"
    UNKNOWN_SCOPE = "UNKNOWN_SCOPE"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    INVALID_IDEMPOTENCY_KEY = "INVALID_IDEMPOTENCY_KEY"
    IN_PROGRESS = "IN_PROGRESS"


@strawberry.type
class StoreError:
    code: StoreErrorCode
    field: str | None
    message: str


@strawberry.enum
class StaffErrorCode(Enum):
    INVALID_ID = "INVALID_ID"
    INVALID_TEXT = "INVALID_TEXT"
    TOO_LONG = "TOO_LONG"
    INVALID_EMAIL = "INVALID_EMAIL"
    WEAK_PASSWORD = "WEAK_PASSWORD"
    EMAIL_TAKEN = "EMAIL_TAKEN"
    STORE_NOT_FOUND = "STORE_NOT_FOUND"


@strawberry.type
class StaffError:
    code: StaffErrorCode
    field: str | None
    message: str


# ---- inputs and payloads ------------------------------------------------------------------


@strawberry.input
class StaffLoginInput:
    email: str
    password: str


@strawberry.type
class StaffLoginPayload:
    token: str | None = strawberry.field(description="Bearer access token, short-lived.")
    expires_at: datetime | None
    refresh_token: str | None = strawberry.field(description="Single use: trade it for a new pair.")
    staff: StaffUser | None
    locked_until: datetime | None = strawberry.field(
        default=None, description="With ACCOUNT_LOCKED: when the account takes sign-ins again."
    )
    errors: list[AuthError]


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


@strawberry.type
class CreateStorePayload:
    store: Store | None
    errors: list[StoreError]


@strawberry.input
class CreateStaffInput:
    email: str
    name: str
    password: str
    role: StaffRole
    store_id: strawberry.ID | None = None


@strawberry.type
class CreateStaffPayload:
    staff: StaffUser | None
    errors: list[StaffError]


@strawberry.input
class CreateDeviceKeyInput:
    store_id: strawberry.ID
    device_type: DeviceType
    name: str
    scopes: list[str] | None = None


@strawberry.type
class CreateDeviceKeyPayload:
    api_key: ApiKey | None
    secret: str | None = strawberry.field(description="The key itself: shown this once only.")
    errors: list[StoreError]


@strawberry.input
class RevokeApiKeyInput:
    id: strawberry.ID


@strawberry.type
class RevokeApiKeyPayload:
    api_key: ApiKey | None
    errors: list[StoreError]
