"""Screen 8 over HTTP: the day of the exchange on a published plan, the repaired draft's
review, choosing an alternative, publishing it, the numbered versions, a party's view,
and the registry page; each through the same code as `/v1/cases/{id}/...`.

Executed stages fill the service-wide registry, so each test runs on a service of its
own (as `tests/app/api/routes/test_case_day.py` does).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.app.conftest import MakeClient, running_client, settings_for
from tests.app.negotiation import Negotiation, open_negotiation
from tests.app.pages.signing_in import csrf_of, signed_in

DROPOUT = {"type": "dropout", "side": "side_b", "id": "B-205", "reason": "unfit_to_travel"}


@dataclass
class Day:
    service: TestClient
    case: Negotiation
    token: str  # the open-access browser's CSRF token

    @property
    def path(self) -> str:
        return f"/cases/{self.case.case_id}"


@pytest.fixture
def day(make_client: MakeClient) -> Iterator[Day]:
    """A case with a published plan (open access on loopback, a key for each party), on
    a service of its own: for tests that execute a stage."""
    with make_client(worker_count=1) as service:
        case = open_negotiation(service, mediator={})
        token = csrf_of(service.get("/").text)
        yield Day(service, case, token)


@pytest.fixture(scope="module")
def open_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One service (open on loopback) for the tests that execute no stage."""
    with running_client(settings_for(tmp_path_factory.mktemp("day"), worker_count=1)) as service:
        yield service


@pytest.fixture
def quiet_day(open_service: TestClient) -> Day:
    """A case of its own with a published plan, on the shared service: no stage may be
    executed on it (the registry is service-wide)."""
    case = open_negotiation(open_service, mediator={})
    return Day(open_service, case, csrf_of(open_service.get("/").text))


def record(day: Day, **fields: str) -> httpx.Response:
    answer: httpx.Response = day.service.post(
        f"{day.path}/day/events",
        data={"csrf_token": day.token, **fields},
        follow_redirects=False,
    )
    return answer


