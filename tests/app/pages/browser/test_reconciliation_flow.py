"""Screen 3 in a real browser, with the keyboard only: side B's list of synthetic people
uploaded, side A's requests reconciled with it (and a registry of earlier rounds), the
pairs reviewed with the queue's keys (one confirmed, one rejected, a person already
exchanged confirmed), the decisions applied, and the plan that follows releasing the
people side A asked for. Every screen is checked with axe-core and photographed; nothing
is asked of another host.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.app.live_server import ROOT, LiveServer
from tests.app.negotiation import MEDIATOR_TOKEN
from tests.app.pages.browser.conftest import Visits
from tests.app.pages.browser.keyboard import activate, check_screen, sign_in, tab_to
from tests.app.pages.browser.test_flows import upload_with_keyboard
from tests.app.pages.browser.watchable_app import WATCHED_REQUEST_ID

EXAMPLES = ROOT / "examples" / "reconciliation"
# Six a side, with nobody seriously ill, young or civilian: who side B releases is
# decided by the requests (and without them, by the days in captivity).
TERMS = {
    "terms": {
        "reference_date": "2025-06-01",
        "min_per_side": 6,
        "max_per_side": 6,
        "release_all": [],
    },
    "options": {"time_limit_s": 10},
}
SIDE_A = {
    "name": "Side A",
    "detainees": [
        {"id": f"A-{n}", "name": f"Synthetic Person {n}", "age": 40, "captured_on": "2023-06-01"}
        for n in range(1, 9)
    ],
}
REQUESTED_HELD = ["B-101", "B-102", "B-103", "B-104", "B-105", "B-111"]

NewContext = Callable[[], BrowserContext]


def _screen(page: Page, name: str) -> Locator:
    """A link of the case's navigation."""
    return page.get_by_role("navigation", name="Screens of this case").get_by_role(
        "link", name=name, exact=True
    )


def _focused_pair(page: Page) -> str:
    return str(page.evaluate("document.activeElement.id"))


