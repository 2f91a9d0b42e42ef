"""POST /v1/plans/verify: violations named, level values next to the optimum's."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.examples import PROPOSAL
from tests.app.bodies import assert_no_personal_data, exchange, with_canary


def test_verify_names_every_violation_of_a_flawed_proposal(client: TestClient) -> None:
    response = client.post("/v1/plans/verify", json={**exchange(), "plan": PROPOSAL})
    assert response.status_code == 200
    report = response.json()
    assert report["valid"] is False
    rules = {(v["rule"], v["side"]) for v in report["violations"]}
    assert ("group", "side_b") in rules
    assert ("release_all", "side_b") in rules
    assert any("B-206" in v["ids"] for v in report["violations"])
    assert report["optimum_status"] == "optimal"
    young = next(level for level in report["levels"] if level["name"] == "priority:young")
    assert (young["proposal"], young["optimum"]) == (2, 3)
    assert report["comparison"].startswith("the proposal is short of the optimum")


def test_verify_accepts_the_optimal_plan_as_pasted(client: TestClient) -> None:
    plan = client.post("/v1/plans", json=exchange()).json()
    report = client.post("/v1/plans/verify", json={**exchange(), "plan": plan}).json()
    assert report["valid"] is True
    assert report["violations"] == []
    assert all(level["proposal"] == level["optimum"] for level in report["levels"])
    assert report["comparison"] == "the proposal equals the optimum on every level"
    assert report["proposal_objective"] == plan["objective"]


def test_verify_proposal_without_stages_for_one_stage_terms(client: TestClient) -> None:
    proposal = {
        "released": {
            "side_a": ["A-101", "A-102", "A-103", "A-106"],
            "side_b": ["B-202", "B-203", "B-205", "B-206"],
        }
    }
    response = client.post("/v1/plans/verify", json={**exchange(stages=None), "plan": proposal})
    assert response.json()["valid"] is True


def test_verify_against_infeasible_terms_reports_the_conflict(client: TestClient) -> None:
    body = {**exchange(min_per_side=10), "plan": PROPOSAL}
    report = client.post("/v1/plans/verify", json=body).json()
    assert report["optimum_status"] == "infeasible"
    assert report["optimum_conflicts"][0]["rule"] == "min_per_side"
    assert all(level["optimum"] is None for level in report["levels"])


def test_verify_without_a_plan_is_a_422(client: TestClient) -> None:
    response = client.post("/v1/plans/verify", json=exchange())
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["plan"]


def test_verify_reports_request_and_proposal_problems_together(client: TestClient) -> None:
    body = with_canary(exchange())
    body["side_a"]["detainees"][0]["birth_date"] = "not a date"
    body["plan"] = {"released": {"side_a": "A-101"}, "colour": "red"}
    response = client.post("/v1/plans/verify", json=body)
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"birth_date", "plan.released.side_a", "plan.colour"}
    assert_no_personal_data(response.text)
