"""Health, readiness and metrics endpoints."""

from __future__ import annotations


async def test_healthz_and_readyz(api):
    assert (await api.http.get("/healthz")).json() == {"status": "ok"}
    ready = await api.http.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ready", "database": True}


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
