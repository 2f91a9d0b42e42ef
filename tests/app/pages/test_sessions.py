"""Sign-in, sessions and CSRF, at the HTTP level, with API keys switched on."""

from __future__ import annotations

import asyncio

from fastapi.testclient import TestClient

from app.pages.sessions import COOKIE_NAME
from tests.app.negotiation import MEDIATOR, MEDIATOR_TOKEN, auth, open_negotiation
from tests.app.pages.signing_in import browser, csrf_of, signed_in


def test_pages_send_a_stranger_to_the_sign_in_form(secured: TestClient) -> None:
    stranger = browser(secured)
    answer = stranger.get("/cases/anything/terms", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in?next=%2Fcases%2Fanything%2Fterms"


def test_sign_in_with_a_wrong_key_is_refused(secured: TestClient) -> None:
    person = browser(secured)
    token = csrf_of(person.get("/sign-in").text)
    answer = person.post(
        "/sign-in", data={"api_key": "exk_0123456789abcdef_wrong", "csrf_token": token}
    )
    assert answer.status_code == 401
    assert "not valid" in answer.text
    assert person.get("/", follow_redirects=False).status_code == 303


def test_session_cookie_is_signed_httponly_strict_and_holds_no_token(secured: TestClient) -> None:
    person = browser(secured)
    token = csrf_of(person.get("/sign-in").text)
    answer = person.post(
        "/sign-in",
        data={"api_key": MEDIATOR_TOKEN, "csrf_token": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(COOKIE_NAME + "=")
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie or "SameSite=Strict" in cookie
    assert "Secure" not in cookie  # plain HTTP on loopback; HTTPS sets it
    assert MEDIATOR_TOKEN not in cookie
    assert person.get("/").status_code == 200


def test_session_cookie_is_secure_over_https(secured: TestClient) -> None:
    person = TestClient(secured.app, base_url="https://127.0.0.1")
    answer = person.get("/sign-in")
    assert "Secure" in answer.headers["set-cookie"]


def test_a_forged_cookie_is_no_session(secured: TestClient) -> None:
    person, _ = signed_in(secured, MEDIATOR_TOKEN)
    value = person.cookies[COOKIE_NAME]
    person.cookies.set(COOKIE_NAME, value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    assert person.get("/", follow_redirects=False).status_code == 303


def test_changes_without_the_csrf_token_are_refused(secured: TestClient) -> None:
    person, token = signed_in(secured, MEDIATOR_TOKEN)
    assert person.post("/cases", follow_redirects=False).status_code == 403
    assert person.post("/cases", data={"csrf_token": "x" * 64}).status_code == 403
    other, _ = signed_in(secured, MEDIATOR_TOKEN)
    assert other.post("/cases", data={"csrf_token": token}).status_code == 403  # not its session
    assert (
        person.post("/cases", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    )
    htmx = person.post(
        "/cases", headers={"X-CSRF-Token": token, "HX-Request": "true"}, follow_redirects=False
    )
    assert htmx.status_code == 303


def test_changes_from_another_site_are_refused(secured: TestClient) -> None:
    person, token = signed_in(secured, MEDIATOR_TOKEN)
    for headers in ({"Origin": "http://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
        answer = person.post("/cases", data={"csrf_token": token}, headers=headers)
        assert answer.status_code == 403


def test_sign_in_form_needs_its_csrf_token(secured: TestClient) -> None:
    person = browser(secured)
    answer = person.post("/sign-in", data={"api_key": MEDIATOR_TOKEN})
    assert answer.status_code == 403


def test_sign_out_ends_the_session(secured: TestClient) -> None:
    person, token = signed_in(secured, MEDIATOR_TOKEN)
    answer = person.post("/sign-out", data={"csrf_token": token}, follow_redirects=False)
    assert answer.headers["location"] == "/sign-in"
    assert person.get("/", follow_redirects=False).status_code == 303


def test_revoking_a_key_ends_its_sessions(secured: TestClient) -> None:
    negotiation = open_negotiation(secured, solve=False)
    party_token = negotiation.side_a["X-API-Key"]
    party, _ = signed_in(secured, party_token)
    case_page = f"/cases/{negotiation.case_id}"
    assert party.get(case_page).status_code == 200
    revoked = secured.delete(
        f"/v1/cases/{negotiation.case_id}/keys/{negotiation.key_ids['side_a']}", headers=MEDIATOR
    )
    assert revoked.status_code == 204
    assert party.get(case_page, follow_redirects=False).status_code == 303
    assert secured.get(f"/v1{case_page}", headers=auth(party_token)).status_code == 401


def test_sign_in_goes_back_only_to_this_service(secured: TestClient) -> None:
    person = browser(secured)
    token = csrf_of(person.get("/sign-in").text)
    for target, expected in (
        ("//evil.example/x", "/"),
        ("https://evil.example", "/"),
        ("/cases", "/cases"),
    ):
        answer = person.post(
            "/sign-in",
            data={"api_key": MEDIATOR_TOKEN, "csrf_token": token, "next": target},
            follow_redirects=False,
        )
        assert answer.headers["location"] == expected
        token = csrf_of(person.get("/sign-in").text)


def test_pages_carry_a_strict_content_security_policy(secured: TestClient) -> None:
    answer = browser(secured).get("/sign-in")
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["x-frame-options"] == "DENY"


class _DatabaseLikeLimiter:
    """A limiter whose count is a round trip (as with the database storage): it notes,
    for every call, whether it was made on the event loop."""

    blocks = True

    def __init__(self) -> None:
        self.on_loop: list[bool] = []

    def retry_after(self, key: str) -> int | None:
        try:
            asyncio.get_running_loop()
            self.on_loop.append(True)
        except RuntimeError:
            self.on_loop.append(False)
        return None


def test_sign_in_and_pages_count_a_blocking_rate_limit_off_the_event_loop(
    secured: TestClient,
) -> None:
    limiter = _DatabaseLikeLimiter()
    # Put back by hand: monkeypatch's undo deletes an attribute of starlette's State.
    state = secured.app.state  # type: ignore[attr-defined]
    real = state.rate_limiter
    state.rate_limiter = limiter
    try:
        person = browser(secured)
        token = csrf_of(person.get("/sign-in").text)
        refused = person.post(
            "/sign-in", data={"api_key": "exk_0123456789abcdef_wrong", "csrf_token": token}
        )
        assert refused.status_code == 401
        assert limiter.on_loop == [False]  # the refused attempt, counted in a thread
        signed, _ = signed_in(secured, MEDIATOR_TOKEN)
        assert signed.get("/").status_code == 200
    finally:
        state.rate_limiter = real
    assert len(limiter.on_loop) >= 3  # every page's count too
    assert not any(limiter.on_loop)
