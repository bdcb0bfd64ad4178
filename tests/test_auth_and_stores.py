"""Staff sign-in, refresh, API keys and the store boundary, through the GraphQL API."""

from __future__ import annotations

from datetime import timedelta

from domain.access import StaffRole
from domain.stores import api_keys
from domain.stores.models import ApiKey
from schema.relay import to_global_id

VIEWER = "{ viewer { kind role store { code } staff { email } } }"
STORES = (
    "query Stores($first: Int, $after: String) { stores(first: $first, after: $after) { totalCount edges { cursor node { "
    "id code name timeZone } } pageInfo { hasNextPage hasPreviousPage endCursor } } }"
)
LOGIN = (
    "mutation($i: StaffLoginInput!) { staffLogin(input: $i) { token refreshToken expiresAt staff { email role } errors { "
    "code field message } } }"
)
REFRESH = "mutation($i: RefreshStaffSessionInput!) { refreshStaffSession(input: $i) { token refreshToken errors { code } } }"
CREATE_KEY = (
    "mutation($i: CreateDeviceKeyInput!) { createDeviceKey(input: $i) { secret apiKey { id displayPrefix scopes store { code } } errors { "
    "code field message } } }"
)


async def test_staff_login_gives_a_working_token(api):
    store = await api.make_store("SH-A")
    staff, _ = await api.make_staff(StaffRole.CLERK, store, password="s3cret-pass")
    data = await api.data(LOGIN, {"i": {"email": staff.email.upper(), "password": "s3cret-pass"}})
    login = data["staffLogin"]
    assert login["errors"] == [] and login["staff"] == {"email": staff.email, "role": "CLERK"}
    viewer = (await api.data(VIEWER, token=login["token"]))["viewer"]
    assert viewer == {"kind": "STAFF", "role": "CLERK", "store": {"code": "SH-A"}, "staff": {"email": staff.email}}


async def test_wrong_password_and_unknown_email_answer_the_same_payload_error(api):
    staff, _ = await api.make_staff(StaffRole.CHAIN_ADMIN)
    for email, password in ((staff.email, "wrong-password"), ("nobody@test.orchard", "whatever1")):
        login = (await api.data(LOGIN, {"i": {"email": email, "password": password}}))["staffLogin"]
        assert login["token"] is None
        assert login["errors"] == [{"code": "INVALID_CREDENTIALS", "field": None, "message": "The email or password is wrong."}]


async def test_refresh_token_works_once(api):
    staff, _ = await api.make_staff(StaffRole.CHAIN_ADMIN, password="s3cret-pass")
    login = (await api.data(LOGIN, {"i": {"email": staff.email, "password": "s3cret-pass"}}))["staffLogin"]
    first = (await api.data(REFRESH, {"i": {"refreshToken": login["refreshToken"]}}))["refreshStaffSession"]
    assert first["errors"] == [] and first["token"] and first["refreshToken"] != login["refreshToken"]
    again = (await api.data(REFRESH, {"i": {"refreshToken": login["refreshToken"]}}))["refreshStaffSession"]
    assert again == {"token": None, "refreshToken": None, "errors": [{"code": "INVALID_REFRESH_TOKEN"}]}