def repair(day: Day, **fields: str) -> str:
    """Repair through the form; the review page's path."""
    answer = day.service.post(
        f"{day.path}/day/repair",
        data={"csrf_token": day.token, "policy": "priorities_first", **fields},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    location: str = answer.headers["location"]
    return location


def test_the_day_from_published_plan_to_a_published_repair(day: Day) -> None:
    service = day.service
    page = service.get(f"{day.path}/day")
    assert page.status_code == 200
    # The next stage's form holds who is to cross, as the events' own check says.
    stage_form = re.search(r'name="crossed_side_a"[^>]*>([^<]*)</textarea>', page.text)
    assert stage_form is not None
    assert stage_form.group(1).split() == ["A-102", "A-103"]
    assert "Record stage 1 as executed" in page.text

    # Stage 1 as agreed (the form's ids sent back), then B-205 cannot travel.
    stage = record(
        day,
        type="stage_executed",
        number="1",
        crossed_side_a="A-102\nA-103",
        crossed_side_b="B-202, B-203",
    )
    assert stage.status_code == 303
    assert stage.headers["location"].endswith("/day?recorded=1#events")
    # Through htmx: the working part of the page, the stage now marked executed.
    dropout = service.post(
        f"{day.path}/day/events",
        data={
            "csrf_token": day.token,
            "type": "dropout",
            "side": "side_b",
            "id": "B-205",
            "reason": "unfit_to_travel",
        },
        headers={"HX-Request": "true"},
    )
    assert dropout.status_code == 200
    assert dropout.text.startswith('<div id="day-work">')
    assert re.search(r"Stage 1</th>\s*<td>Executed</td>", dropout.text)
    events = service.get(f"/v1/cases/{day.case.case_id}/events").json()["items"]
    assert [e["event"] for e in events] == [
        {
            "type": "stage_executed",
            "number": 1,
            "handed_over": {"side_a": ["A-102", "A-103"], "side_b": ["B-202", "B-203"]},
        },
        DROPOUT,
    ]
    page = service.get(f"{day.path}/day?recorded=2").text
    assert "Event 2 recorded." in page
    assert "Stage 1 executed" in page
    assert "Unfit to travel" in page
    assert "Record stage 2 as executed" in page

    # The repair's review: what changed stage by stage, executed stage marked, the chart,
    # and the alternatives to choose from.
    review_path = repair(day, options="3")
    review = service.get(review_path)
    assert review.status_code == 200
    repaired_id = review_path.rsplit("/", 1)[1]
    stored = service.get(f"/v1/plans/{repaired_id}").json()
    for change in stored["changes"]["added"]:
        assert re.search(rf"<th scope=\"row\">{change['id']}</th>\s*<td>Added</td>", review.text)
    for moved in stored["changes"]["moved"]:
        assert f"Moved here from stage {moved['from']}" in review.text
        assert f"Moved from here to stage {moved['to']}" in review.text
    assert 'class="executed"' in review.text
    assert f"/plans/{repaired_id}/chart.svg" in review.text
    assert len(stored["options"]) >= 2
    assert "Choose option 2" in review.text
    assert "Publish this repaired plan to both parties" in review.text

    # Choosing the second alternative makes another draft, which is that option.
    chosen_path = repair(day, options="3", choose="2")
    chosen_id = chosen_path.rsplit("/", 1)[1]
    chosen = service.get(f"/v1/plans/{chosen_id}").json()
    assert chosen["stages"] == stored["options"][1]["stages"]
    assert "Option 2 of the repair, chosen by the mediator" in service.get(chosen_path).text
    chosen_page = service.get(f"{day.path}/plans/{chosen_id}").text
    assert "Option 2 of the repair, chosen by the mediator" in chosen_page

    # Publishing the best repair makes it version 2; version 1 stays readable.
    published = service.post(
        f"{review_path}/publish", data={"csrf_token": day.token}, follow_redirects=False
    )
    assert published.status_code == 303
    after = service.get(published.headers["location"]).text
    assert "Published as version 2" in after
    assert service.get(f"/v1/cases/{day.case.case_id}/plan").json()["id"] == repaired_id
    first = service.get(f"{day.path}/versions/1", follow_redirects=False)
    assert first.status_code == 303
    assert first.headers["location"].endswith(f"/plans/{day.case.plan_id}")
    page = service.get(f"{day.path}/day").text
    assert "Version 2, published" in page
    assert "Version 1, since replaced" in service.get(first.headers["location"]).text

    # The plan page of a repaired plan marks the executed stage and names dropouts.
    plan_page = service.get(f"{day.path}/plans/{repaired_id}", params={"nr_reason": "dropout"})
    assert plan_page.status_code == 200
    assert "(executed)" in plan_page.text
    assert "Unfit to travel" in plan_page.text
    # Its manifest marks the executed stage.
    manifest = service.get(f"{day.path}/plans/{repaired_id}/manifest.csv").text
    rows = list(csv.DictReader(io.StringIO(manifest.lstrip("\ufeff"))))
    assert {row["executed"] for row in rows if row["stage"] == "1"} == {"yes"}

    # Everything went through the same audited code as the API.
    actions = [e["action"] for e in service.get("/v1/audit").json()["items"]]
    assert actions.count("event_record") == 2
    assert actions.count("repair") == 2
    assert "publish" in actions


def test_a_wrong_event_is_shown_beside_its_field_and_nothing_is_recorded(quiet_day: Day) -> None:
    day = quiet_day
    unknown = record(day, type="dropout", side="side_a", id="A-999", reason="refused")
    assert unknown.status_code == 422
    text = unknown.text
    assert 'class="problems"' in text
    assert re.search(r'id="dropout-id"[^>]*aria-invalid="true"', text)
    assert 'value="A-999"' in text  # what was typed stays in the form

    not_a_number = record(day, type="add", side="side_b", id="B-300", age="forty")
    assert not_a_number.status_code == 422
    assert "Write a whole number, such as 40." in not_a_number.text
    assert re.search(r'role="alert"[^>]*data-focus[^>]*>\s*<p>Problems to fix', not_a_number.text)
    assert 'href="#add-age"' in not_a_number.text
    nothing = record(day, type="update", side="side_a", id="A-102")
    assert "Change at least one fact." in nothing.text
    out_of_order = record(
        day, type="stage_executed", number="2", crossed_side_a="", crossed_side_b=""
    )
    assert out_of_order.status_code == 422
    assert day.service.get(f"/v1/cases/{day.case.case_id}/events").json()["items"] == []

    # Through htmx, the working part of the page comes back, the problems in it.
    swapped = day.service.post(
        f"{day.path}/day/events",
        data={"csrf_token": day.token, "type": "dropout", "side": "side_a", "id": "A-999"},
        headers={"HX-Request": "true"},
    )
    assert swapped.status_code == 422
    assert swapped.text.startswith('<div id="day-work">')
    recorded = day.service.post(
        f"{day.path}/day/events",
        data={
            "csrf_token": day.token,
            "type": "update",
            "side": "side_a",
            "id": "A-104",
            "seriously_ill": "yes",
            "age": "40",
        },
        headers={"HX-Request": "true"},
    )
    assert recorded.status_code == 200
    assert 'data-announce="Event 1 recorded."' in recorded.text
    (update,) = day.service.get(f"/v1/cases/{day.case.case_id}/events").json()["items"]
    assert update["event"] == {
        "type": "update",
        "side": "side_a",
        "id": "A-104",
        "fields": {"age": 40, "seriously_ill": True},
    }


def test_a_repair_that_cannot_meet_the_terms_says_why_and_cannot_be_published(
    quiet_day: Day,
) -> None:
    day = quiet_day
    # Side A can release only, and the floor is 3.
    for person in ("A-101", "A-106"):
        answer = record(day, type="dropout", side="side_a", id=person, reason="deceased")
        assert answer.status_code == 303
    review = day.service.get(repair(day, options="2"))
    assert review.status_code == 200
    assert "Terms that cannot all hold together" in review.text
    assert "Floor (at least per side)" in review.text
    assert "Publish this repaired plan" not in review.text
    assert "What changed, stage by stage" not in review.text


def test_an_added_person_with_every_fact(quiet_day: Day) -> None:
    day = quiet_day
    added = record(
        day,
        type="add",
        side="side_b",
        id="B-300",
        name="Synthetic Person",
        status="civilian",
        age="23",
        captured_on="2024-05-01",
        group="",
        seriously_ill="yes",
        consents="yes",
        eligible="yes",
    )
    assert added.status_code == 303
    (event,) = day.service.get(f"/v1/cases/{day.case.case_id}/events").json()["items"]
    assert event["event"]["detainee"] == {
        "id": "B-300",
        "name": "Synthetic Person",
        "status": "civilian",
        "age": 23,
        "captured_on": "2024-05-01",
        "seriously_ill": True,
        "consents": True,
        "eligible": True,
        "requested": False,
    }


def test_a_party_sees_its_own_side_of_the_day_and_nothing_more(day: Day) -> None:
    service = day.service
    # Side B handed over one person fewer than agreed: B-203 did not come.
    record(
        day,
        type="stage_executed",
        number="1",
        crossed_side_a="A-102 A-103",
        crossed_side_b="B-202",
    )
    record(day, type="dropout", side="side_b", id="B-205", reason="unfit_to_travel", detail="fever")
    review_path = repair(day)
    service.post(f"{review_path}/publish", data={"csrf_token": day.token})

    party_a, token_a = signed_in(service, day.case.side_a["X-API-Key"])
    page = party_a.get(f"{day.path}/day")
    assert page.status_code == 200
    assert "Stage 1 executed" in page.text
    assert "Side A handed over 2" in page.text
    assert "Side B handed over" not in page.text  # the other side's people
    assert "B-205" not in page.text
    assert "fever" not in page.text
    assert "Record an event" not in page.text
    assert "Version 2" in page.text
    # Both published versions, in the party's view (its own reasons only).
    for version in (1, 2):
        read = party_a.get(f"{day.path}/versions/{version}")
        assert read.status_code == 200
        assert "Who is released, stage by stage" in read.text
    assert party_a.get(f"{day.path}/versions/3").status_code == 404
    published = party_a.get(f"{day.path}/published")
    assert published.status_code == 200
    assert "(executed)" not in published.text  # no figures for a party, as before
    party_b, _ = signed_in(service, day.case.side_b["X-API-Key"])
    seen_by_b = party_b.get(f"{day.path}/day").text
    assert "B-205" in seen_by_b
    assert "fever" in seen_by_b

    # The mediator's pages and actions are 404 to a party (its forms too, with a token).
    repair_id = review_path.rsplit("/", 1)[1]
    for path in (f"{day.path}/day/repairs/{repair_id}", "/registry", "/registry.csv"):
        assert party_a.get(path).status_code == 404, path
    for path, form in (
        (
            f"{day.path}/day/events",
            {"type": "dropout", "side": "side_a", "id": "A-101", "reason": "refused"},
        ),
        (f"{day.path}/day/repair", {"policy": "priorities_first"}),
        (f"{day.path}/day/repairs/{repair_id}/publish", {}),
    ):
        assert party_a.post(path, data={"csrf_token": token_a, **form}).status_code == 404, path
    other = service.post("/v1/cases").json()["id"]
    assert party_a.get(f"/cases/{other}/day").status_code == 404
    assert len(service.get(f"/v1/cases/{day.case.case_id}/events").json()["items"]) == 2


def test_the_day_needs_a_published_plan_and_every_change_a_csrf_token(
    open_service: TestClient,
) -> None:
    service = open_service
    case = open_negotiation(service, mediator={}, publish=False)
    token = csrf_of(service.get("/").text)
    path = f"/cases/{case.case_id}/day"
    page = service.get(path)
    assert page.status_code == 200
    assert "Nothing is published yet" in page.text
    assert "Record an event" not in page.text
    refused = service.post(
        f"{path}/events",
        data={
            "csrf_token": token,
            "type": "dropout",
            "side": "side_a",
            "id": "A-101",
            "reason": "refused",
        },
    )
    assert refused.status_code == 409
    assert (
        service.post(
            f"{path}/repair", data={"csrf_token": token, "policy": "priorities_first"}
        ).status_code
        == 409
    )

    service.post(f"/v1/cases/{case.case_id}/publish", json={"plan_id": case.plan_id})
    form = {"type": "dropout", "side": "side_a", "id": "A-101", "reason": "refused"}
    assert service.post(f"{path}/events", data=form).status_code == 403
    cross_site = service.post(
        f"{path}/events",
        data={"csrf_token": token, **form},
        headers={"Origin": "http://evil.example"},
    )
    assert cross_site.status_code == 403
    assert service.post(f"{path}/repair", data={"policy": "priorities_first"}).status_code == 403
    assert service.get(f"/v1/cases/{case.case_id}/events").json()["items"] == []


def test_the_registry_page_filters_pages_and_downloads(
    day: Day, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = day.service
    record(
        day,
        type="stage_executed",
        number="1",
        crossed_side_a="A-102 A-103",
        crossed_side_b="B-202 B-203",
    )
    home = service.get("/").text
    assert 'href="/registry"' in home  # in the top navigation
    page = service.get("/registry")
    assert page.status_code == 200
    assert "Showing 1 to 4 of 4." in page.text
    only_b = service.get("/registry", params={"side": "side_b", "case_id": day.case.case_id})
    assert "Showing 1 to 2 of 2." in only_b.text
    assert "A-102" not in only_b.text
    assert "registry.csv?case_id=" in only_b.text
    fragment = service.get(
        "/registry",
        params={"side": "side_a"},
        headers={"HX-Request": "true", "HX-Target": "registry-entries"},
    )
    assert fragment.text.startswith('<div id="registry-entries"')
    assert 'data-announce="Showing 1 to 2 of 2."' in fragment.text
    nobody = service.get("/registry", params={"case_id": "no-such-case"}).text
    assert "Nobody matches." in nobody

    monkeypatch.setattr("app.pages.registry.ENTRIES_PER_PAGE", 3)
    second = service.get("/registry", params={"page": "2"}).text
    assert "Showing 4 to 4 of 4." in second
    assert "Previous page" in second

    download = service.get("/registry.csv", params={"side": "side_a"})
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(download.text.lstrip("\ufeff"))))
    assert rows[0] == ["side", "id", "case_id", "stage", "handed_over_at", "event_seq"]
    assert [(r[0], r[1]) for r in rows[1:]] == [("side_a", "A-102"), ("side_a", "A-103")]
    assert download.content == service.get("/v1/registry.csv", params={"side": "side_a"}).content
    reads = [e for e in service.get("/v1/audit").json()["items"] if e["action"] == "registry_read"]
    assert len(reads) >= 5
