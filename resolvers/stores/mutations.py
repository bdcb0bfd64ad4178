"""Store mutations: staff sessions, stores, staff accounts and API keys."""

from __future__ import annotations

from domain.access import StaffRole
from domain.idempotency import run_once
from domain.stores import api_keys
from domain.stores import services as stores
from domain.stores.models import ApiKey, StaffUser, Store
from resolvers.context import RequestContext
from resolvers.global_ids import input_pk, optional_input_pk


async def staff_login(ctx: RequestContext, email: str, password: str) -> stores.Session:
    return await stores.staff_login(email, password, client_address=ctx.client_address, settings=ctx.settings, clock=ctx.clock)


async def refresh_staff_session(ctx: RequestContext, refresh_token: str) -> stores.Session:
    return await stores.refresh_staff_session(refresh_token, settings=ctx.settings, clock=ctx.clock)


async def create_store(
    ctx: RequestContext, *, code: str, name: str, time_zone: str | None, idempotency_key: str | None
) -> Store:
    async def action(connection) -> dict:
        store = await stores.create_store(ctx.viewer, code=code, name=name, time_zone=time_zone, connection=connection)
        return {"storeId": store.id}

    if idempotency_key is None:
        result = await action(None)
    else:
        request = {"code": code, "name": name, "timeZone": time_zone}
        result = (await run_once(
            scope=ctx.viewer.idempotency_scope, key=idempotency_key, operation="createStore",
            request=request, action=action, clock=ctx.clock,
        )).result
    return await Store.get(id=result["storeId"])


async def create_staff(
    ctx: RequestContext, *, email: str, name: str, password: str, role: str, store_id: str | None
) -> StaffUser:
    return await stores.create_staff(
        ctx.viewer, email=email, name=name, password=password, role=StaffRole(role),
        store_id=optional_input_pk(store_id, "Store", "storeId"), settings=ctx.settings,
    )


async def create_device_key(
    ctx: RequestContext, *, store_id: str, device_type: str, name: str, scopes: list[str] | None
) -> api_keys.IssuedKey:
    return await stores.create_device_key(
        ctx.viewer, store_id=input_pk(store_id, "Store", "storeId"), device_type=api_keys.DeviceType(device_type),
        name=name, scopes=scopes,
    )


async def revoke_api_key(ctx: RequestContext, key_id: str) -> ApiKey:
    return await stores.revoke_api_key(ctx.viewer, input_pk(key_id, "ApiKey", "id"), ctx.clock)
