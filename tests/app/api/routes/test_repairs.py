"""POST /v1/plans/repair: an agreed plan repaired after the day's events, nothing stored."""

from __future__ import annotations

import copy
from typing import Any

from fastapi.testclient import TestClient

from app.examples import AGREED_PLAN, REPAIR_EXAMPLES
from tests.app.bodies import assert_no_personal_data, exchange, with_canary


def repair_body(events: list[Any], **repair: Any) -> dict[str, Any]:
    return {**exchange(), "plan": copy.deepcopy(AGREED_PLAN), "events": events, "repair": repair}


def test_repair_after_a_dropout_ranks_its_options(client: TestClient) -> None:
    body = REPAIR_EXAMPLES["dropout_after_stage_1"]["value"]
    before = client.get("/v1/plans").json()["total"]
    response = client.post("/v1/plans/repair", json=body)
    assert response.status_code == 200, response.text
    plan = response.json()
    assert plan["status"] == "optimal"
    assert [s["executed"] for s in plan["stages"]] == [True, False]
    assert plan["stages"][0]["side_b"] == ["B-202", "B-203"]
    assert plan["changes"] == {
        "added": [{"side": "side_b", "id": "B-204", "stage": 2}],
        "removed": [],
        "moved": [],
    }
    assert plan["objective"]["changes"] == 1
    dropout = next(e for e in plan["not_released"] if e["id"] == "B-205")
    assert (dropout["reason"], dropout["detail"]) == ("dropout", "unfit_to_travel")
    assert [o["rank"] for o in plan["options"]] == [1, 2, 3]
    assert plan["options"][2]["changes"]["removed"] == [
        {"side": "side_a", "id": "A-101", "stage": 2}
    ]
    assert "id" not in plan
    assert client.get("/v1/plans").json()["total"] == before  # nothing stored


def test_repair_every_example_works_as_is(client: TestClient) -> None:
    for example in REPAIR_EXAMPLES.values():
        response = client.post("/v1/plans/repair", json=example["value"])
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "optimal"


def test_repair_bad_events_are_a_422_naming_side_id_field(client: TestClient) -> None:
    events = [
        {"type": "stage_executed", "number": 2},
        {"type": "dropout", "side": "side_a", "id": "A-999", "reason": "refused"},
        {"type": "stage_executed", "number": 1, "handed_over": {"side_b": ["B-777"]}},
    ]
    response = client.post("/v1/plans/repair", json=repair_body(events))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    errors = [(e["side"], e["id"], e["field"], e["rule"]) for e in response.json()["errors"]]
    assert errors == [
        (None, None, "events[0].number", "stage_order"),
        ("side_a", "A-999", "events[1].id", "unknown_id"),
        ("side_b", "B-777", "events[2].handed_over.side_b[0]", "unknown_id"),
    ]


def test_repair_plan_with_unknown_ids_and_a_split_family_is_a_422(client: TestClient) -> None:
    body = repair_body([])
    body["plan"] = {
        "stages": [
            {"number": 1, "side_a": ["A-102", "A-404"], "side_b": ["B-202", "B-205"]},
            {"number": 2, "side_a": ["A-101"], "side_b": ["B-206"]},
        ]
    }
    errors = client.post("/v1/plans/repair", json=body).json()["errors"]
    assert [(e["id"], e["rule"]) for e in errors] == [("A-404", "unknown_id"), ("B-205", "group")]


def test_repair_422_never_quotes_personal_data(client: TestClient) -> None:
    body = with_canary(repair_body([]))
    body["events"] = [
        {
            "type": "update",
            "side": "side_a",
            "id": "A-101",
            "fields": {"name": "Canary Zzyzx-Quintero", "birth_date": "Zzyzx"},
        }
    ]
    response = client.post("/v1/plans/repair", json=body)
    assert response.status_code == 422
    assert_no_personal_data(response.text)


def test_repair_infeasible_is_answered_with_its_conflict(client: TestClient) -> None:
    # Side B handed over one person fewer in stage 1 and stage 2 cannot make up for it.
    events = [
        {"type": "stage_executed", "number": 1, "handed_over": {"side_b": ["B-203"]}},
    ]
    response = client.post("/v1/plans/repair", json=repair_body(events))
    assert response.status_code == 200
    plan = response.json()
    assert plan["status"] == "infeasible"
    assert plan["stages"] == []
    assert plan["conflicts"]
    # The sentences count who crossed in stage 1 and the places stage 2 has left.
    messages = {c["rule"]: c["message"] for c in plan["conflicts"]}
    assert "handed over in executed stage 1" in messages["release_all"]
    assert messages["stages"].startswith("Stage 2 remains, with room for 2 people per side")
