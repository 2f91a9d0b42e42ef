"""The day of the exchange in a real browser, with the keyboard only.

On the teaching example's published plan, the mediator records what happened (stage 1,
where side B's B-206 did not come; A-109 refusing; B-212 listed late), repairs the plan,
reads the changes stage by stage, chooses an alternative, publishes it, and downloads a
manifest that marks the executed stage; then reads the registry, and a party reads its
own side of the day. Every screen is checked with axe-core and photographed; no request
leaves for another host.
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import APIRequestContext, BrowserContext, expect

from tests.app.live_server import ROOT, LiveServer
from tests.app.negotiation import MEDIATOR_TOKEN
from tests.app.pages.browser.conftest import Visits, serious_violations
from tests.app.pages.browser.keyboard import activate, check_screen, sign_in, tab_to, type_into

TEACHING = json.loads((ROOT / "examples" / "teaching.json").read_text())
MEDIATOR = {"X-API-Key": MEDIATOR_TOKEN}

NewContext = Callable[[], BrowserContext]


def published_teaching_case(api: APIRequestContext) -> tuple[str, str]:
    """A case with the teaching lists and terms, solved and published (through the API):
    its id, and a key for side A."""
    case_id = api.post("/v1/cases", headers=MEDIATOR).json()["id"]
    path = f"/v1/cases/{case_id}"
    for side in ("side_a", "side_b"):
        assert api.put(f"{path}/lists/{side}", headers=MEDIATOR, data=TEACHING[side]).ok
    terms = {"terms": TEACHING["terms"], "options": TEACHING.get("options", {})}
    assert api.put(f"{path}/terms", headers=MEDIATOR, data=terms).ok
    job_id = api.post(f"{path}/solve", headers=MEDIATOR).json()["id"]
    deadline = time.monotonic() + 30
    while (job := api.get(f"/v1/jobs/{job_id}", headers=MEDIATOR).json())["plan_id"] is None:
        assert time.monotonic() < deadline, job
        time.sleep(0.1)
    published = api.post(f"{path}/publish", headers=MEDIATOR, data={"plan_id": job["plan_id"]})
    assert published.ok
    key = api.post(f"{path}/keys", headers=MEDIATOR, data={"role": "side_a"}).json()["token"]
    return case_id, key


@pytest.mark.usefixtures("live")
def test_the_day_of_the_exchange_with_the_keyboard(
    browser_for: NewContext, live: LiveServer, visits: Visits
) -> None:
    context = browser_for()
    case_id, side_a_key = published_teaching_case(context.request)
    day_path = f"/cases/{case_id}/day"
    mediator = context.new_page()
    sign_in(mediator, MEDIATOR_TOKEN, screen=None)
    mediator.goto(day_path)

    # Stage 1: the form holds who was agreed; B-206 did not come, so side B's is edited.
    crossed_b = mediator.get_by_label("Who crossed from Side B")
    expect(crossed_b).to_have_value("B-201\nB-203\nB-205\nB-206")
    check_screen(mediator, "19-day")
    type_into(mediator, crossed_b, "B-201\nB-203\nB-205")
    activate(mediator, mediator.get_by_role("button", name="Record stage 1 as executed"))
    recorded = mediator.locator("#day-work .message.success")
    expect(recorded).to_be_focused()
    expect(mediator.locator("#announcer")).to_have_text("Event 1 recorded.")

    # A-109 refuses at the crossing.
    tab_to(mediator, mediator.locator("#dropout-side"))
    mediator.keyboard.press("Home")  # Side A
    type_into(mediator, mediator.locator("#dropout-id"), "A-109")
    tab_to(mediator, mediator.locator("#dropout-reason"))
    mediator.keyboard.press("Home")  # Refused at the crossing
    activate(mediator, mediator.get_by_role("button", name="Record the dropout"))
    expect(mediator.locator("#announcer")).to_have_text("Event 2 recorded.")
    expect(recorded).to_be_focused()

    # A wrong id is refused beside its field, the focus on what is wrong.
    # A form folded away opens with Enter on its summary.
    activate(mediator, mediator.locator("summary", has_text="Someone's facts change"))
    tab_to(mediator, mediator.locator("#update-id"))
    mediator.keyboard.type("B-999")
    tab_to(mediator, mediator.locator("#update-seriously_ill"))
    mediator.keyboard.press("ArrowDown")  # Yes
    activate(mediator, mediator.get_by_role("button", name="Record the change"))
    problems = mediator.locator("#day-work .problems")
    expect(problems).to_be_focused()
    expect(problems).to_contain_text("B-999")
    expect(mediator.locator("#update-id")).to_have_attribute("aria-invalid", "true")

    # B-212, 23 years old, is listed late by side B.
    activate(mediator, mediator.locator("summary", has_text="Someone is listed late"))
    tab_to(mediator, mediator.locator("#add-side"))
    mediator.keyboard.press("End")  # Side B
    type_into(mediator, mediator.locator("#add-id"), "B-212")
    type_into(mediator, mediator.locator("#add-age"), "twenty-three")
    activate(mediator, mediator.get_by_role("button", name="Record the new person"))
    slip = mediator.locator("#day-work .message.error")
    expect(slip).to_be_focused()
    expect(slip).to_contain_text("Write a whole number, such as 40.")
    expect(mediator.locator("#add-id")).to_have_value("B-212")  # the form is kept
    type_into(mediator, mediator.locator("#add-age"), "23")
    tab_to(mediator, mediator.locator("#add-captured_on"))
    mediator.keyboard.type("05012024")
    activate(mediator, mediator.get_by_role("button", name="Record the new person"))
    expect(mediator.locator("#announcer")).to_have_text("Event 3 recorded.")
    events = mediator.get_by_role("table", name="Events recorded, in order")
    expect(events.locator("tbody tr")).to_have_count(3)
    expect(events).to_contain_text("Side B handed over 3")
    check_screen(mediator, "20-day-events", mediator.locator("#events"))

    # A slip: B-212 marked seriously ill by mistake, then taken back after a confirmation.
    slip_event = {
        "type": "update",
        "side": "side_b",
        "id": "B-212",
        "fields": {"seriously_ill": True},
    }
    assert context.request.post(
        f"/v1/cases/{case_id}/events", headers=MEDIATOR, data={"events": [slip_event]}
    ).ok
    mediator.goto(day_path)
    take_back = mediator.get_by_role("button", name="Take back the last event (No. 4)")
    activate(mediator, take_back)
    expect(mediator.locator("#take-back-confirm")).to_be_focused()
    expect(mediator.locator("#announcer")).to_have_text("Take back event 4?")
    assert serious_violations(mediator) == []
    activate(mediator, mediator.get_by_role("button", name="No, keep it"))
    expect(take_back).to_be_focused()
    activate(mediator, take_back)
    activate(mediator, mediator.get_by_role("button", name="Yes, take back event 4"))
    expect(mediator.locator("#take-back .message.success")).to_be_focused()
    expect(mediator.locator("#announcer")).to_have_text("Event 4 taken back.")
    expect(events.locator("tbody tr")).to_have_count(3)

    # The repair, and what it changes stage by stage.
    with mediator.expect_navigation():
        activate(mediator, mediator.get_by_role("button", name="Repair the plan"))
    expect(mediator).to_have_url(re.compile(r"/day/repairs/[0-9a-f-]+$"))
    review_path = mediator.url.removeprefix(live.base_url)
    changes = mediator.get_by_role("table", name="Who changes, stage by stage")
    for stage, person, change in (
        ("Stage 1 (executed)", "B-206", "Moved from here to stage 2"),
        ("Stage 2", "A-111", "Added"),
        ("Stage 2", "B-212", "Added"),
        ("Stage 2", "B-210", "Removed: no longer released"),
        ("Stage 2", "B-206", "Moved here from stage 1"),
    ):
        row = changes.get_by_role("row", name=f"{stage} Side {person[0]} {person} {change}")
        expect(row).to_have_count(1)
    expect(changes.locator("tbody tr")).to_have_count(5)
    expect(mediator.locator(".chart img")).to_be_visible()
    check_screen(mediator, "21-repair-changes", changes)
    options = mediator.get_by_role("table", name="Alternatives, best first")
    expect(options.get_by_role("row", name=re.compile("^Option 2"))).to_contain_text(
        "Behind at Days in captivity of those released"
    )
    check_screen(mediator, "22-repair-options", mediator.locator("#options-heading"))

    # The mediator prefers the second alternative, and publishes it.
    with mediator.expect_navigation():
        activate(mediator, mediator.get_by_role("button", name="Choose option 2"))
    expect(mediator.locator(".status")).to_contain_text("Option 2 of the repair")
    with mediator.expect_navigation():
        activate(
            mediator,
            mediator.get_by_role("button", name="Publish this repaired plan to both parties"),
        )
    published = mediator.locator(".message.success")
    expect(published).to_contain_text("Published as version 2")
    expect(published).to_be_focused()
    with mediator.expect_download() as download:
        activate(mediator, mediator.get_by_role("link", name="Handover manifest (CSV)"))
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {row["executed"] for row in rows if row["stage"] == "1"} == {"yes"}
    assert {row["executed"] for row in rows if row["stage"] == "2"} == {"no"}
    assert any(row["side_b_id"] == "B-212" and row["side_b_change"] == "added" for row in rows)

    # The registry, from the top navigation, filtered to side B.
    with mediator.expect_navigation():
        activate(mediator, mediator.get_by_role("link", name="Registry of people handed over"))
    tab_to(mediator, mediator.get_by_label("Side", exact=True))
    mediator.keyboard.press("End")  # Side B
    entries = mediator.locator("#registry-entries")
    expect(entries).to_contain_text("Showing 1 to 3 of 3.")
    expect(mediator.locator("#announcer")).to_have_text("Showing 1 to 3 of 3.")
    check_screen(mediator, "23-registry")

    # Party A sees its own side of the day, and nothing of the mediator's.
    party = browser_for().new_page()
    sign_in(party, side_a_key, screen=None)
    with party.expect_navigation():
        activate(party, party.get_by_role("link", name="Day of the exchange"))
    party_events = party.get_by_role("table", name="Events recorded, in order")
    expect(party_events.locator("tbody tr")).to_have_count(2)  # stage 1, A-109
    expect(party_events).not_to_contain_text("B-212")
    expect(party.get_by_role("link", name="Version 2")).to_be_visible()
    check_screen(party, "24-party-day")
    answer = party.goto(review_path)
    assert answer is not None
    assert answer.status == 404

    assert visits.outside(live.base_url) == []