async def test_expired_or_forged_token_is_unauthenticated(api, clock):
    _, token = await api.make_staff(StaffRole.CHAIN_ADMIN)
    clock.advance(timedelta(minutes=api.settings.access_token_minutes + 1))
    for bad in (token, token[:-4] + "abcd", "orch_kiosk_not-a-real-key"):
        response = await api.post(VIEWER, token=bad)
        assert response.status_code == 401
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_anonymous_caller_cannot_list_stores(api):
    body = await api.gql(STORES)
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_chain_admin_pages_through_all_stores_with_keyset_cursors(api):
    for i in range(5):
        await api.make_store(f"P-{i}")
    token = await api.admin_token()
    seen, after = [], None
    while True:
        page = (await api.data(STORES, {"first": 2, "after": after}, token=token))["stores"]
        assert page["totalCount"] == 5
        seen += [e["node"]["code"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [f"P-{i}" for i in range(5)]


async def test_first_is_capped_at_100(api):
    token = await api.admin_token()
    body = await api.gql(STORES, {"first": 101}, token=token)
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "reason": "INVALID_PAGE_SIZE"}


async def test_clerk_of_store_a_is_denied_store_b(api):
    store_a, store_b = await api.make_store("A-1"), await api.make_store("B-1")
    _, clerk = await api.make_staff(StaffRole.CLERK, store_a)
    stores = (await api.data(STORES, token=clerk))["stores"]
    assert [e["node"]["code"] for e in stores["edges"]] == ["A-1"] and stores["totalCount"] == 1

    own = await api.data("query($id: ID!) { node(id: $id) { ... on Store { code } } }",
                         {"id": to_global_id("Store", store_a.id)}, token=clerk)
    assert own == {"node": {"code": "A-1"}}
    other = await api.gql("query($id: ID!) { node(id: $id) { ... on Store { code } } }",
                          {"id": to_global_id("Store", store_b.id)}, token=clerk)
    assert other["data"] == {"node": None}
    assert other["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    both = await api.data("query($ids: [ID!]!) { nodes(ids: $ids) { ... on Store { code } } }",
                          {"ids": [to_global_id("Store", store_a.id), to_global_id("Store", store_b.id)]}, token=clerk)
    assert both == {"nodes": [{"code": "A-1"}, None]}


async def test_store_manager_cannot_create_keys_for_another_store(api):
    store_a, store_b = await api.make_store(), await api.make_store()
    _, manager = await api.make_staff(StaffRole.STORE_MANAGER, store_a)
    body = await api.gql(
        CREATE_KEY, {"i": {"storeId": to_global_id("Store", store_b.id), "deviceType": "KIOSK", "name": "k"}}, token=manager
    )
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await ApiKey.all().count() == 0


async def test_clerk_cannot_create_a_store(api):
    store = await api.make_store()
    _, clerk = await api.make_staff(StaffRole.CLERK, store)
    body = await api.gql('mutation { createStore(input: {code: "X-1", name: "X"}) { store { id } errors { code } } }', token=clerk)
    assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_device_key_is_shown_once_stored_hashed_and_acts_for_its_store(api):
    store = await api.make_store("KIOSK-ST")
    _, manager = await api.make_staff(StaffRole.STORE_MANAGER, store)
    created = (
        await api.data(
            CREATE_KEY, {"i": {"storeId": to_global_id("Store", store.id), "deviceType": "KIOSK", "name": "Front kiosk"}}, token=manager
        )
    )["createDeviceKey"]
    secret = created["secret"]
    assert created["errors"] == [] and secret.startswith("orch_kiosk_")
    assert secret.startswith(created["apiKey"]["displayPrefix"]) and len(secret) > 40
    assert "members:read" in created["apiKey"]["scopes"]
    rows = await ApiKey.all().values_list("key_hash", "display_prefix", "name")
    assert all(secret not in " ".join(map(str, row)) for row in rows)

    viewer = (await api.data(VIEWER, token=secret))["viewer"]
    assert viewer == {"kind": "DEVICE", "role": None, "store": {"code": "KIOSK-ST"}, "staff": None}

    revoked = await api.data("mutation($i: RevokeApiKeyInput!) { revokeApiKey(input: $i) { apiKey { revokedAt } errors { code } } }",
                             {"i": {"id": created["apiKey"]["id"]}}, token=manager)
    assert revoked["revokeApiKey"]["apiKey"]["revokedAt"] is not None
    assert (await api.post(VIEWER, token=secret)).status_code == 401


async def test_unknown_scope_is_a_payload_error(api):
    store = await api.make_store()
    token = await api.admin_token()
    body = await api.data(
        CREATE_KEY,
        {"i": {"storeId": to_global_id("Store", store.id), "deviceType": "POS", "name": "p", "scopes": ["everything"]}},
        token=token,
    )
    assert body["createDeviceKey"]["errors"][0]["code"] == "UNKNOWN_SCOPE"


async def test_staff_creation_rules(api):
    store = await api.make_store()
    admin = await api.admin_token()
    mutation = "mutation($i: CreateStaffInput!) { createStaff(input: $i) { staff { email role store { id } } errors { code field } } }"
    ok = await api.data(
        mutation,
        {
            "i": {
                "email": "New.Clerk@Test.Orchard",
                "name": "N",
                "password": "long-enough",
                "role": "CLERK",
                "storeId": to_global_id("Store", store.id),
            }
        },
        token=admin,
    )
    assert ok["createStaff"]["staff"]["email"] == "new.clerk@test.orchard"
    dup = await api.data(
        mutation,
        {
            "i": {
                "email": "new.clerk@test.orchard",
                "name": "N",
                "password": "long-enough",
                "role": "CLERK",
                "storeId": to_global_id("Store", store.id),
            }
        },
        token=admin,
    )
    assert dup["createStaff"]["errors"] == [{"code": "EMAIL_TAKEN", "field": "email"}]
    storeless = await api.data(
        mutation, {"i": {"email": "c2@test.orchard", "name": "N", "password": "long-enough", "role": "CLERK"}}, token=admin
    )
    assert storeless["createStaff"]["errors"] == [{"code": "STORE_NOT_FOUND", "field": "storeId"}]
    weak = await api.data(
        mutation, {"i": {"email": "c3@test.orchard", "name": "N", "password": "short", "role": "CHAIN_ADMIN"}}, token=admin
    )
    assert weak["createStaff"]["errors"] == [{"code": "WEAK_PASSWORD", "field": "password"}]
    bad_id = await api.data(
        mutation,
        {"i": {"email": "c4@test.orchard", "name": "N", "password": "long-enough", "role": "CLERK", "storeId": "garbage"}},
        token=admin,
    )
    assert bad_id["createStaff"]["errors"] == [{"code": "INVALID_ID", "field": "storeId"}]


async def test_reusing_a_refresh_token_revokes_its_whole_family(api):
    """OAuth 2.0 security BCP: a used refresh token coming back means it leaked; end that sign-in."""
    staff, _ = await api.make_staff(StaffRole.CLERK, await api.make_store(), password="s3cret-pass")
    login = (await api.data(LOGIN, {"i": {"email": staff.email, "password": "s3cret-pass"}}))["staffLogin"]
    rotated = (await api.data(REFRESH, {"i": {"refreshToken": login["refreshToken"]}}))["refreshStaffSession"]
    assert rotated["errors"] == [] and (await api.post(VIEWER, token=rotated["token"])).status_code == 200
    other = (await api.data(LOGIN, {"i": {"email": staff.email, "password": "s3cret-pass"}}))["staffLogin"]

    reused = (await api.data(REFRESH, {"i": {"refreshToken": login["refreshToken"]}}))["refreshStaffSession"]
    assert reused["errors"] == [{"code": "INVALID_REFRESH_TOKEN"}]
    after = (await api.data(REFRESH, {"i": {"refreshToken": rotated["refreshToken"]}}))["refreshStaffSession"]
    assert after["errors"] == [{"code": "INVALID_REFRESH_TOKEN"}]
    for revoked in (rotated["token"], login["token"]):
        response = await api.post(VIEWER, token=revoked)
        assert response.status_code == 401 and response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    # Another sign-in of the same person is another family, untouched.
    assert (await api.post(VIEWER, token=other["token"])).status_code == 200
    assert (await api.data(REFRESH, {"i": {"refreshToken": other["refreshToken"]}}))["refreshStaffSession"]["errors"] == []


async def test_a_staff_gate_says_unauthenticated_or_forbidden_by_each_caller_not_the_last(api):
    # The gate's one instance serves every request: an anonymous caller must not turn the
    # next caller's FORBIDDEN into UNAUTHENTICATED.
    kiosk = await api_keys.create_device_key(await api.make_store(), api_keys.DeviceType.KIOSK, "kiosk")
    query = "{ stores(first: 1) { totalCount } }"
    codes = []
    for token in (None, kiosk.secret, None, kiosk.secret):
        body = await api.gql(query, token=token)
        codes.append(body["errors"][0]["extensions"]["code"])
    assert codes == ["UNAUTHENTICATED", "FORBIDDEN", "UNAUTHENTICATED", "FORBIDDEN"]