def test_reconcile_review_apply_then_plan(
    browser_for: NewContext, live: LiveServer, tmp_path: Path, visits: Visits
) -> None:
    context = browser_for()
    mediator = context.new_page()
    sign_in(mediator, MEDIATOR_TOKEN, screen=None)
    activate(mediator, mediator.get_by_role("button", name="Open a new case"))
    mediator.wait_for_url(re.compile(r"/cases/[0-9a-f-]+$"))
    case_path = mediator.url.removeprefix(live.base_url)
    case_id = case_path.rsplit("/", 1)[1]

    # Both lists through the lists screen; side B's names are Russian forms.
    side_a = tmp_path / "side_a.json"
    side_a.write_text(json.dumps(SIDE_A))
    activate(mediator, _screen(mediator, "Lists"))
    mediator.wait_for_url(re.compile(r"/lists$"))
    upload_with_keyboard(
        mediator, "Side A's list (CSV, XLSX or JSON)", side_a, "Upload Side A's list"
    )
    upload_with_keyboard(
        mediator,
        "Side B's list (CSV, XLSX or JSON)",
        EXAMPLES / "side_b.json",
        "Upload Side B's list",
    )
    expect(mediator.get_by_text("12 people, from JSON")).to_be_visible()
    headers = {"X-API-Key": MEDIATOR_TOKEN}
    saved = context.request.put(f"/v1/cases/{case_id}/terms", data=TERMS, headers=headers)
    assert saved.ok  # the terms screen has its own flow

    # Screen 3: side B's list against side A's requests and a registry of earlier rounds.
    activate(mediator, _screen(mediator, "Reconciliation"))
    mediator.wait_for_url(re.compile(r"/reconciliation$"))
    expect(mediator.get_by_label("Side B's list, asked for by Side A")).to_be_checked()
    check_screen(mediator, "25-reconciliation-start")
    # Side A's requests, and one more whom the test service makes the run dwell on.
    requested = tmp_path / "requested.json"
    watched = {"id": WATCHED_REQUEST_ID, "name": "Synthetic Watched Person"}
    requested.write_text(
        json.dumps([*json.loads((EXAMPLES / "requested.json").read_text()), watched])
    )
    for label, path in (
        ("The people asked for (CSV, XLSX or JSON)", requested),
        (
            "People exchanged in earlier rounds (optional, CSV, XLSX or JSON)",
            EXAMPLES / "exchanged.csv",
        ),
    ):
        field = mediator.get_by_label(label)
        tab_to(mediator, field)
        field.set_input_files(str(path))  # the operating system's file chooser
    activate(mediator, mediator.get_by_role("button", name="Reconcile", exact=True))
    # A run that takes time shows its steps, then lands on its outcome by itself.
    progress = mediator.locator("#reconciliation-progress")
    expect(progress).to_have_attribute("aria-busy", "true", timeout=10_000)
    expect(progress).to_contain_text("learning: how often the lists agree", timeout=10_000)
    check_screen(mediator, "26-reconciliation-progress")
    mediator.wait_for_url(re.compile(r"/reconciliation\?reconciled=1$"), timeout=60_000)
    done = mediator.locator(".message.success").first
    expect(done).to_be_focused()
    expect(done).to_contain_text("Matched automatically: 5. Pairs to review: 2.")
    check_screen(mediator, "27-reconciliation-outcome")

    # The review queue, worked with its keys.
    activate(mediator, mediator.get_by_role("link", name="Review the pairs: 3 to decide").first)
    mediator.wait_for_url(re.compile(r"/reconciliation/pairs$"))
    first = mediator.locator("#pair-m-4")
    expect(first).to_contain_text("Бондаренко Андрій")  # as side A wrote it
    expect(first).to_contain_text("Бондаренко Андрей Николаевич")  # as side B did
    expect(first).to_contain_text("the same name in its Ukrainian and Russian forms")
    check_screen(mediator, "28-review-queue")
    tab_to(mediator, mediator.get_by_role("button", name="Confirm: the same person (pair m-4)"))
    mediator.keyboard.press("n")
    assert _focused_pair(mediator) == "pair-m-5"
    mediator.keyboard.press("p")
    assert _focused_pair(mediator) == "pair-m-4"
    announcer = mediator.locator("#announcer")
    mediator.keyboard.press("c")  # R-5 is B-105
    expect(mediator.locator("#pair-m-5")).to_be_focused()
    expect(announcer).to_contain_text("Pair m-4 confirmed. Still to decide: 2. Now on pair m-5.")
    mediator.keyboard.press("r")  # and not B-106, his namesake
    expect(mediator.locator("#pair-x-0")).to_be_focused()
    expect(announcer).to_contain_text("Pair m-5 rejected.")
    mediator.keyboard.press("c")  # B-109 was exchanged in an earlier round
    expect(mediator.locator("#queue-done")).to_be_focused()
    # The filter, from the keyboard: what was confirmed.
    tab_to(mediator, mediator.get_by_label("Show"))
    mediator.keyboard.press("ArrowDown")
    mediator.keyboard.press("ArrowDown")  # Confirmed
    expect(announcer).to_contain_text("Showing 2 of 8 pairs.")
    expect(mediator.locator("#pair-m-4 .decision")).to_have_text("Confirmed")
    check_screen(mediator, "29-review-confirmed")

    # Applying, with the counts before and after.
    activate(mediator, mediator.get_by_role("link", name="Back to the outcome and applying"))
    apply_section = mediator.locator("section.card").filter(has_text="Apply to Side B's list")
    counts = apply_section.get_by_role("table")
    for row, now_and_after in (("Requested by name", ["0", "6"]), ("Ineligible", ["0", "1"])):
        cells = counts.get_by_role("row", name=row).get_by_role("cell")
        expect(cells).to_have_text(now_and_after)
    check_screen(mediator, "30-reconciliation-apply", apply_section)
    activate(mediator, mediator.get_by_role("button", name="Apply to Side B's list"))
    applied = mediator.locator("#applied")
    expect(applied).to_be_focused()
    expect(applied).to_contain_text(
        "Newly requested by name: 6. Newly ineligible (already exchanged): 1."
    )

    # The plan: side B releases the six people side A asked for.
    activate(mediator, mediator.get_by_role("link", name=re.compile("^Go to solving")))
    activate(mediator, mediator.get_by_role("button", name="Solve now"))
    # The job page, or (a solve this small may end first) the plan at once.
    mediator.wait_for_url(re.compile(r"/plans/[0-9a-f-]+(\?solved=1)?$"), timeout=30_000)
    categories = mediator.get_by_role("table", name="Released by category and side")
    expect(categories.get_by_role("row", name="Requested by name")).to_contain_text("6 of 6")
    released = mediator.locator("#stage-people")
    for person in REQUESTED_HELD:
        expect(released.get_by_role("rowheader", name=person, exact=True)).to_be_visible()
    expect(released.get_by_role("rowheader", name="B-109", exact=True)).to_have_count(0)
    check_screen(mediator, "31-plan-requested", categories)

    assert visits.outside(live.base_url) == []
    # The service's log saw the whole flow, and no name.
    logged = live.log_path.read_text(encoding="utf-8")
    for name in ("Бондаренко", "Олійник", "Гаврилюк", "Synthetic Watched", "Synthetic Person"):
        assert name not in logged
