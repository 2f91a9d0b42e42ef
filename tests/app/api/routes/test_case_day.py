"""The day of the exchange on a case: events recorded against the published plan, the
repaired draft, numbered publications, the registry, and who sees what.

The registry is service-wide, and every test case here lists the same synthetic people:
each test runs on a service of its own, so that the people it hands over stay
releasable for the other tests' cases.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.app.conftest import running_client, settings_for
from tests.app.negotiation import (
    MEDIATOR,
    MEDIATOR_TOKEN,
    Negotiation,
    open_negotiation,
    poll_job,
)


@pytest.fixture
def service(tmp_path: Path) -> Iterator[TestClient]:
    settings = settings_for(tmp_path, worker_count=1, bootstrap_mediator_key=MEDIATOR_TOKEN)
    with running_client(settings) as client:
        yield client


STAGE_1 = {"type": "stage_executed", "number": 1}
B_205_UNFIT = {"type": "dropout", "side": "side_b", "id": "B-205", "reason": "unfit_to_travel"}


def events_of(
    client: TestClient, case: Negotiation, headers: dict[str, str]
) -> list[dict[str, Any]]:
    response = client.get(f"{case.path}/events", headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def test_the_day_of_an_exchange_on_a_case(service: TestClient) -> None:
    case = open_negotiation(service)
    recorded = service.post(f"{case.path}/events", json={"events": [STAGE_1]}, headers=MEDIATOR)
    assert recorded.status_code == 201, recorded.text
    (stage,) = recorded.json()["items"]
    assert stage["seq"] == 1
    assert stage["plan_id"] == case.plan_id
    # Who crossed is written out: the agreed stage, nobody having dropped out.
    assert stage["event"]["handed_over"] == {
        "side_a": ["A-102", "A-103"],
        "side_b": ["B-202", "B-203"],
    }
    second = service.post(f"{case.path}/events", json={"events": [B_205_UNFIT]}, headers=MEDIATOR)
    assert second.json()["items"][0]["seq"] == 2

    # A dropout recorded twice is refused by its place in the body; nothing is recorded.
    again = service.post(f"{case.path}/events", json={"events": [B_205_UNFIT]}, headers=MEDIATOR)
    assert again.status_code == 422
    assert [(e["field"], e["rule"]) for e in again.json()["errors"]] == [
        ("events[0].id", "duplicate_dropout")
    ]
    assert [e["seq"] for e in events_of(service, case, MEDIATOR)] == [1, 2]

    # Each party sees its own side's events, and executed stages with its own people.
    seen_by_a = events_of(service, case, case.side_a)
    assert [e["event"]["type"] for e in seen_by_a] == ["stage_executed"]
    assert seen_by_a[0]["event"]["handed_over"] == {"side_a": ["A-102", "A-103"]}
    seen_by_b = events_of(service, case, case.side_b)
    assert [e["event"]["type"] for e in seen_by_b] == ["stage_executed", "dropout"]

    # The repaired draft: B-204 takes B-205's place beside her son.
    repaired = service.post(f"{case.path}/repair", json={"options": 2}, headers=MEDIATOR)
    assert repaired.status_code == 201, repaired.text
    draft = repaired.json()
    assert repaired.headers["location"].endswith(f"/plans/{draft['id']}")
    assert draft["status"] == "optimal", draft["conflicts"]
    assert draft["changes"]["added"] == [{"side": "side_b", "id": "B-204", "stage": 2}]
    assert len(draft["options"]) == 2
    drafts = service.get(f"{case.path}/drafts", headers=MEDIATOR).json()["items"]
    assert draft["id"] in [d["id"] for d in drafts]
    assert next(d for d in drafts if d["id"] == draft["id"])["objective"]["changes"] == 1

    # The manifest of the draft marks the executed stage and the change.
    manifest = service.get(f"/v1/plans/{draft['id']}/manifest.csv", headers=MEDIATOR).text
    rows = list(csv.DictReader(io.StringIO(manifest.lstrip("\ufeff"))))
    assert {row["executed"] for row in rows if row["stage"] == "1"} == {"yes"}
    assert any(row["side_b_id"] == "B-204" and row["side_b_change"] == "added" for row in rows)
    chart = service.get(f"/v1/plans/{draft['id']}/chart.svg", headers=MEDIATOR).text
    assert 'data-stage-executed="true"' in chart

    # Publishing makes it the plan; the first stays readable as version 1.
    published = service.post(
        f"{case.path}/publish", json={"plan_id": draft["id"]}, headers=MEDIATOR
    )
    assert published.status_code == 200
    versions = service.get(f"{case.path}/plan/versions", headers=case.side_b).json()["items"]
    assert [(v["version"], v["plan_id"], v["current"]) for v in versions] == [
        (1, case.plan_id, False),
        (2, draft["id"], True),
    ]
    first = service.get(f"{case.path}/plan/versions/1", headers=case.side_a).json()
    assert first["id"] == case.plan_id
    assert {e["side"] for e in first["not_released"]} == {"side_a"}
    current = service.get(f"{case.path}/plan", headers=case.side_a).json()
    assert current["id"] == draft["id"]
    assert service.get(f"{case.path}/plan/versions/3", headers=MEDIATOR).status_code == 404

    # Repairing the repaired plan with the same events changes nothing more.
    again = service.post(f"{case.path}/repair", headers=MEDIATOR)
    assert again.status_code == 201, again.text
    assert again.json()["objective"]["changes"] == 0

    # The registry holds who crossed in stage 1, and a fresh solve of the case never
    # releases them again.
    registry = service.get(f"/v1/registry?case_id={case.case_id}", headers=MEDIATOR).json()
    assert registry["total"] == 4
    assert {(e["side"], e["id"], e["stage"]) for e in registry["items"]} == {
        ("side_a", "A-102", 1),
        ("side_a", "A-103", 1),
        ("side_b", "B-202", 1),
        ("side_b", "B-203", 1),
    }
    solved = service.post(f"{case.path}/solve", headers=MEDIATOR)
    job = poll_job(service, solved.json()["id"], MEDIATOR)
    fresh = service.get(f"/v1/plans/{job['plan_id']}", headers=MEDIATOR).json()
    assert not {"A-102", "A-103"} & set(fresh["released"]["side_a"])
    left = {e["id"]: e for e in fresh["not_released"]}
    assert (left["A-102"]["reason"], left["A-102"]["detail"]) == (
        "ineligible",
        "already handed over (registry)",
    )

    # Every event and repair is in the audit trail.
    audit = service.get(f"/v1/audit?case_id={case.case_id}", headers=MEDIATOR).json()
    actions = [entry["action"] for entry in audit["items"]]
    assert actions.count("event_record") == 2
    assert actions.count("repair") == 2
    stage_entry = next(e for e in audit["items"] if e["object_id"] == "event-1")
    assert stage_entry["count"] == 4


# These two record no executed stage: they run on the session's service.
def test_events_and_repairs_need_a_published_plan(secured: TestClient) -> None:
    service = secured
    case = open_negotiation(service, publish=False)
    response = service.post(f"{case.path}/events", json={"events": [STAGE_1]}, headers=MEDIATOR)
    assert response.status_code == 409
    assert service.post(f"{case.path}/repair", headers=MEDIATOR).status_code == 409
    assert service.get(f"{case.path}/plan/versions", headers=MEDIATOR).json()["items"] == []


def test_a_repair_can_be_one_of_its_ranked_options(secured: TestClient) -> None:
    service = secured
    case = open_negotiation(service)
    service.post(f"{case.path}/events", json={"events": [B_205_UNFIT]}, headers=MEDIATOR)
    best = service.post(f"{case.path}/repair", json={"options": 2}, headers=MEDIATOR).json()
    picked = service.post(
        f"{case.path}/repair", json={"options": 2, "choose": 2}, headers=MEDIATOR
    ).json()
    second = best["options"][1]
    assert picked["stages"] == second["stages"]
    assert picked["changes"] == second["changes"]
    assert picked["options"] == best["options"]
    assert picked["status"] == (
        "optimal" if second["comparison"].startswith("equal") else "feasible"
    )
    stored = service.get(f"/v1/plans/{picked['id']}", headers=MEDIATOR).json()
    assert stored["stages"] == second["stages"]


def test_events_body_must_be_a_list_of_events(secured: TestClient) -> None:
    service = secured
    case = open_negotiation(service)
    bodies: list[dict[str, Any]] = [{"events": []}, {"events": STAGE_1}, {"event": [STAGE_1]}]
    for body in bodies:
        response = service.post(f"{case.path}/events", json=body, headers=MEDIATOR)
        assert response.status_code == 422, body


def test_registry_csv_export_filters_by_side(service: TestClient) -> None:
    case = open_negotiation(service)
    service.post(f"{case.path}/events", json={"events": [STAGE_1]}, headers=MEDIATOR)
    response = service.get(f"/v1/registry.csv?case_id={case.case_id}&side=side_b", headers=MEDIATOR)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert rows[0] == ["side", "id", "case_id", "stage", "handed_over_at", "event_seq"]
    assert [(r[0], r[1], r[2], r[3]) for r in rows[1:]] == [
        ("side_b", "B-202", case.case_id, "1"),
        ("side_b", "B-203", case.case_id, "1"),
    ]


def test_a_case_never_releases_people_handed_over_in_another_case(service: TestClient) -> None:
    first = open_negotiation(service)
    service.post(f"{first.path}/events", json={"events": [STAGE_1]}, headers=MEDIATOR)
    handed = {("side_a", "A-102"), ("side_a", "A-103"), ("side_b", "B-202"), ("side_b", "B-203")}
    # The second case lists the same people; its plan was agreed before the first crossed.
    second = open_negotiation(service, solve=False)
    registry = service.get("/v1/registry", headers=MEDIATOR).json()
    assert {(e["side"], e["id"]) for e in registry["items"]} == handed
    repaired = service.post(f"{first.path}/repair", headers=MEDIATOR)
    assert repaired.status_code == 201
    solved = service.post(f"{second.path}/solve", headers=MEDIATOR).json()
    plan = poll_job(service, solved["id"], MEDIATOR)["plan"]
    scheduled = {
        (side, pid)
        for stage in plan["stages"]
        for side in ("side_a", "side_b")
        for pid in stage[side]
    }
    assert not scheduled & handed
    assert {
        (e["side"], e["id"])
        for e in plan["not_released"]
        if e["detail"] == ("already handed over (registry)")
    } == handed


def test_an_update_recorded_on_a_case_never_frees_someone_the_registry_holds(
    service: TestClient,
) -> None:
    # The second case's plan, agreed before the first case's stage 1, releases B-202 too.
    first = open_negotiation(service)
    second = open_negotiation(service)
    agreed = service.get(f"{second.path}/plan", headers=MEDIATOR).json()
    assert "B-202" in agreed["released"]["side_b"]
    crossed = {**STAGE_1, "handed_over": {"side_a": [], "side_b": ["B-202"]}}
    service.post(f"{first.path}/events", json={"events": [crossed]}, headers=MEDIATOR)
    # B-202 crossed in the first case; the second case then records B-202 as eligible.
    freed = {
        "type": "update",
        "side": "side_b",
        "id": "B-202",
        "fields": {"eligible": True, "ineligible_reason": None},
    }
    recorded = service.post(f"{second.path}/events", json={"events": [freed]}, headers=MEDIATOR)
    assert recorded.status_code == 201, recorded.text
    repaired = service.post(f"{second.path}/repair", headers=MEDIATOR)
    assert repaired.status_code == 201, repaired.text
    draft = repaired.json()
    assert draft["status"] == "optimal", draft["conflicts"]
    assert "B-202" not in draft["released"]["side_b"]
    left = {e["id"]: e for e in draft["not_released"]}
    assert (left["B-202"]["reason"], left["B-202"]["detail"]) == (
        "ineligible",
        "already handed over (registry)",
    )
    stage = next(s["number"] for s in agreed["stages"] if "B-202" in s["side_b"])
    assert {"side": "side_b", "id": "B-202", "stage": stage} in draft["changes"]["removed"]
