"""Using the pages with the keyboard alone, as the browser tests do: Tab to a control,
press a key, type; check each screen with axe-core and keep its picture."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from tests.app.pages.browser.conftest import screenshot, serious_violations

MAX_TABS = 250


def tab_to(page: Page, target: Locator) -> None:
    """Move the focus to `target` with the Tab key alone (it must be reachable)."""
    handle = target.element_handle()
    assert handle is not None
    for _ in range(MAX_TABS):
        if page.evaluate("element => element === document.activeElement", handle):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{target} cannot be reached with the Tab key")


def activate(page: Page, target: Locator, key: str = "Enter") -> None:
    tab_to(page, target)
    page.keyboard.press(key)


def type_into(page: Page, target: Locator, text: str) -> None:
    tab_to(page, target)
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type(text)


def check_screen(page: Page, name: str, show: Locator | None = None) -> None:
    """No serious or critical accessibility violation; keep the picture (of `show`, when
    it is further down the page)."""
    expect(page.locator("main")).to_be_visible()
    if show is not None:
        show.scroll_into_view_if_needed()
    assert serious_violations(page) == [], name
    screenshot(page, name)


def sign_in(page: Page, token: str, screen: str | None = "01-sign-in") -> None:
    """Sign in with the key typed into the form (the form checked and kept as `screen`)."""
    page.goto("/sign-in")
    if screen is not None:
        check_screen(page, screen)
    field = page.get_by_label("API key")
    expect(field).to_be_focused()  # autofocus: the form is ready to type into
    page.keyboard.type(token)
    with page.expect_navigation():
        page.keyboard.press("Enter")
