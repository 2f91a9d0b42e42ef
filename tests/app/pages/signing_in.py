"""Browsers over TestClient: one cookie jar per person, signed in through the form."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.app.conftest import BASE_URL

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found is not None, "the page has no form with a CSRF token"
    return found.group(1)


def browser(service: TestClient) -> TestClient:
    """A new browser (its own cookies) on the running service."""
    return TestClient(service.app, base_url=BASE_URL)


def signed_in(service: TestClient, token: str) -> tuple[TestClient, str]:
    """A browser signed in with `token`, and the CSRF token of its session."""
    person = browser(service)
    form = person.get("/sign-in")
    answer = person.post(
        "/sign-in",
        data={"api_key": token, "next": "/", "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    page = person.get(answer.headers["location"])
    assert page.status_code == 200, page.text
    return person, csrf_of(page.text)
