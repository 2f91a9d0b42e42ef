"""POST/GET/DELETE /v1/plans: solved, stored, listed, deleted; bad bodies rejected."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from app.examples import EXAMPLE_PLAN_ID
from solver import solve
from solver.input_errors import parse_request
from tests.app.bodies import assert_no_personal_data, exchange, with_canary

PROBLEM_JSON = "application/problem+json"


def test_create_plan_returns_the_solvers_plan_with_an_id(client: TestClient) -> None:
    body = exchange()
    response = client.post("/v1/plans", json=body)
    assert response.status_code == 201
    plan = response.json()
    assert response.headers["location"] == f"/v1/plans/{plan['id']}"
    direct = solve(parse_request(json.dumps(body))).model_dump(mode="json")
    for document in (plan, direct):
        document.pop("solve_seconds")
    assert plan.pop("id")
    assert plan == direct
    assert plan["status"] == "optimal"


def test_create_plan_answers_infeasible_terms_with_conflicts(client: TestClient) -> None:
    response = client.post("/v1/plans", json=exchange(min_per_side=10))
    assert response.status_code == 201
    plan = response.json()
    assert plan["status"] == "infeasible"
    assert plan["released"] == {"side_a": [], "side_b": []}
    assert [c["rule"] for c in plan["conflicts"]] == ["min_per_side"]


def test_read_plan_returns_what_was_stored(client: TestClient) -> None:
    created = client.post("/v1/plans", json=exchange())
    response = client.get(f"/v1/plans/{created.json()['id']}")
    assert response.status_code == 200
    assert response.content == created.content


def test_read_plan_unknown_id_is_a_404_problem(client: TestClient) -> None:
    response = client.get("/v1/plans/no-such-plan")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM_JSON
    problem = response.json()
    assert problem["status"] == 404
    assert problem["title"] == "Not Found"
    # The path is the client's text: it is not repeated, in the detail or anywhere else.
    assert "no-such-plan" not in response.text
    assert problem["instance"] == f"urn:x-request-id:{response.headers['x-request-id']}"


def test_list_plans_pages_newest_first(client: TestClient) -> None:
    ids = [client.post("/v1/plans", json=exchange()).json()["id"] for _ in range(3)]
    first = client.get("/v1/plans", params={"limit": 2}).json()
    assert [item["id"] for item in first["items"]] == ids[::-1][:2]
    assert first["total"] >= 3
    assert first["limit"] == 2
    second = client.get("/v1/plans", params={"offset": 2, "limit": 1}).json()
    assert second["items"][0]["id"] == ids[0]
    summary = first["items"][0]
    assert summary["status"] == "optimal"
    assert summary["source"] == "json"
    assert summary["released"] == {"side_a": 4, "side_b": 4}
    assert summary["objective"]["released"] == 8


def test_list_plans_rejects_a_bad_limit_without_echoing_it(client: TestClient) -> None:
    response = client.get("/v1/plans", params={"limit": "lots"})
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM_JSON
    problem = response.json()
    assert problem["errors"][0]["field"] == "query.limit"
    assert "lots" not in response.text
    assert "input" not in problem["errors"][0]


def test_delete_plan_removes_it(client: TestClient) -> None:
    plan_id = client.post("/v1/plans", json=exchange()).json()["id"]
    assert client.delete(f"/v1/plans/{plan_id}").status_code == 204
    assert client.get(f"/v1/plans/{plan_id}").status_code == 404
    assert client.delete(f"/v1/plans/{plan_id}").status_code == 404


def test_example_plan_is_stored_at_start_up(client: TestClient) -> None:
    response = client.get(f"/v1/plans/{EXAMPLE_PLAN_ID}")
    assert response.status_code == 200
    assert response.json()["status"] == "optimal"


def test_invalid_body_lists_every_problem_without_personal_data(client: TestClient) -> None:
    body = with_canary(exchange())
    people = body["side_a"]["detainees"]
    people[0]["birth_date"] = "2099-01-01"  # after the reference date
    people[0]["name"] = 12  # not text; the canary is on the next entry
    people[1]["name"] = "Canary Zzyzx-Quintero"
    people[1]["birth_date"] = "1987-06-05x"
    people[2]["id"] = people[3]["id"]
    body["terms"]["colour"] = "blue"
    response = client.post("/v1/plans", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM_JSON
    problem = response.json()
    assert problem["type"].endswith("invalid-request")
    assert problem["status"] == 422
    found = {(e["side"], e["id"], e["field"], e["rule"]) for e in problem["errors"]}
    assert ("side_a", "A-101", "name", "wrong_type") in found
    assert ("side_a", "A-101", "birth_date", "birth_date_after_reference_date") in found
    assert ("side_a", "A-102", "birth_date", "invalid_date") in found
    assert ("side_a", "A-104", "id", "duplicate_id") in found
    assert (None, None, "terms.colour", "unknown_field") in found
    assert_no_personal_data(response.text)
    assert "2099-01-01" not in response.text


def test_invalid_body_is_not_stored(client: TestClient) -> None:
    before = client.get("/v1/plans").json()["total"]
    client.post("/v1/plans", json=exchange(min_per_side=-1))
    assert client.get("/v1/plans").json()["total"] == before


def test_unreadable_json_is_a_422_problem(client: TestClient) -> None:
    response = client.post(
        "/v1/plans", content=b'{"side_a": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["rule"] == "unreadable_json"


def test_time_limit_above_the_service_maximum_is_refused(client: TestClient) -> None:
    body = exchange()
    body["options"]["time_limit_s"] = 3600
    response = client.post("/v1/plans", json=body)
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert (error["field"], error["rule"]) == ("options.time_limit_s", "service_limit")


def test_unknown_route_is_a_404_problem(client: TestClient) -> None:
    response = client.get("/v1/nowhere")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM_JSON


def test_wrong_method_is_a_405_problem(client: TestClient) -> None:
    response = client.put("/v1/plans")
    assert response.status_code == 405
    assert response.headers["content-type"] == PROBLEM_JSON
