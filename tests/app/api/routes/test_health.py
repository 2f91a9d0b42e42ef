"""/healthz, /readyz and /metrics."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from tests.app.bodies import assert_no_personal_data, exchange, with_canary
from tests.app.conftest import MakeClient


def test_healthz(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_reports_database_and_workers(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "database": "ok",
        "workers_alive": 2,
        "workers": 2,
        "queue_depth": 0,
        "document_helper": "off",
    }


def test_readyz_is_503_without_database_or_workers(make_client: MakeClient) -> None:
    with make_client() as client:
        state = client.app.state  # type: ignore[attr-defined]
        state.engine = create_engine("sqlite:////nonexistent/folder/exchange.db")
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["database"] == "unreachable"
        state.pool.close()
        assert client.get("/readyz").json()["workers_alive"] == 0


def test_metrics_count_requests_by_route_template_and_solves(client: TestClient) -> None:
    plan_id = client.post("/v1/plans", json=with_canary(exchange())).json()["id"]
    client.get(f"/v1/plans/{plan_id}")
    client.get("/v1/plans/does-not-exist")
    client.post("/v1/plans", json={"side_a": {}})
    text = client.get("/metrics").text
    assert 'route="/v1/plans/{plan_id}"' in text
    assert 'exchange_http_requests_total{method="POST",route="/v1/plans",status="201"}' in text
    assert 'status="422"' in text
    assert 'exchange_solves_total{outcome="optimal"}' in text
    assert "exchange_solve_queue_depth 0.0" in text
    assert "exchange_solver_workers_alive 2.0" in text
    assert plan_id not in text
    assert "does-not-exist" not in text
    assert_no_personal_data(text)
