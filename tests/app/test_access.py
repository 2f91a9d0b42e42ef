"""Who may call without a key, and how fast any key may call."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from tests.app.conftest import MakeClient, settings_for, wait_until_ready
from tests.app.negotiation import MEDIATOR, MEDIATOR_TOKEN


def test_without_keys_only_loopback_requests_are_served(tmp_path: Path) -> None:
    app = create_app(settings_for(tmp_path), own_logging=False)
    with TestClient(app, base_url="http://127.0.0.1") as local:
        wait_until_ready(local)
        assert local.get("/v1/cases").status_code == 200
        # Through a proxy on the same host, loopback is not the caller's address.
        proxied = local.get("/v1/cases", headers={"X-Forwarded-For": "203.0.113.9"})
        assert proxied.status_code == 401
        assert "loopback" in proxied.json()["detail"]
    with TestClient(app, base_url="http://192.0.2.10") as remote:
        refused = remote.get("/v1/cases")
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"].startswith("Bearer")
        assert remote.get("/healthz").status_code == 200


def test_start_up_says_whether_access_is_open(
    make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING), make_client():
        pass
    assert any("OPEN ACCESS" in r.getMessage() for r in caplog.records)
    caplog.clear()
    with caplog.at_level(logging.WARNING), make_client(bootstrap_mediator_key=MEDIATOR_TOKEN):
        pass
    assert any("API keys required" in r.getMessage() for r in caplog.records)


def test_the_first_mediator_key_switches_authentication_on(make_client: MakeClient) -> None:
    with make_client() as client:
        assert client.get("/v1/cases").status_code == 200
        keys = client.app.state.keys  # type: ignore[attr-defined]
        _, token = keys.issue("mediator")
        assert client.get("/v1/cases").status_code == 401
        assert client.get("/v1/cases", headers={"X-API-Key": token}).status_code == 200


def test_a_key_over_its_rate_gets_429_with_retry_after(make_client: MakeClient) -> None:
    with make_client(
        bootstrap_mediator_key=MEDIATOR_TOKEN, rate_limit_per_s=0.5, rate_limit_burst=3
    ) as client:
        statuses = [client.get("/v1/cases", headers=MEDIATOR).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        limited = client.get("/v1/cases", headers=MEDIATOR)
        assert limited.status_code == 429
        assert limited.headers["content-type"] == "application/problem+json"
        # 3 requests in any 6 s (burst / rate): the wait is at most that window.
        assert 1 <= int(limited.headers["retry-after"]) <= 6
        # Probes are not rate limited, and other keys have their own bucket.
        assert client.get("/healthz").status_code == 200


def test_request_ids_are_echoed_only_when_they_are_plain_tokens(make_client: MakeClient) -> None:
    with make_client() as client:
        given = "0f8fad5b-d9cb-469f-a165-70867728950e"
        assert (
            client.get("/healthz", headers={"X-Request-ID": given}).headers["x-request-id"] == given
        )
        replaced = client.get("/healthz", headers={"X-Request-ID": "Jane Doe"}).headers[
            "x-request-id"
        ]
        assert replaced != "Jane Doe"
        assert len(replaced) == 36
