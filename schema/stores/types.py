"""Stores, staff, API keys and the caller themself."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from strawberry.types import Info

from domain.access import Viewer as DomainViewer
from schema.relay import Node, maybe, to_global_id


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
        return maybe(Store.from_model, await info.context.loaders.store.load(self.store_pk))

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
        return maybe(Store.from_model, await info.context.loaders.store.load(self.store_pk))

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
        return maybe(Store.from_model, await info.context.loaders.store.load(self.store_pk))

    @strawberry.field
    async def staff(self, info: Info) -> StaffUser | None:
        if self.staff_pk is None:
            return None
        return maybe(StaffUser.from_model, await info.context.loaders.staff.load(self.staff_pk))

    @classmethod
    def from_viewer(cls, v: DomainViewer) -> Viewer:
        return cls(
            kind=CallerKind(v.kind.value),
            role=StaffRole(v.role.value) if v.role else None,
            scopes=sorted(v.scopes),
            store_pk=v.store_id,
            staff_pk=v.subject_id if v.kind.value == "STAFF" else None,
        )
