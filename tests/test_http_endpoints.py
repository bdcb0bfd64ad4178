"""Health, readiness and metrics endpoints."""

from __future__ import annotations


async def test_healthz_and_readyz(api):
    assert (await api.http.get("/healthz")).json() == {"status": "ok"}
    ready = await api.http.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready" and ready.json()["database"] is True
    assert ready.json()["cache"]["reachable"] is True


async def test_metrics_count_operations_by_name_and_errors_by_code(api):
    await api.gql("query Ping { __typename }", operation_name="Ping")
    await api.gql("{ stores { totalCount } }")
    text = (await api.http.get("/metrics")).text
    assert 'orchard_graphql_operations_total{operation="Ping",outcome="ok"} 1.0' in text
    assert 'orchard_graphql_duration_seconds_count{operation="Ping"} 1.0' in text
    assert 'orchard_graphql_errors_total{code="UNAUTHENTICATED"} 1.0' in text


async def test_request_id_is_echoed(api):
    response = await api.http.post("/graphql", json={"query": "{ __typename }"}, headers={"x-request-id": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"


async def test_a_failure_outside_the_resolvers_answers_json_500_with_a_code(api, monkeypatch):
    import app

    async def broken_authenticate(*_args, **_kwargs):
        raise RuntimeError("the credential store is unreachable")

    monkeypatch.setattr(app, "authenticate", broken_authenticate)
    response = await api.http.post("/graphql", json={"query": "{ __typename }"})
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "data": None, "errors": [{"message": "Internal server error.", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}],
    }
    assert "unreachable" not in response.text


async def test_other_paths_still_go_through_starlette(api):
    assert (await api.http.get("/nowhere")).status_code == 404
    assert (await api.http.put("/graphql", content=b"{}")).status_code == 405
