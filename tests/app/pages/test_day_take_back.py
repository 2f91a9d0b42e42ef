"""Screen 8 over HTTP: taking back the last event from the day's page, through the
confirmation step (a form, no script dialog), with htmx and without, CSRF like every
form; refused for any event but the last; never for a party.

An executed stage fills the service-wide registry, so the test runs on a service of its
own (as `test_day.py` does).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.app.conftest import MakeClient
from tests.app.negotiation import Negotiation, open_negotiation
from tests.app.pages.signing_in import csrf_of, signed_in

HTMX = {"HX-Request": "true"}


@pytest.fixture
def opened(make_client: MakeClient) -> Iterator[tuple[TestClient, Negotiation, str]]:
    """A case with a published plan (open access on loopback), and the CSRF token."""
    with make_client(worker_count=1) as service:
        case = open_negotiation(service, mediator={})
        yield service, case, csrf_of(service.get("/").text)


def in_force(service: TestClient, case: Negotiation) -> list[int]:
    return [e["seq"] for e in service.get(f"{case.path}/events").json()["items"]]


def registry_size(service: TestClient, case: Negotiation) -> int:
    return int(service.get(f"/v1/registry?case_id={case.case_id}").json()["total"])


def test_take_back_the_last_event_from_the_page(
    opened: tuple[TestClient, Negotiation, str],
) -> None:
    service, case, token = opened
    day = f"/cases/{case.case_id}/day"
    assert "Take back the last event" not in service.get(day).text  # nothing recorded yet

    def record(**fields: str) -> None:
        answer = service.post(
            f"{day}/events", data={"csrf_token": token, **fields}, follow_redirects=False
        )
        assert answer.status_code == 303, answer.text

    record(type="stage_executed", number="1", crossed_side_a="A-102 A-103", crossed_side_b="B-202")
    record(type="dropout", side="side_b", id="B-205", reason="unfit_to_travel")
    page = service.get(day).text
    assert "Take back the last event (No. 2)" in page

    # The button asks first (htmx: the working part, the focus on the question).
    asked = service.get(f"{day}/take-back?seq=2", headers=HTMX)
    assert asked.status_code == 200
    assert asked.text.startswith('<div id="day-work">')
    confirm = re.search(r'<section [^>]*id="take-back-confirm"[^>]*>', asked.text)
    assert confirm is not None
    assert "data-focus" in confirm.group(0)
    assert 'data-announce="Take back event 2?"' in confirm.group(0)
    assert "Dropped out: Side B, B-205." in asked.text
    assert f'action="{day}/events/2/take-back"' in asked.text
    assert in_force(service, case) == [1, 2]  # asking changes nothing

    # Without its CSRF token the form is refused, and nothing changes.
    forged = service.post(f"{day}/events/2/take-back", data={}, follow_redirects=False)
    assert forged.status_code == 403
    # Not the last event: refused in words, nothing changes.
    older = service.post(
        f"{day}/events/1/take-back", data={"csrf_token": token}, follow_redirects=False
    )
    assert older.status_code == 409
    assert "Nothing was taken back: only the last event can be, and it is now event 2." in (
        older.text
    )
    # Through htmx too, in the live region (htmx swaps no 409: the refusal is a 200).
    older = service.post(f"{day}/events/1/take-back", data={"csrf_token": token}, headers=HTMX)
    assert older.status_code == 200
    assert older.text.startswith('<div id="day-work">')
    assert re.search(
        r'role="alert" tabindex="-1" data-focus data-announce="Nothing was', older.text
    )
    assert in_force(service, case) == [1, 2]
    assert registry_size(service, case) == 3

    # Confirmed through htmx: the result in the live region, the next one offered.
    taken = service.post(f"{day}/events/2/take-back", data={"csrf_token": token}, headers=HTMX)
    assert taken.status_code == 200, taken.text
    assert re.search(
        r'role="status" tabindex="-1" data-focus data-announce="Event 2 taken back."', taken.text
    )
    assert "Take back the last event (No. 1)" in taken.text
    assert in_force(service, case) == [1]

    # "No, keep it" leaves everything as it was, the focus back on the button.
    kept = service.get(f"{day}/take-back", headers=HTMX)
    assert re.search(r'id="take-back-button"[^>]*data-focus', kept.text)
    assert in_force(service, case) == [1]

    # Without htmx: the confirmation is a page of its own, then back to the day's page.
    assert "Take back event 1?" in service.get(f"{day}/take-back?seq=1").text
    done = service.post(
        f"{day}/events/1/take-back", data={"csrf_token": token}, follow_redirects=False
    )
    assert done.status_code == 303
    assert done.headers["location"].endswith("/day?taken_back=1#events")
    assert "Event 1 taken back." in service.get(done.headers["location"]).text
    assert in_force(service, case) == []
    assert registry_size(service, case) == 0
    # The stage's form is offered again, and the trail says what was taken back.
    assert "Record stage 1 as executed" in service.get(day).text
    audit = service.get(f"/v1/audit?case_id={case.case_id}").json()["items"]
    assert [e["object_id"] for e in audit if e["action"] == "event_take_back"] == [
        "event-2:dropout",
        "event-1:stage_executed",
    ]


def test_a_party_cannot_take_back_from_the_page(
    opened: tuple[TestClient, Negotiation, str],
) -> None:
    service, case, _ = opened
    refused = {"type": "dropout", "side": "side_a", "id": "A-104", "reason": "refused"}
    service.post(f"{case.path}/events", json={"events": [refused]})
    party, token = signed_in(service, case.side_a["X-API-Key"])
    day = f"/cases/{case.case_id}/day"
    assert "Take back" not in party.get(day).text
    assert party.get(f"{day}/take-back?seq=1").status_code == 404
    answer: httpx.Response = party.post(
        f"{day}/events/1/take-back", data={"csrf_token": token}, follow_redirects=False
    )
    assert answer.status_code == 404
    assert in_force(service, case) == [1]


def test_a_take_back_the_published_plan_needs_is_refused_in_words(
    opened: tuple[TestClient, Negotiation, str],
) -> None:
    service, case, token = opened
    day = f"/cases/{case.case_id}/day"
    service.post(f"{case.path}/events", json={"events": [{"type": "stage_executed", "number": 1}]})
    repaired = service.post(f"{case.path}/repair").json()
    assert service.post(f"{case.path}/publish", json={"plan_id": repaired["id"]}).is_success
    refused = service.post(
        f"{day}/events/1/take-back", data={"csrf_token": token}, follow_redirects=False
    )
    assert refused.status_code == 409
    assert (
        "Nothing was taken back: the published plan was repaired with event 1 and cannot "
        "stand without it. Publish the plan made before that repair"
    ) in refused.text
    assert in_force(service, case) == [1]


@pytest.mark.parametrize(
    "query", ["?taken_back=\u00b2", "/take-back?seq=\u00b2", "?recorded=\u00b2", "?recorded=\u0663"]
)
def test_digits_that_are_not_ascii_are_no_number(
    opened: tuple[TestClient, Negotiation, str], query: str
) -> None:
    """`"²".isdigit()` holds but `int("²")` raises: such a query is no number, not a 500."""
    service, case, _ = opened
    answer = service.get(f"/cases/{case.case_id}/day{query}")
    assert answer.status_code == 200, answer.text


def test_a_stage_number_in_other_digits_is_a_form_error(
    opened: tuple[TestClient, Negotiation, str],
) -> None:
    service, case, token = opened
    answer = service.post(
        f"/cases/{case.case_id}/day/events",
        data={"csrf_token": token, "type": "stage_executed", "number": "\u00b2"},
        follow_redirects=False,
    )
    assert answer.status_code == 422, answer.text
    assert in_force(service, case) == []
