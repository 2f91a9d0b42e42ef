"""Who may call without a key, and how fast any key may call."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.examples import EXCHANGE
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


def test_open_access_answers_only_requests_addressed_to_a_loopback_name(
    make_client: MakeClient,
) -> None:
    """DNS rebinding: a site whose name was pointed at 127.0.0.1 shares an origin with the
    service in the browser, and could read it; in open access it gets a 401."""
    with make_client() as client:
        for name in ("evil.example", "evil.example:8000", "127.0.0.1.evil.example", ""):
            rebound = client.get("/v1/cases", headers={"Host": name})
            assert rebound.status_code == 401, name
            assert "loopback name" in rebound.json()["detail"]
        for name in ("127.0.0.1", "127.0.0.1:8000", "localhost:8000", "[::1]:8000"):
            assert client.get("/v1/cases", headers={"Host": name}).status_code == 200, name
        assert client.get("/healthz", headers={"Host": "evil.example"}).status_code == 200


def test_open_access_refuses_what_a_page_of_another_site_sends(make_client: MakeClient) -> None:
    """A form on another site can POST to 127.0.0.1 without CORS (text/plain holds JSON);
    browsers name the sending site in Origin and Sec-Fetch-Site, and open access refuses
    it. curl, the command line and the service's own /docs (Try it out) still work."""
    body = json.dumps(EXCHANGE)
    with make_client() as client:
        forged: list[dict[str, str]] = [
            {"Origin": "http://evil.example", "Content-Type": "text/plain"},
            {"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"},
            {"Sec-Fetch-Site": "cross-site"},
            {"Origin": "null", "Content-Type": "text/plain"},  # a sandboxed frame, a file
            {"Origin": "http://127.0.0.1:9000"},  # another port is another origin
        ]
        for headers in forged:
            refused = client.post("/v1/plans", content=body, headers=headers)
            assert refused.status_code == 403, headers
            assert refused.headers["content-type"] == "application/problem+json"
            assert refused.json()["type"].endswith(":cross-site")
            assert client.post("/v1/cases", headers=headers).status_code == 403
        navigated = client.get("/v1/cases", headers={"Sec-Fetch-Site": "cross-site"})
        assert navigated.status_code == 403
        assert client.get("/v1/plans").json()["total"] == 0
        assert client.get("/v1/cases").json()["total"] == 0

        # Swagger UI on the service's own /docs sends its own origin.
        own = {"Origin": "http://127.0.0.1", "Sec-Fetch-Site": "same-origin"}
        assert client.post("/v1/plans", content=body, headers=own).status_code == 201
        typed = client.get("/v1/cases", headers={"Sec-Fetch-Site": "none"})
        assert typed.status_code == 200
        # curl and scripts send neither header.
        assert client.post("/v1/cases").status_code == 201


def test_a_key_is_never_sent_by_the_browser_on_its_own(make_client: MakeClient) -> None:
    """With keys, a request must carry one, which no page of another site can make a
    browser add: such requests are not checked for their origin."""
    with make_client(bootstrap_mediator_key=MEDIATOR_TOKEN) as client:
        elsewhere = {"Origin": "http://tool.example", "Sec-Fetch-Site": "cross-site"}
        assert client.get("/v1/cases", headers=elsewhere).status_code == 401
        assert client.get("/v1/cases", headers={**elsewhere, **MEDIATOR}).status_code == 200
