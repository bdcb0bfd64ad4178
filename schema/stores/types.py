"""Stores, staff, API keys and the caller themself."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from strawberry.types import Info

from domain.access import Viewer as DomainViewer
from schema.relay import Node, maybe, to_global_id


@strawberry.enum(description="What a staff account may do.")
class StaffRole(Enum):
    CLERK = strawberry.enum_value("CLERK", description="Serves members at one store.")
    STORE_MANAGER = strawberry.enum_value(
        "STORE_MANAGER", description="Runs one store: creates its clerks and its device keys."
    )
    CHAIN_ADMIN = strawberry.enum_value(
        "CHAIN_ADMIN", description="Runs the whole chain: every store, member, setting and the mall."
    )


@strawberry.enum(description="What kind of caller sent the request, by its credentials.")
class CallerKind(Enum):
    ANONYMOUS = strawberry.enum_value("ANONYMOUS", description="No Authorization header.")
    MEMBER = strawberry.enum_value("MEMBER", description="A member signed in with a login code.")
    STAFF = strawberry.enum_value("STAFF", description="A staff member signed in with email and password.")
    DEVICE = strawberry.enum_value("DEVICE", description="A store's kiosk or POS terminal, with an API key.")
    PARTNER = strawberry.enum_value("PARTNER", description="A partner business, with an API key.")


@strawberry.enum(description="The kind of in-store device an API key belongs to.")
class DeviceType(Enum):
    KIOSK = strawberry.enum_value("KIOSK", description="A self-service kiosk (key prefix orch_kiosk_).")
    POS = strawberry.enum_value("POS", description="A point-of-sale terminal (key prefix orch_pos_).")


@strawberry.type(description="A store of the chain. Its code and name are public; staff see the stores they work for.")
class Store(Node):
    code: str = strawberry.field(
        description="The store's unique code, e.g. SH-JINGAN: 2-32 upper-case letters, digits or dashes."
    )
    name: str = strawberry.field(description="The store's display name.")
    time_zone: str = strawberry.field(description="IANA zone deciding the store's 'today'.")
    is_active: bool = strawberry.field(description="False for a store that has closed.")

    @classmethod
    def from_model(cls, store) -> Store:
        return cls(
            id=strawberry.ID(to_global_id("Store", store.id)), code=store.code, name=store.name,
            time_zone=store.time_zone, is_active=store.is_active,
        )


@strawberry.type(description="A staff account. Chain admins see every account, other staff those of their store.")
class StaffUser(Node):
    email: str = strawberry.field(description="The sign-in email, lower-case.")
    name: str = strawberry.field(description="The staff member's display name.")
    role: StaffRole = strawberry.field(description="What the account may do.")
    store_pk: strawberry.Private[int | None]

    @strawberry.field(description="The store the account works at; null for chain admins.")
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
    name: str = strawberry.field(description="The name given when the key was made, e.g. \"Till 2\".")
    kind: str = strawberry.field(description="DEVICE (a kiosk or POS of one store) or PARTNER.")
    device_type: DeviceType | None = strawberry.field(
        description="KIOSK or POS for a device key; null for a partner key."
    )
    display_prefix: str = strawberry.field(description="The first characters of the key, to recognise it.")
    scopes: list[str] = strawberry.field(description="What the key may do, e.g. members:read, purchases:write.")
    created_at: datetime = strawberry.field(description="When the key was made (ISO 8601 with offset).")
    revoked_at: datetime | None = strawberry.field(
        description="When the key was revoked and stopped working; null while it works."
    )
    store_pk: strawberry.Private[int | None]

    @strawberry.field(description="The store a device key belongs to; null for a partner key.")
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
    kind: CallerKind = strawberry.field(description="What kind of caller this is.")
    role: StaffRole | None = strawberry.field(description="A staff caller's role; null for every other caller.")
    scopes: list[str] = strawberry.field(description="An API key's scopes, sorted; empty for members and staff.")
    store_pk: strawberry.Private[int | None]
    staff_pk: strawberry.Private[int | None]

    @strawberry.field(description="The store a staff member or device is bound to; null for others and chain admins.")
    async def store(self, info: Info) -> Store | None:
        if self.store_pk is None:
            return None
        return maybe(Store.from_model, await info.context.loaders.store.load(self.store_pk))

    @strawberry.field(description="The signed-in staff account; null unless `kind` is STAFF.")
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
