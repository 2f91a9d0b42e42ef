"""POST /v1/scenarios: variants of the terms solved side by side, one table."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.app.bodies import assert_no_personal_data, exchange, with_canary
from tests.app.conftest import MakeClient
from tests.app.fake_solvers import solve_slowly


def scenario(*variants: dict[str, Any]) -> dict[str, Any]:
    return {**exchange(), "variants": list(variants)}


def test_scenarios_compare_variants_in_one_table(client: TestClient) -> None:
    body = scenario(
        {"name": "as agreed", "terms": {}},
        {"name": "floor 10", "terms": {"min_per_side": 10}},
        {"name": "one stage", "terms": {"stages": None}},
    )
    response = client.post("/v1/scenarios", json=body)
    assert response.status_code == 200
    table = response.json()
    assert table["levels"][0] == "priority:seriously_ill"
    assert table["levels"][-1] == "stage_order:all"
    rows = {row["name"]: row for row in table["variants"]}
    assert list(rows) == ["as agreed", "floor 10", "one stage"]
    assert rows["as agreed"]["status"] == "optimal"
    assert rows["as agreed"]["released"] == {"side_a": 4, "side_b": 4}
    assert rows["as agreed"]["levels"]["released"] == 8
    assert rows["as agreed"]["not_released"] == {
        "ineligible": 1,
        "no_consent": 1,
        "not_selected": 2,
    }
    assert rows["floor 10"]["status"] == "infeasible"
    assert rows["floor 10"]["conflicts"][0]["rule"] == "min_per_side"
    assert rows["floor 10"]["levels"]["released"] is None
    assert rows["one stage"]["levels"]["stage_order:all"] == 8


def test_a_variant_changes_only_the_terms_it_names(client: TestClient) -> None:
    body = scenario({"name": "floor 4", "terms": {"min_per_side": 4}})
    body["terms"]["must_exclude"] = {"side_a": [], "side_b": ["B-201"]}
    row = client.post("/v1/scenarios", json=body).json()["variants"][0]
    assert row["status"] == "optimal"
    assert row["not_released"]["must_exclude"] == 1


def test_bad_variants_are_named_by_position(client: TestClient) -> None:
    body = with_canary(
        scenario(
            {"name": "ok", "terms": {}},
            {"name": "ok", "terms": {"min_per_side": -5}},
            {"terms": {}},
            {"name": "typo", "terms": {"min_per_sdie": 5}},
        )
    )
    response = client.post("/v1/scenarios", json=body)
    assert response.status_code == 422
    errors = {(e["field"], e["rule"]) for e in response.json()["errors"]}
    assert ("variants[1].name", "duplicate_name") in errors
    assert ("variants[1].terms.min_per_side", "out_of_range") in errors
    assert ("variants[2].name", "missing") in errors
    assert ("variants[3].terms.min_per_sdie", "unknown_field") in errors
    assert_no_personal_data(response.text)


def test_scenarios_need_at_least_one_variant(client: TestClient) -> None:
    response = client.post("/v1/scenarios", json=exchange())
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "variants"


def test_more_variants_than_workers_and_queue_are_solved_in_turn(
    make_client: MakeClient,
) -> None:
    with make_client(solve_slowly, worker_count=1, queue_size=0) as client:
        body = scenario(*({"name": f"v{i}", "terms": {}} for i in range(3)))
        body["options"]["time_limit_s"] = 0.2
        response = client.post("/v1/scenarios", json=body)
        assert response.status_code == 200
        assert [row["status"] for row in response.json()["variants"]] == ["optimal"] * 3


def test_scenarios_when_the_queue_is_full_are_503(make_client: MakeClient) -> None:
    with make_client(solve_slowly, worker_count=1, queue_size=0) as client:
        job = exchange()
        job["options"]["time_limit_s"] = 30
        location = client.post("/v1/jobs", json=job).headers["location"]
        response = client.post("/v1/scenarios", json=scenario({"name": "v", "terms": {}}))
        assert response.status_code == 503
        assert "retry-after" in response.headers
        client.delete(location)
