"""The generic idempotency mechanism, exercised through createStore."""

from __future__ import annotations

from domain.access import StaffRole
from domain.stores.models import Store
from tests.concurrently import all_at_once
from tests.conftest import requires_postgres

CREATE = "mutation($i: CreateStoreInput!) { createStore(input: $i) { store { id code } errors { code field message } } }"


async def test_same_key_same_input_returns_the_first_store_once(api):
    token = await api.admin_token()
    inp = {"code": "IDEM-1", "name": "Idem", "idempotencyKey": "k-1"}
    first = (await api.data(CREATE, {"i": inp}, token=token))["createStore"]
    second = (await api.data(CREATE, {"i": inp}, token=token))["createStore"]
    assert first["errors"] == [] and second == first
    assert await Store.filter(code="IDEM-1").count() == 1


async def test_same_key_other_input_is_idempotency_key_reused(api):
    token = await api.admin_token()
    await api.data(CREATE, {"i": {"code": "IDEM-2", "name": "Idem", "idempotencyKey": "k-2"}}, token=token)
    other = (await api.data(CREATE, {"i": {"code": "IDEM-3", "name": "Idem", "idempotencyKey": "k-2"}}, token=token))["createStore"]
    assert other["store"] is None
    assert other["errors"][0]["code"] == "IDEMPOTENCY_KEY_REUSED" and other["errors"][0]["field"] == "idempotencyKey"
    assert await Store.filter(code="IDEM-3").count() == 0


async def test_keys_are_scoped_to_the_caller(api):
    first_admin, second_admin = await api.admin_token(), await api.admin_token()
    await api.data(CREATE, {"i": {"code": "SCOPE-1", "name": "S", "idempotencyKey": "shared"}}, token=first_admin)
    theirs = (await api.data(CREATE, {"i": {"code": "SCOPE-2", "name": "S", "idempotencyKey": "shared"}}, token=second_admin))[
        "createStore"
    ]
    assert theirs["errors"] == [] and theirs["store"]["code"] == "SCOPE-2"


async def test_a_failed_attempt_does_not_burn_the_key(api):
    token = await api.admin_token()
    bad = (await api.data(CREATE, {"i": {"code": "OK-1", "name": "S", "timeZone": "Mars/Olympus", "idempotencyKey": "k-3"}}, token=token))[
        "createStore"
    ]
    assert bad["errors"][0]["code"] == "INVALID_TIME_ZONE"
    good = (
        await api.data(CREATE, {"i": {"code": "OK-1", "name": "S", "timeZone": "Asia/Shanghai", "idempotencyKey": "k-3"}}, token=token)
    )["createStore"]
    assert good["errors"] == []


async def test_overlong_key_is_rejected(api):
    token = await api.admin_token()
    body = (await api.data(CREATE, {"i": {"code": "LONG-1", "name": "S", "idempotencyKey": "k" * 256}}, token=token))["createStore"]
    assert body["errors"][0]["code"] == "INVALID_IDEMPOTENCY_KEY"


@requires_postgres()
async def test_concurrent_retries_with_one_key_create_one_store(api):
    token = await api.admin_token()
    inp = {"code": "RACE-1", "name": "Race", "idempotencyKey": "race"}
    results = await all_at_once(*[api.data(CREATE, {"i": inp}, token=token) for _ in range(20)])
    ids = {r["createStore"]["store"]["id"] for r in results}
    assert len(ids) == 1 and all(r["createStore"]["errors"] == [] for r in results)
    assert await Store.filter(code="RACE-1").count() == 1


async def test_clerk_role_cannot_use_keys_to_bypass_permissions(api):
    store = await api.make_store()
    _, clerk = await api.make_staff(StaffRole.CLERK, store)
    body = await api.gql(CREATE, {"i": {"code": "NOPE-1", "name": "N", "idempotencyKey": "x"}}, token=clerk)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
