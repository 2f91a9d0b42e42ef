"""Without any key configured, the pages are open on loopback, as the API is; through a
proxy or on another address they send everyone to the sign-in form."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.app.conftest import MakeClient
from tests.app.pages.signing_in import csrf_of


def test_open_on_loopback_only(make_client: MakeClient) -> None:
    with make_client() as service:
        page = service.get("/")
        assert page.status_code == 200
        assert "open access" in page.text
        proxied = service.get(
            "/", headers={"X-Forwarded-For": "203.0.113.9"}, follow_redirects=False
        )
        assert proxied.status_code == 303
        remote = TestClient(service.app, base_url="http://192.0.2.10")
        assert remote.get("/", follow_redirects=False).status_code == 303


def test_open_mode_still_needs_the_csrf_token(make_client: MakeClient) -> None:
    with make_client() as service:
        assert service.post("/cases", follow_redirects=False).status_code == 403
        token = csrf_of(service.get("/").text)
        opened = service.post("/cases", data={"csrf_token": token}, follow_redirects=False)
        assert opened.status_code == 303


def test_open_mode_answers_only_loopback_names(make_client: MakeClient) -> None:
    """A site whose name was pointed at 127.0.0.1 (DNS rebinding) gets the sign-in form."""
    with make_client() as service:
        rebound = service.get("/", headers={"Host": "evil.example:8000"}, follow_redirects=False)
        assert rebound.status_code == 303
        for name in ("localhost:8000", "127.0.0.1", "[::1]:8000"):
            assert service.get("/", headers={"Host": name}).status_code == 200, name
