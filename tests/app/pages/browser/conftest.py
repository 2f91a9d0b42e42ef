"""A live service and Debian's Chromium driven by Playwright, for the browser tests.

Browser downloads are blocked here, so Playwright launches the system's `chromium`
(`./scripts/test` installs it when missing). Every request the browser makes is recorded:
the tests assert that none left for another host. Each screen is checked with axe-core
(the script shipped in the axe-playwright-python package) and photographed into
docs/screenshots/.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from importlib.resources import files
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.app.live_server import ROOT, LiveServer
from tests.app.negotiation import MEDIATOR_TOKEN

# The README shows docs/screenshots/; they are rewritten only when asked
# (UPDATE_SCREENSHOTS=1), so that a test run leaves the work tree as it was.
SCREENSHOTS = (
    ROOT / "docs" / "screenshots"
    if os.environ.get("UPDATE_SCREENSHOTS") == "1"
    else Path(tempfile.gettempdir()) / "exchange-planner-screenshots"
)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-default-apps",
    "--disable-extensions",
]
SERIOUS = frozenset({"serious", "critical"})


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    settings = {
        "EXCHANGE_BOOTSTRAP_MEDIATOR_KEY": MEDIATOR_TOKEN,
        "EXCHANGE_WORKER_COUNT": "1",
        "EXCHANGE_DOCUMENT_PROCESSES": "0",
        "EXCHANGE_RATE_LIMIT_PER_S": "0",
        "EXCHANGE_LOG_FORMAT": "json",
    }
    server = LiveServer(
        tmp_path_factory.mktemp("browser"),
        settings,
        app="tests.app.pages.browser.watchable_app:app",
    )
    with server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """The system's chromium, for one module. Playwright's sync API runs an event loop in
    this thread while it is open: it is closed with the module, so the tests after it can
    run asyncio themselves (a session-wide one, as pytest-playwright keeps, breaks them)."""
    path = chromium_path()
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed: ./scripts/test installs it")
        pytest.skip("chromium is not installed (./scripts/test installs it)")
    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Visits:
    """Every URL the browsers asked for, across the whole suite, and those the page's
    Content-Security-Policy stopped inside the browser (they never left it)."""

    def __init__(self) -> None:
        self.urls: list[str] = []
        self.stopped_by_policy: list[str] = []

    def outside(self, base_url: str) -> list[str]:
        """Requests for another host that were not stopped by the browser itself."""
        return [
            url
            for url in self.urls
            if not url.startswith(base_url) and url not in self.stopped_by_policy
        ]


@pytest.fixture(scope="session")
def visits() -> Visits:
    return Visits()


@pytest.fixture
def browser_for(
    browser: Browser, live: LiveServer, visits: Visits
) -> Iterator[Callable[[], BrowserContext]]:
    """A factory of browser contexts (one per person) that record every request and
    refuse any to another host."""
    made: list[BrowserContext] = []

    def make() -> BrowserContext:
        context = browser.new_context(
            base_url=live.base_url,
            viewport={"width": 1280, "height": 1000},
            accept_downloads=True,
            locale="en-GB",
        )
        context.on("request", lambda request: visits.urls.append(request.url))
        context.on(
            "requestfailed",
            lambda request: (
                visits.stopped_by_policy.append(request.url) if request.failure == "csp" else None
            ),
        )
        context.route(
            "**/*",
            lambda route: (
                route.continue_() if route.request.url.startswith(live.base_url) else route.abort()
            ),
        )
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()


def axe_script() -> str:
    return (files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


def serious_violations(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now."""
    page.evaluate(axe_script())
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result
        if v.get("impact") in SERIOUS
    ]


def screenshot(page: Page, name: str) -> Path:
    """The page as a person sees it; a key on show is covered (even a test's key is not
    for the docs)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False, mask=[page.locator("#issued-token")])
    return path
