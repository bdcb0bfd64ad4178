"""Resolvers for stores, staff sessions and API keys."""

from __future__ import annotations

from domain.access import CallerKind, StaffRole
from domain.errors import DomainError
from domain.idempotency import run_once
from domain.pagination import keyset_page
from domain.stores import api_keys
from domain.stores import services as stores
from domain.stores.models import Store as StoreModel
from resolvers.connections import connection_from_page, page_request
from resolvers.context import RequestContext
from schema import stores as gql
from schema.errors import errors_from, invalid_id_error
from schema.relay import Connection, InvalidGlobalId, pk_of


async def stores_connection(ctx: RequestContext, first: int | None, after: str | None) -> Connection[gql.Store]:
    page = await keyset_page(stores.visible_stores(ctx.viewer), page_request(first, after))
    return connection_from_page(page, gql.Store.from_model)


def viewer(ctx: RequestContext) -> gql.Viewer:
    v = ctx.viewer
    return gql.Viewer(
        kind=gql.CallerKind(v.kind.value),
        role=gql.StaffRole(v.role.value) if v.role else None,
        scopes=sorted(v.scopes),
        store_pk=v.store_id,
        staff_pk=v.subject_id if v.kind is CallerKind.STAFF else None,
    )


def _session_payload(session: stores.Session) -> gql.StaffLoginPayload:
    return gql.StaffLoginPayload(
        token=session.pair.access_token, expires_at=session.pair.expires_at,
        refresh_token=session.pair.refresh_token, staff=gql.StaffUser.from_model(session.staff), errors=[],
    )


def _auth_failure(exc: DomainError) -> gql.StaffLoginPayload:
    return gql.StaffLoginPayload(
        token=None, expires_at=None, refresh_token=None, staff=None,
        locked_until=getattr(exc, "locked_until", None), errors=errors_from(exc, gql.AuthError, gql.AuthErrorCode),
    )


async def staff_login(ctx: RequestContext, data: gql.StaffLoginInput) -> gql.StaffLoginPayload:
    try:
        session = await stores.staff_login(
            data.email, data.password, client_address=ctx.client_address, settings=ctx.settings, clock=ctx.clock
        )
    except stores.AuthError as exc:
        return _auth_failure(exc)
    return _session_payload(session)


async def refresh_staff_session(ctx: RequestContext, data: gql.RefreshStaffSessionInput) -> gql.StaffLoginPayload:
    try:
        session = await stores.refresh_staff_session(data.refresh_token, settings=ctx.settings, clock=ctx.clock)
    except stores.AuthError as exc:
        return _auth_failure(exc)
    return _session_payload(session)


async def create_store(ctx: RequestContext, data: gql.CreateStoreInput) -> gql.CreateStorePayload:
    async def action(connection) -> dict:
        store = await stores.create_store(
            ctx.viewer, code=data.code, name=data.name, time_zone=data.time_zone, connection=connection
        )
        return {"storeId": store.id}

    try:
        if data.idempotency_key is None:
            result = await action(None)
        else:
            request = {"code": data.code, "name": data.name, "timeZone": data.time_zone}
            result = (await run_once(
                scope=ctx.viewer.idempotency_scope, key=data.idempotency_key, operation="createStore",
                request=request, action=action, clock=ctx.clock,
            )).result
    except DomainError as exc:
        return gql.CreateStorePayload(store=None, errors=errors_from(exc, gql.StoreError, gql.StoreErrorCode))
    store = await StoreModel.get(id=result["storeId"])
    return gql.CreateStorePayload(store=gql.Store.from_model(store), errors=[])


async def create_staff(ctx: RequestContext, data: gql.CreateStaffInput) -> gql.CreateStaffPayload:
    try:
        store_id = pk_of(data.store_id, "Store") if data.store_id else None
    except InvalidGlobalId:
        return gql.CreateStaffPayload(staff=None, errors=invalid_id_error(gql.StaffError, gql.StaffErrorCode, "storeId"))
    try:
        staff = await stores.create_staff(
            ctx.viewer, email=data.email, name=data.name, password=data.password,
            role=StaffRole(data.role.value), store_id=store_id, settings=ctx.settings,
        )
    except DomainError as exc:
        return gql.CreateStaffPayload(staff=None, errors=errors_from(exc, gql.StaffError, gql.StaffErrorCode))
    return gql.CreateStaffPayload(staff=gql.StaffUser.from_model(staff), errors=[])


async def create_device_key(ctx: RequestContext, data: gql.CreateDeviceKeyInput) -> gql.CreateDeviceKeyPayload:
    try:
        store_id = pk_of(data.store_id, "Store")
    except InvalidGlobalId:
        return gql.CreateDeviceKeyPayload(
            api_key=None, secret=None, errors=invalid_id_error(gql.StoreError, gql.StoreErrorCode, "storeId")
        )
    try:
        issued = await stores.create_device_key(
            ctx.viewer, store_id=store_id, device_type=api_keys.DeviceType(data.device_type.value),
            name=data.name, scopes=data.scopes,
        )
    except DomainError as exc:
        return gql.CreateDeviceKeyPayload(
            api_key=None, secret=None, errors=errors_from(exc, gql.StoreError, gql.StoreErrorCode)
        )
    return gql.CreateDeviceKeyPayload(api_key=gql.ApiKey.from_model(issued.key), secret=issued.secret, errors=[])


async def revoke_api_key(ctx: RequestContext, data: gql.RevokeApiKeyInput) -> gql.RevokeApiKeyPayload:
    try:
        key = await stores.revoke_api_key(ctx.viewer, pk_of(data.id, "ApiKey"), ctx.clock)
    except InvalidGlobalId:
        return gql.RevokeApiKeyPayload(api_key=None, errors=invalid_id_error(gql.StoreError, gql.StoreErrorCode, "id"))
    except DomainError as exc:
        return gql.RevokeApiKeyPayload(api_key=None, errors=errors_from(exc, gql.StoreError, gql.StoreErrorCode))
    return gql.RevokeApiKeyPayload(api_key=gql.ApiKey.from_model(key), errors=[])
