"""Store root mutations."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from domain.stores.services import Session
from resolvers.stores import mutations
from schema.errors import payload_of
from schema.permissions import IsChainAdmin, IsStaff
from schema.stores import inputs
from schema.stores.payloads import (
    CreateDeviceKeyPayload,
    CreateStaffPayload,
    CreateStorePayload,
    RevokeApiKeyPayload,
    StaffLoginPayload,
)
from schema.stores.types import ApiKey, StaffUser, Store


def _session(session: Session) -> dict:
    return {
        "token": session.pair.access_token, "expires_at": session.pair.expires_at,
        "refresh_token": session.pair.refresh_token, "staff": StaffUser.from_model(session.staff),
    }


def _locked(exc: Exception) -> dict:
    return {"locked_until": getattr(exc, "locked_until", None)}


@strawberry.type
class StoreMutation:
    @strawberry.mutation(description="Sign a staff member in: a short-lived token and a refresh token.")
    async def staff_login(
        self, info: Info, input: Annotated[inputs.StaffLoginInput, strawberry.argument(description="Email and password.")]
    ) -> StaffLoginPayload:
        return await payload_of(
            StaffLoginPayload, mutations.staff_login(info.context, input.email, input.password), _session, failed=_locked
        )

    @strawberry.mutation(description="Trade a refresh token (once) for a new token pair.")
    async def refresh_staff_session(
        self, info: Info,
        input: Annotated[inputs.RefreshStaffSessionInput, strawberry.argument(description="The refresh token.")],
    ) -> StaffLoginPayload:
        return await payload_of(
            StaffLoginPayload, mutations.refresh_staff_session(info.context, input.refresh_token), _session, failed=_locked
        )

    @strawberry.mutation(permission_classes=[IsChainAdmin], description="Open a store (chain admin). Optional idempotencyKey.")
    async def create_store(
        self, info: Info, input: Annotated[inputs.CreateStoreInput, strawberry.argument(description="The new store.")]
    ) -> CreateStorePayload:
        work = mutations.create_store(
            info.context, code=input.code, name=input.name, time_zone=input.time_zone, idempotency_key=input.idempotency_key
        )
        return await payload_of(CreateStorePayload, work, lambda store: {"store": Store.from_model(store)})

    @strawberry.mutation(permission_classes=[IsStaff], description="Chain admins create anyone; managers create clerks.")
    async def create_staff(
        self, info: Info,
        input: Annotated[inputs.CreateStaffInput, strawberry.argument(description="The new staff account.")],
    ) -> CreateStaffPayload:
        work = mutations.create_staff(
            info.context, email=input.email, name=input.name, password=input.password, role=input.role.value,
            store_id=input.store_id,
        )
        return await payload_of(CreateStaffPayload, work, lambda staff: {"staff": StaffUser.from_model(staff)})

    @strawberry.mutation(permission_classes=[IsStaff], description="A kiosk or POS key; the secret is shown once.")
    async def create_device_key(
        self, info: Info,
        input: Annotated[inputs.CreateDeviceKeyInput, strawberry.argument(description="The store and device.")],
    ) -> CreateDeviceKeyPayload:
        work = mutations.create_device_key(
            info.context, store_id=input.store_id, device_type=input.device_type.value, name=input.name, scopes=input.scopes
        )
        return await payload_of(
            CreateDeviceKeyPayload, work, lambda issued: {"api_key": ApiKey.from_model(issued.key), "secret": issued.secret}
        )

    @strawberry.mutation(permission_classes=[IsStaff], description="Revoke a device or partner key; it stops working at once.")
    async def revoke_api_key(
        self, info: Info,
        input: Annotated[inputs.RevokeApiKeyInput, strawberry.argument(description="The key to revoke.")],
    ) -> RevokeApiKeyPayload:
        return await payload_of(
            RevokeApiKeyPayload, mutations.revoke_api_key(info.context, input.id), lambda key: {"api_key": ApiKey.from_model(key)}
        )
