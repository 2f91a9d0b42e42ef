"""The API in open loopback mode (no keys configured), used from a real browser: Swagger
UI's "Try it out" on the service's own /docs works, and a page that is not the
service's cannot make the browser act on it.

The page "elsewhere" is written into a blank tab (its origin is opaque, so the browser
sends `Origin: null` and `Sec-Fetch-Site: cross-site`, as it does for a file or a
sandboxed frame); nothing is fetched from another host.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.app.live_server import LiveServer


@pytest.fixture(scope="module")
def open_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The service with no key configured: open to this machine, as in the README."""
    settings = {"EXCHANGE_WORKER_COUNT": "1", "EXCHANGE_DOCUMENT_PROCESSES": "0"}
    assert not {"EXCHANGE_BOOTSTRAP_MEDIATOR_KEY", "EXCHANGE_REQUIRE_API_KEYS"} & set(os.environ)
    with LiveServer(tmp_path_factory.mktemp("open"), settings) as server:
        yield server


def test_swagger_works_and_a_page_elsewhere_cannot_use_open_access(
    browser: Browser, open_service: LiveServer
) -> None:
    base = open_service.base_url
    context = browser.new_context(base_url=base)
    elsewhere: list[str] = []
    context.on(
        "request",
        lambda request: (
            None if request.url.startswith((base, "about:")) else elsewhere.append(request.url)
        ),
    )
    docs = context.new_page()
    docs.goto("/docs")
    operation = docs.locator("#operations-cases-open_case_v1_cases_post")
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    status = operation.locator(".live-responses-table tbody .response-col_status").first
    expect(status).to_have_text("201", timeout=20_000)

    # A form on a page that is not the service's, posting JSON as text/plain.
    forged = context.new_page()
    forged.set_content(
        f'<form method="post" action="{base}/v1/cases" enctype="text/plain">'
        '<input name="{&quot;x&quot;: &quot;" value="&quot;}"></form>'
    )
    with forged.expect_navigation() as navigation:
        forged.evaluate("document.forms[0].submit()")
    answer = navigation.value
    assert answer is not None
    assert answer.status == 403
    expect(forged.locator("body")).to_contain_text("cross-site")

    with httpx.Client(base_url=base) as curl_like:
        assert curl_like.get("/v1/cases").json()["total"] == 1  # Swagger's case only
    assert elsewhere == []
    context.close()
