"""The web pages in a real browser, used with the keyboard only.

A mediator takes a case from empty to a published plan and its manifest; a party uploads
its list and reads the published plan; a party trying another case's page gets nothing.
Every screen is checked with axe-core (no serious or critical violation) and
photographed; no request leaves for another host during the whole suite.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.app.live_server import ROOT, LiveServer
from tests.app.negotiation import MEDIATOR_TOKEN
from tests.app.pages.browser.conftest import SCREENSHOTS, Visits, screenshot
from tests.app.pages.browser.keyboard import activate, check_screen, sign_in, tab_to, type_into
from tests.app.pages.browser.watchable_app import WATCHED_SEED

EXAMPLE = ROOT / "examples" / "thousand_for_thousand.json"
SIDE_B_CSV = ROOT / "examples" / "csv" / "thousand_for_thousand" / "side_b.csv"

NewContext = Callable[[], BrowserContext]


def upload_with_keyboard(page: Page, label: str, path: Path, button: str) -> None:
    field = page.get_by_label(label)
    tab_to(page, field)
    # The file chooser is the operating system's own window: Playwright answers it.
    field.set_input_files(str(path))
    with page.expect_navigation():
        activate(page, page.get_by_role("button", name=button))


@pytest.mark.usefixtures("live")
def test_mediator_and_parties_from_empty_case_to_published_plan(
    browser_for: NewContext, live: LiveServer, tmp_path: Path, visits: Visits
) -> None:
    mediator_context = browser_for()
    mediator = mediator_context.new_page()
    sign_in(mediator, MEDIATOR_TOKEN)
    check_screen(mediator, "02-cases")

    activate(mediator, mediator.get_by_role("button", name="Open a new case"))
    mediator.wait_for_url(re.compile(r"/cases/[0-9a-f-]+$"))
    case_path = mediator.url.removeprefix(live.base_url)

    # Screen 1: a key for each party, issued through htmx, the token shown once.
    tokens = {}
    for side, label in (("side_a", "Side A"), ("side_b", "Side B")):
        tab_to(mediator, mediator.get_by_label("Issue a key for"))
        mediator.keyboard.press("Home" if side == "side_a" else "End")
        activate(mediator, mediator.get_by_role("button", name="Issue key"))
        box = mediator.locator(".token-box")
        expect(box).to_be_focused()
        expect(mediator.locator("#announcer")).to_contain_text(f"New key issued for {label}")
        tokens[side] = mediator.locator("#issued-token").inner_text().strip()
        assert tokens[side].startswith("exk_")
    expect(mediator.locator("#active-keys")).to_have_text("2 active")  # swapped out of band
    check_screen(mediator, "03-case-keys")

    # Party A uploads its own list with its key, in its own browser.
    party_context = browser_for()
    party = party_context.new_page()
    sign_in(party, tokens["side_a"])
    expect(party).to_have_url(re.compile(case_path + "$"))
    side_a = json.loads(EXAMPLE.read_text())["side_a"]
    side_a_file = tmp_path / "side_a.json"
    side_a_file.write_text(json.dumps(side_a))
    upload_with_keyboard(
        party, "Side A's list (CSV, XLSX or JSON)", side_a_file, "Upload Side A's list"
    )
    expect(party.get_by_text("1,400 people")).to_be_visible()
    check_screen(party, "10-party-case")

    # Screen 2: the mediator uploads side B's CSV and reads the counts.
    mediator.goto(case_path + "/lists")
    upload_with_keyboard(
        mediator, "Side B's list (CSV, XLSX or JSON)", SIDE_B_CSV, "Upload Side B's list"
    )
    expect(mediator.locator(".message.success")).to_contain_text("Side B's list was uploaded")
    expect(mediator.get_by_role("table", name="Side A's list by category")).to_be_visible()
    check_screen(mediator, "04-lists")

    # A bad list is reported by row and field, without its cells.
    bad = tmp_path / "bad.csv"
    bad.write_text("id,name,birth_date\nB-1,Canary Name,31.12.1990\n")
    upload_with_keyboard(mediator, "Side B's list (CSV, XLSX or JSON)", bad, "Upload Side B's list")
    problems = mediator.locator(".problems")
    expect(problems).to_contain_text("invalid_cell")
    expect(problems).not_to_contain_text("Canary")
    check_screen(mediator, "05-list-problems", problems)
    upload_with_keyboard(
        mediator, "Side B's list (CSV, XLSX or JSON)", SIDE_B_CSV, "Upload Side B's list"
    )

    # Screen 4: the terms of "1,000 for 1,000", typed in; a slip is shown beside its field.
    mediator.goto(case_path + "/terms")
    type_into(mediator, mediator.get_by_label("Exchange date"), "")
    mediator.keyboard.type("05232025")
    type_into(mediator, mediator.get_by_label("Stage capacities per side"), "390, 307, x")
    activate(mediator, mediator.get_by_role("button", name="Save the terms"))
    expect(mediator.locator("#stages-error")).to_be_visible()
    expect(mediator.locator("#stages")).to_have_attribute("aria-invalid", "true")
    check_screen(mediator, "06-terms-problem")
    type_into(mediator, mediator.get_by_label("Stage capacities per side"), "390, 307, 303")
    # A radio group is one Tab stop; the arrow keys choose within it.
    tab_to(mediator, mediator.get_by_label("In total: equal numbers"))
    mediator.keyboard.press("ArrowDown")
    expect(mediator.get_by_label("By status: military for military")).to_be_checked()
    type_into(mediator, mediator.get_by_label("Side A must release (ids)"), "A-001168 A-006019")
    type_into(mediator, mediator.get_by_label("Side B must release (ids)"), "B-004379, B-008937")
    type_into(
        mediator, mediator.get_by_label("Side A must not release (ids)"), "A-004245\nA-011126"
    )
    type_into(mediator, mediator.get_by_label("Side B must not release (ids)"), "B-005340 B-007586")
    type_into(mediator, mediator.get_by_label("Time limit (seconds)"), "4")
    type_into(mediator, mediator.get_by_label("Random seed"), str(WATCHED_SEED))
    activate(mediator, mediator.get_by_role("button", name="Save the terms"))
    saved = mediator.locator(".message.success").filter(has_text="The terms were saved")
    expect(saved).to_be_focused()
    check_screen(mediator, "07-terms")

    # Screen 5: a watched solve shows its progress, and ends in the plan.
    mediator.goto(case_path + "/solve")
    check_screen(mediator, "08-solve")
    activate(mediator, mediator.get_by_role("button", name="Solve now"))
    expect(mediator.locator("#job-progress")).to_contain_text("Levels proven so far: 1")
    check_screen(mediator, "09-job-progress")
    mediator.wait_for_url(re.compile(r"/plans/[0-9a-f-]+\?solved=1$"), timeout=30_000)
    plan_path = mediator.url.removeprefix(live.base_url).split("?")[0]
    started = time.perf_counter()
    mediator.goto(plan_path)
    seconds = time.perf_counter() - started
    # Measured, not asserted (shared machines are noisy): the README quotes it.
    (SCREENSHOTS / "plan-page-seconds.txt").write_text(f"{seconds:.3f}\n")
    expect(mediator.locator(".status")).to_contain_text("Optimal")
    check_screen(mediator, "11-plan")

    # The long tables are filtered on the server; the result is announced.
    tab_to(mediator, mediator.get_by_label("Reason"))
    mediator.keyboard.press("End")  # "Excluded by agreement"
    expect(mediator.locator("#not-released")).to_contain_text("Showing 4 of")
    expect(mediator.locator("#announcer")).to_contain_text("Showing 4 of")
    check_screen(mediator, "12-plan-not-released", mediator.locator("#not-released"))

    activate(mediator, mediator.get_by_role("button", name="Publish this plan to both parties"))
    expect(
        mediator.locator(".message.success").filter(has_text="This plan is published")
    ).to_be_visible()
    with mediator.expect_download() as download:
        activate(mediator, mediator.get_by_role("link", name="Handover manifest (CSV)"))
    manifest = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert manifest.startswith('"stage","pair","match"')
    assert manifest.count("\n") > 1000

    # A second watched solve, stopped from the keyboard: the best plan so far is kept.
    mediator.goto(case_path + "/solve")
    activate(mediator, mediator.get_by_role("button", name="Solve now"))
    expect(mediator.locator("#job-progress")).to_contain_text("Levels proven so far: 1")
    activate(mediator, mediator.get_by_role("button", name="Stop and keep the best plan so far"))
    mediator.wait_for_url(re.compile(r"/plans/"), timeout=15_000)
    expect(mediator.locator(".status")).to_contain_text("meets every term")

    # Back to the real solver (the watched seed made the solves above slow on purpose).
    mediator.goto(case_path + "/terms")
    type_into(mediator, mediator.get_by_label("Random seed"), "0")
    activate(mediator, mediator.get_by_role("button", name="Save the terms"))
    expect(
        mediator.locator(".message.success").filter(has_text="The terms were saved")
    ).to_be_focused()

    # Screen 6: two variants beside the terms as agreed.
    mediator.goto(case_path + "/scenarios")
    type_into(mediator, mediator.get_by_label("Name of the variant").nth(0), "floor 1,100")
    type_into(mediator, mediator.get_by_label("Floor (at least per side)").nth(0), "1100")
    type_into(mediator, mediator.get_by_label("Stage capacities").nth(0), "400, 400, 300")
    type_into(mediator, mediator.get_by_label("Name of the variant").nth(1), "art. 109")
    tab_to(mediator, mediator.get_by_label("Released on top, outside parity").nth(1))
    mediator.keyboard.press("ArrowDown")
    mediator.keyboard.press("ArrowDown")  # Seriously ill
    type_into(mediator, mediator.get_by_label("Stage capacities").nth(1), "-")
    activate(mediator, mediator.get_by_role("button", name="Compare the variants"))
    results = mediator.locator("#scenario-results .table-scroll")
    expect(results).to_be_focused(timeout=30_000)
    expect(mediator.locator("#announcer")).to_contain_text("3 variants compared")
    check_screen(mediator, "16-scenarios", results)

    # Screen 7: a draft with one person of side A left out of stage 1.
    stored = mediator_context.request.get(plan_path + "/plan.json").json()
    stages = stored["stages"]
    dropped = stages[0]["side_a"].pop()
    released = {
        "side_a": [i for i in stored["released"]["side_a"] if i != dropped],
        "side_b": stored["released"]["side_b"],
    }
    draft = tmp_path / "draft.json"
    draft.write_text(json.dumps({"released": released, "stages": stages}))
    mediator.goto(case_path + "/verify")
    upload_with_keyboard(mediator, "The draft (JSON)", draft, "Check the draft")
    report = mediator.locator("#verify-report")
    expect(report).to_contain_text("The draft breaks the terms")
    check_screen(mediator, "17-verify", report)

    # Screen 9: the files, and the audit trail checked end to end.
    mediator.goto(case_path + "/downloads")
    activate(mediator, mediator.get_by_role("button", name="Check the whole chain"))
    intact = mediator.locator("#audit-chain .message")
    expect(intact).to_be_focused()
    expect(intact).to_contain_text("The chain is intact")
    check_screen(mediator, "18-downloads-audit")

    # Party A reads the published plan: its own reasons only.
    party.goto(case_path)
    activate(party, party.get_by_role("link", name="Read the plan"))
    party.wait_for_url(re.compile(r"/published"))
    expect(party.get_by_role("heading", name="Who is released, stage by stage")).to_be_visible()
    expect(party.get_by_text("Only your own side's people are listed here.")).to_be_visible()
    expect(party.locator("#not-released")).not_to_contain_text("Side B")
    check_screen(party, "13-party-published-plan")

    # And another case's pages are nothing to it.
    other = mediator_context.request.post(
        "/v1/cases", headers={"X-API-Key": MEDIATOR_TOKEN}
    ).json()["id"]
    for path in (f"/cases/{other}", f"/cases/{other}/lists/side_a", f"{case_path}/lists/side_b"):
        answer = party.goto(path)
        assert answer is not None
        assert answer.status == 404
        expect(party.get_by_role("heading", name="Not found")).to_be_visible()
    check_screen(party, "14-party-not-found")
    expect(party.locator("body")).not_to_contain_text(other)

    # Everything the browsers loaded came from the service.
    assert visits.urls
    assert visits.outside(live.base_url) == []


def test_api_docs_load_without_the_internet(
    browser_for: NewContext, live: LiveServer, visits: Visits
) -> None:
    page = browser_for().new_page()
    page.goto("/docs")
    expect(page.locator(".swagger-ui .info")).to_be_visible(timeout=20_000)
    screenshot(page, "15-api-docs")
    page.goto("/redoc")
    expect(page.locator("redoc .api-info, [role='navigation'], .menu-content").first).to_be_visible(
        timeout=20_000
    )
    # ReDoc always asks for its makers' logo from their CDN: the page's policy stops it
    # inside the browser, so it never goes out.
    assert visits.outside(live.base_url) == []
