"""Depth, alias, token and cost limits; masked errors; production hardening; JSON-only posts."""

from __future__ import annotations

from domain.access import StaffRole
from domain.stores import services
from infra.settings import PRODUCTION
from schema.relay import to_global_id

DEEP = "{ viewer { staff { store { code } } } }"


async def test_typename_answers_plain_data(api):
    response = await api.post("{ __typename }")
    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_the_operation_to_run_must_be_named_and_exist(api):
    two = "query A { __typename } query B { viewer { kind } }"
    assert (await api.gql(two, operation_name="B"))["data"] == {"viewer": {"kind": "ANONYMOUS"}}
    unknown = await api.gql(two, operation_name="Nope")
    assert unknown["data"] is None and unknown["errors"][0]["message"] == "Unknown operation named 'Nope'."
    assert unknown["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    unnamed = await api.gql(two)
    assert unnamed["data"] is None and "operationName" in unnamed["errors"][0]["message"]


async def test_an_empty_document_is_a_syntax_error_not_a_crash(api):
    body = await api.gql("")
    assert body["data"] is None and body["errors"][0]["message"].startswith("Syntax Error")


async def test_variables_are_coerced_and_checked(api):
    body = await api.gql("query($n: Int!) { stores(first: $n) { totalCount } }", {"n": "five"})
    assert body["data"] is None and "$n" in body["errors"][0]["message"]


async def test_depth_limit_is_a_clear_top_level_error(api_factory, settings):
    api = api_factory(settings.with_(max_query_depth=2))
    response = await api.post(DEEP)
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    assert "exceeds maximum operation depth" in body["errors"][0]["message"]
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_alias_limit(api_factory, settings):
    api = api_factory(settings.with_(max_aliases=3))
    query = "{ " + " ".join(f"a{i}: __typename" for i in range(4)) + " }"
    body = (await api.post(query)).json()
    assert body["data"] is None and "aliases" in body["errors"][0]["message"]


async def test_token_limit(api_factory, settings):
    api = api_factory(settings.with_(max_tokens=50))
    query = "{ " + " ".join("__typename" for _ in range(60)) + " }"
    response = await api.post(query)
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None and "tokens" in body["errors"][0]["message"]


async def test_cost_is_reported_and_limited(api_factory, api, settings):
    token = await api.admin_token()
    stores = "{ stores(first: 50) { edges { node { code } } } }"
    body = await api.gql(stores, token=token)
    assert body["extensions"]["cost"]["requestedQueryCost"] == 2 + 2 * 50
    tight = api_factory(settings.with_(max_query_cost=20))
    refused = await tight.gql(stores, token=token)
    assert refused["data"] is None
    assert refused["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"


async def test_cost_follows_variables(api):
    token = await api.admin_token()
    body = await api.gql("query($n: Int) { stores(first: $n) { edges { node { code } } } }", {"n": 5}, token=token)
    assert body["extensions"]["cost"]["requestedQueryCost"] == 2 + 2 * 5
    defaulted = await api.gql("query($n: Int = 50) { stores(first: $n) { edges { node { code } } } }", token=token)
    assert defaulted["extensions"]["cost"]["requestedQueryCost"] == 2 + 2 * 50


async def test_internal_errors_are_masked(api, monkeypatch):
    token = await api.admin_token()

    def broken(viewer):
        raise RuntimeError('boom: SELECT secret FROM "staff_user"')

    monkeypatch.setattr(services, "visible_stores", broken)
    response = await api.post("{ stores { totalCount } }", token=token)
    assert response.status_code == 200
    error = response.json()["errors"][0]
    assert error["message"] == "Internal server error."
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR" and error["extensions"]["requestId"]
    assert "SELECT" not in response.text and "Traceback" not in response.text and "boom" not in response.text


async def test_introspection_and_suggestions_off_in_production(api_factory, api, settings):
    introspect = "{ __schema { queryType { name } } }"
    assert (await api.gql(introspect))["data"] == {"__schema": {"queryType": {"name": "Query"}}}
    prod = api_factory(settings.with_(env=PRODUCTION))
    refused = await prod.gql(introspect)
    assert refused["data"] is None and "introspection" in refused["errors"][0]["message"].lower()
    typo = await prod.gql("{ viewr { kind } }")
    assert "Did you mean" not in typo["errors"][0]["message"]
    dev_typo = await api.gql("{ viewr { kind } }")
    assert "Did you mean" in dev_typo["errors"][0]["message"]


async def test_only_json_posts_are_accepted(api):
    form = await api.http.post("/graphql", data={"query": "{ __typename }"})
    assert form.status_code == 415
    assert form.json()["errors"][0]["extensions"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
    garbage = await api.http.post("/graphql", content=b"{not json", headers={"content-type": "application/json"})
    assert garbage.status_code == 400


async def test_graphiql_only_in_development(api_factory, api, settings):
    assert "graphiql" in (await api.http.get("/graphql")).text.lower()
    prod = api_factory(settings.with_(env=PRODUCTION))
    assert (await prod.http.get("/graphql")).status_code == 404


async def test_rate_limit_counts_operations_per_caller(api_factory, settings, api):
    store = await api.make_store()
    limited = api_factory(settings.with_(rate_per_second=0.001, rate_burst=3))
    _, clerk = await api.make_staff(StaffRole.CLERK, store)
    codes = [(await limited.post("{ __typename }", token=clerk)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    other_caller = await limited.post("{ __typename }")
    assert other_caller.status_code == 200


def fragment_fan_out(levels: int) -> str:
    """Each fragment spreads the next twice: a short text that expands to 2**levels fields."""
    fragments = [f"fragment L{i} on Query {{ ...L{i + 1} ...L{i + 1} }}" for i in range(levels)]
    return " ".join(["query { ...L0 }", *fragments, f"fragment L{levels} on Query {{ __typename }}"])


async def test_fragment_fan_out_is_refused_by_its_expanded_size(api):
    for levels in (25, 40):
        body = await api.gql(fragment_fan_out(levels))
        assert body["data"] is None
        assert [e["extensions"]["code"] for e in body["errors"]] == ["QUERY_TOO_LARGE"]
    assert (await api.gql("{ __typename }"))["data"] == {"__typename": "Query"}


async def test_field_limit_counts_fragments_as_expanded(api_factory, settings):
    tight = api_factory(settings.with_(max_fields=11))
    assert (await tight.gql(fragment_fan_out(2)))["data"] == {"__typename": "Query"}  # 4 fields, 7 spreads
    refused = await tight.gql(fragment_fan_out(3))
    assert refused["data"] is None and refused["errors"][0]["extensions"]["code"] == "QUERY_TOO_LARGE"


NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"


async def test_nodes_takes_at_most_a_hundred_ids(api):
    token = await api.admin_token()
    await api.make_store()
    gid = (await api.data("{ stores(first: 1) { edges { node { id } } } }", token=token))["stores"]["edges"][0]["node"]["id"]
    assert (await api.data(NODES, {"ids": [gid] * 100}, token=token))["nodes"] == [{"id": gid}] * 100
    literal = "{ nodes(ids: [" + ", ".join(f'"{gid}"' for _ in range(101)) + "]) { id } }"
    with_default = 'query($ids: [ID!]! = [' + ", ".join(f'"{gid}"' for _ in range(101)) + ']) { nodes(ids: $ids) { id } }'
    for body in (
        await api.gql(NODES, {"ids": [gid] * 101}, token=token),
        await api.gql(literal, token=token),
        await api.gql(with_default, token=token),
    ):
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        assert "100" in body["errors"][0]["message"]


async def test_nodes_cost_counts_every_id(api):
    token = await api.admin_token()
    nested = "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Member { purchases(first: 100) { edges { node { id } } } } } }"
    one = await api.gql(nested, {"ids": ["x"]}, token=token)
    many = await api.gql(nested, {"ids": ["x"] * 50}, token=token)
    assert many["extensions"]["cost"]["requestedQueryCost"] == 1 + 50 * (
        one["extensions"]["cost"]["requestedQueryCost"] - 1
    )
    assert many["data"] is None and many["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"


async def test_production_suggests_no_names_in_any_error(api_factory, api, settings):
    login = "mutation($i: StaffLoginInput!) { staffLogin(input: $i) { token } }"
    register = "mutation($i: RegisterMemberInput!) { registerMember(input: $i) { errors { code } } }"
    member = {"phone": "+8613800000000", "name": "A", "channel": "APP", "gender": "FEMAL"}
    typos = [
        ('mutation { staffLogin(input: {emal: "a", password: "b"}) { token } }', None),
        (login, {"i": {"emal": "a", "password": "b"}}),
        (register, {"i": member}),
        ("{ stores(frist: 1) { totalCount } }", None),
        ("{ viewr { kind } }", None),
    ]
    for query, variables in typos:
        assert "Did you mean" in str((await api.gql(query, variables))["errors"])
    prod = api_factory(settings.with_(env=PRODUCTION))
    for query, variables in typos:
        body = await prod.gql(query, variables)
        assert body["data"] is None and body["errors"]
        messages = str(body["errors"])
        assert "Did you mean" not in messages and "FEMALE" not in messages


async def test_tier_history_takes_the_page_sizes_a_connection_takes(api, outbox):
    from tests.test_members import self_register

    token = (await self_register(api, outbox))["token"]
    history = "query($n: Int!) { me { tierHistory(first: $n) { reason } } }"
    for size in (-1, 101, 100_000):
        body = await api.gql(history, {"n": size}, token=token)
        assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "reason": "INVALID_PAGE_SIZE"}
    assert (await api.data(history, {"n": 100}, token=token))["me"]["tierHistory"] == [{"reason": "REGISTRATION"}]
    assert (await api.data(history, {"n": 0}, token=token))["me"]["tierHistory"] == []


async def test_an_api_key_is_refetched_by_node_id_by_whom_may_manage_it(api):
    store, other = await api.make_store(), await api.make_store()
    admin = await api.admin_token()
    create = "mutation($i: CreateDeviceKeyInput!) { createDeviceKey(input: $i) { apiKey { id name } } }"
    key = (await api.data(create, {"i": {"storeId": to_global_id("Store", store.id), "deviceType": "KIOSK",
                                         "name": "Front kiosk"}}, token=admin))["createDeviceKey"]["apiKey"]
    refetch = "query($id: ID!) { node(id: $id) { id ... on ApiKey { name store { id } } } }"
    expected = {"id": key["id"], "name": "Front kiosk", "store": {"id": to_global_id("Store", store.id)}}
    assert (await api.data(refetch, {"id": key["id"]}, token=admin))["node"] == expected
    _, manager = await api.make_staff(StaffRole.STORE_MANAGER, store)
    assert (await api.data(refetch, {"id": key["id"]}, token=manager))["node"] == expected
    _, clerk = await api.make_staff(StaffRole.CLERK, store)
    _, other_manager = await api.make_staff(StaffRole.STORE_MANAGER, other)
    for token in (clerk, other_manager):
        body = await api.gql(refetch, {"id": key["id"]}, token=token)
        assert body["data"]["node"] is None and body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    listed = await api.data("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": [key["id"]]}, token=admin)
    assert listed["nodes"] == [{"id": key["id"]}]
