"""Taking back the last event of a case (`DELETE /v1/cases/{id}/events/{seq}`): a
dropout recorded by mistake, a stage marked executed too soon; only the last event in
force, one at a time, nothing changed on a refusal, never a party, always audited.

Executed stages fill the service-wide registry, so the tests that execute one run on a
service of their own (as `test_case_day.py` does).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.event_store import EventsChangedError, EventStore, NewEvent
from tests.app.conftest import running_client, settings_for
from tests.app.negotiation import MEDIATOR, MEDIATOR_TOKEN, Negotiation, open_negotiation

STAGE_1 = {"type": "stage_executed", "number": 1}
B_205_UNFIT = {"type": "dropout", "side": "side_b", "id": "B-205", "reason": "unfit_to_travel"}
# A synthetic person listed late, with a name and a birth date that must never leak.
NAME, BIRTH_DATE = "Synthetic Latecomer Zyxwv", "1987-02-03"
LATE = {
    "type": "add",
    "side": "side_a",
    "detainee": {"id": "A-190", "name": NAME, "birth_date": BIRTH_DATE, "age": 37},
}


@pytest.fixture
def service(tmp_path: Path) -> Iterator[TestClient]:
    settings = settings_for(tmp_path, worker_count=1, bootstrap_mediator_key=MEDIATOR_TOKEN)
    with running_client(settings) as client:
        yield client


def record(client: TestClient, case: Negotiation, *events: dict[str, Any]) -> list[int]:
    response = client.post(f"{case.path}/events", json={"events": list(events)}, headers=MEDIATOR)
    assert response.status_code == 201, response.text
    return [item["seq"] for item in response.json()["items"]]


def seqs(client: TestClient, case: Negotiation, query: str = "") -> list[int]:
    response = client.get(f"{case.path}/events{query}", headers=MEDIATOR)
    assert response.status_code == 200, response.text
    return [item["seq"] for item in response.json()["items"]]


def registry_of(client: TestClient, case: Negotiation) -> list[tuple[str, str, int]]:
    page = client.get(f"/v1/registry?case_id={case.case_id}", headers=MEDIATOR).json()
    return sorted((e["side"], e["id"], e["event_seq"]) for e in page["items"])


def take_backs(client: TestClient, case: Negotiation) -> list[dict[str, Any]]:
    audit = client.get(f"/v1/audit?case_id={case.case_id}", headers=MEDIATOR).json()
    return [e for e in audit["items"] if e["action"] == "event_take_back"]


def test_a_dropout_taken_back_is_gone_from_the_repair(secured: TestClient) -> None:
    service = secured
    case = open_negotiation(service)
    (seq,) = record(service, case, B_205_UNFIT)
    with_dropout = service.post(f"{case.path}/repair", headers=MEDIATOR).json()
    assert with_dropout["changes"]["added"] == [{"side": "side_b", "id": "B-204", "stage": 2}]

    taken = service.delete(f"{case.path}/events/{seq}", headers=MEDIATOR)
    assert taken.status_code == 200, taken.text
    body = taken.json()
    assert (body["seq"], body["event"], body["plan_id"]) == (seq, B_205_UNFIT, case.plan_id)
    assert body["taken_back_at"] is not None
    # Out of force, still in the history when asked for.
    assert seqs(service, case) == []
    history = service.get(f"{case.path}/events?taken_back=true", headers=MEDIATOR).json()
    assert [(e["seq"], e["taken_back_at"] is not None) for e in history["items"]] == [(seq, True)]

    # Repairing again uses the events as they now stand: the agreed plan, B-205 in it.
    again = service.post(f"{case.path}/repair", headers=MEDIATOR).json()
    assert again["status"] == "optimal"
    assert again["objective"]["changes"] == 0
    assert not any(e["reason"] == "dropout" for e in again["not_released"])
    agreed = service.get(f"/v1/plans/{case.plan_id}", headers=MEDIATOR).json()
    assert [{k: s[k] for k in ("number", "side_a", "side_b")} for s in again["stages"]] == (
        agreed["stages"]
    )
    # The draft repaired before stays as it was, and nothing was published.
    before = service.get(f"/v1/plans/{with_dropout['id']}", headers=MEDIATOR).json()
    assert before["changes"] == with_dropout["changes"]
    assert service.get(f"{case.path}/plan", headers=MEDIATOR).json()["id"] == case.plan_id

    # The dropout can be recorded again, under a new number: a number is never reused.
    assert record(service, case, B_205_UNFIT) == [seq + 1]

    (entry,) = take_backs(service, case)
    assert (entry["object_id"], entry["side"], entry["count"]) == (
        f"event-{seq}:dropout",
        "side_b",
        None,
    )


def test_an_executed_stage_taken_back_leaves_the_registry(service: TestClient) -> None:
    case = open_negotiation(service)
    (stage,) = record(service, case, STAGE_1)
    crossed = [("side_a", "A-102"), ("side_a", "A-103"), ("side_b", "B-202"), ("side_b", "B-203")]
    assert registry_of(service, case) == [(side, pid, stage) for side, pid in crossed]

    taken = service.delete(f"{case.path}/events/{stage}", headers=MEDIATOR)
    assert taken.status_code == 200, taken.text
    assert registry_of(service, case) == []
    (entry,) = take_backs(service, case)
    assert (entry["object_id"], entry["count"]) == (f"event-{stage}:stage_executed", 4)

    # Stage 1 can be recorded again, this time with B-203 staying behind.
    fixed = {**STAGE_1, "handed_over": {"side_b": ["B-202"]}}
    (again,) = record(service, case, fixed)
    assert again == stage + 1
    assert registry_of(service, case) == [
        ("side_a", "A-102", again),
        ("side_a", "A-103", again),
        ("side_b", "B-202", again),
    ]


def test_only_the_last_event_in_force_and_nothing_changes_otherwise(
    service: TestClient,
) -> None:
    case = open_negotiation(service)
    stage, dropout = record(service, case, STAGE_1, B_205_UNFIT)
    registry = registry_of(service, case)

    refused = service.delete(f"{case.path}/events/{stage}", headers=MEDIATOR)
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["last_seq"] == dropout
    assert [(e["field"], e["rule"]) for e in problem["errors"]] == [("seq", "not_last_event")]
    assert f"event {dropout}" in problem["detail"]
    assert seqs(service, case) == [stage, dropout]
    assert registry_of(service, case) == registry
    assert take_backs(service, case) == []

    assert service.delete(f"{case.path}/events/99", headers=MEDIATOR).status_code == 404
    assert service.delete(f"{case.path}/events/0", headers=MEDIATOR).status_code == 422
    assert service.delete("/v1/cases/no-such-case/events/1", headers=MEDIATOR).status_code == 404

    # Last first, one at a time: the dropout, then the stage.
    assert service.delete(f"{case.path}/events/{dropout}", headers=MEDIATOR).status_code == 200
    twice = service.delete(f"{case.path}/events/{dropout}", headers=MEDIATOR)
    assert twice.status_code == 409
    assert twice.json()["errors"][0]["rule"] == "already_taken_back"
    assert twice.json()["last_seq"] == stage
    assert service.delete(f"{case.path}/events/{stage}", headers=MEDIATOR).status_code == 200
    assert seqs(service, case) == []
    assert registry_of(service, case) == []
    empty = service.delete(f"{case.path}/events/{stage}", headers=MEDIATOR)
    assert empty.status_code == 409
    assert "last_seq" not in empty.json()
    assert seqs(service, case, "?taken_back=true") == [stage, dropout]
    assert len(take_backs(service, case)) == 2


def test_a_party_cannot_take_back_an_event(secured: TestClient) -> None:
    service = secured
    case = open_negotiation(service)
    (seq,) = record(service, case, B_205_UNFIT)
    for party in (case.side_a, case.side_b):
        response = service.delete(f"{case.path}/events/{seq}", headers=party)
        assert response.status_code == 404
    assert seqs(service, case) == [seq]
    assert take_backs(service, case) == []


def test_no_name_in_the_audit_or_the_logs(
    secured: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    service = secured
    case = open_negotiation(service)
    with caplog.at_level(logging.DEBUG):
        (seq,) = record(service, case, LATE)
        taken = service.delete(f"{case.path}/events/{seq}", headers=MEDIATOR)
        assert taken.status_code == 200
        assert taken.json()["event"]["detainee"]["name"] == NAME  # the mediator's own record
        refused = service.delete(f"{case.path}/events/{seq}", headers=MEDIATOR)
        assert refused.status_code == 409
    logged = "\n".join(r.getMessage() for r in caplog.records)
    audit = service.get(f"/v1/audit?case_id={case.case_id}", headers=MEDIATOR).text
    for text in (refused.text, logged, audit):
        assert NAME not in text
        assert BIRTH_DATE not in text
    (entry,) = take_backs(service, case)
    assert (entry["object_id"], entry["side"]) == (f"event-{seq}:add", "side_a")


def test_events_checked_before_a_take_back_are_not_recorded_after_it(
    secured: TestClient,
) -> None:
    """A record racing a take-back: events checked after events 1 and 2 in force are
    refused once event 2 is gone, since they were checked against it."""
    service = secured
    case = open_negotiation(service)
    checked_after = record(service, case, B_205_UNFIT, {**B_205_UNFIT, "id": "B-206"})
    assert service.delete(f"{case.path}/events/2", headers=MEDIATOR).status_code == 200
    store: EventStore = service.app.state.events  # type: ignore[attr-defined]
    late = NewEvent("add", "side_a", json.dumps(LATE))
    with pytest.raises(EventsChangedError):
        store.record(case.case_id, case.plan_id, [late], checked_after=checked_after)
    assert seqs(service, case) == [1]
    # Checked against what is in force, the same events are recorded.
    (stored,) = store.record(case.case_id, case.plan_id, [late], checked_after=[1]) or []
    assert stored.seq == 3


def publish(client: TestClient, case: Negotiation, plan_id: str) -> Any:
    return client.post(f"{case.path}/publish", json={"plan_id": plan_id}, headers=MEDIATOR)


def test_a_take_back_the_published_plan_needs_is_refused(service: TestClient) -> None:
    """Stage 1 recorded, repaired, the repair published: that plan has stage 1 executed,
    so taking the stage back would leave a case where nothing more could be recorded or
    repaired (`executed_without_event` on every later check). Refused, nothing changed;
    once the plan made before the repair is published again, the take-back goes."""
    case = open_negotiation(service)
    (stage,) = record(service, case, STAGE_1)
    repaired = service.post(f"{case.path}/repair", headers=MEDIATOR).json()
    assert publish(service, case, repaired["id"]).status_code == 200
    registry = registry_of(service, case)

    refused = service.delete(f"{case.path}/events/{stage}", headers=MEDIATOR)
    assert refused.status_code == 409, refused.text
    problem = refused.json()
    assert [(e["field"], e["rule"]) for e in problem["errors"]] == [
        ("seq", "published_plan_needs_it")
    ]
    assert "publish the plan made before that repair" in problem["detail"]
    assert seqs(service, case) == [stage]
    assert registry_of(service, case) == registry
    assert take_backs(service, case) == []
    # The case still works: events are checked and the plan repaired.
    (dropout,) = record(service, case, B_205_UNFIT)
    assert service.post(f"{case.path}/repair", headers=MEDIATOR).status_code == 201

    assert service.delete(f"{case.path}/events/{dropout}", headers=MEDIATOR).status_code == 200
    assert case.plan_id is not None
    assert publish(service, case, case.plan_id).status_code == 200
    taken = service.delete(f"{case.path}/events/{stage}", headers=MEDIATOR)
    assert taken.status_code == 200, taken.text
    assert registry_of(service, case) == []
    assert record(service, case, STAGE_1) == [stage + 2]


def test_a_repair_made_with_an_event_taken_back_cannot_be_published(
    service: TestClient,
) -> None:
    """Stage 1 recorded, repaired, taken back: the draft has stage 1 executed and no
    event says so any more. Publishing it is refused; the case goes on as it stands."""
    case = open_negotiation(service)
    (stage,) = record(service, case, STAGE_1)
    repaired = service.post(f"{case.path}/repair", headers=MEDIATOR).json()
    assert service.delete(f"{case.path}/events/{stage}", headers=MEDIATOR).status_code == 200

    refused = publish(service, case, repaired["id"])
    assert refused.status_code == 409, refused.text
    assert [(e["field"], e["rule"]) for e in refused.json()["errors"]] == [
        ("plan_id", "made_with_events_taken_back")
    ]
    assert service.get(f"{case.path}/plan", headers=MEDIATOR).json()["id"] == case.plan_id
    (again,) = record(service, case, STAGE_1)
    fresh = service.post(f"{case.path}/repair", headers=MEDIATOR)
    assert fresh.status_code == 201, fresh.text
    assert publish(service, case, fresh.json()["id"]).status_code == 200
    assert record(service, case, {"type": "stage_executed", "number": 2}) == [again + 1]


def test_a_repair_made_with_a_dropout_taken_back_cannot_be_published(
    service: TestClient,
) -> None:
    """A repair made with a dropout since taken back is refused; one made after the
    take-back is published, the events recorded after it reading against it."""
    case = open_negotiation(service)
    (dropout,) = record(service, case, B_205_UNFIT)
    with_dropout = service.post(f"{case.path}/repair", headers=MEDIATOR).json()
    assert service.delete(f"{case.path}/events/{dropout}", headers=MEDIATOR).status_code == 200
    refused = publish(service, case, with_dropout["id"])
    assert refused.status_code == 409
    assert refused.json()["errors"][0]["rule"] == "made_with_events_taken_back"
    plain = service.post(f"{case.path}/repair", headers=MEDIATOR).json()
    (stage,) = record(service, case, STAGE_1)
    assert publish(service, case, plain["id"]).status_code == 200
    assert seqs(service, case) == [stage]
