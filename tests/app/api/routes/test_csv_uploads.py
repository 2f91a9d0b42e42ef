"""POST /v1/plans/csv and /v1/jobs/csv: two CSV lists and JSON terms, solved like JSON."""

from __future__ import annotations

import json
import time

from fastapi.testclient import TestClient

from app.examples import CSV_OPTIONS, CSV_TERMS, SIDE_A_CSV, SIDE_B_CSV
from tests.app.bodies import CANARY_NAME, assert_no_personal_data, exchange


def form(**overrides: str) -> dict[str, str]:
    return {
        "side_a": SIDE_A_CSV,
        "side_b": SIDE_B_CSV,
        "terms": json.dumps(CSV_TERMS),
        "options": json.dumps(CSV_OPTIONS),
        **overrides,
    }


def test_csv_as_text_fields_gives_the_same_plan_as_json(client: TestClient) -> None:
    from_csv = client.post("/v1/plans/csv", data=form())
    assert from_csv.status_code == 201
    from_json = client.post("/v1/plans", json=exchange()).json()
    csv_plan = from_csv.json()
    csv_id = csv_plan["id"]
    for plan in (csv_plan, from_json):
        plan.pop("id")
        plan.pop("solve_seconds")
    assert csv_plan == from_json
    listed = client.get("/v1/plans", params={"limit": 100}).json()["items"]
    assert {"id": csv_id, "source": "csv"}.items() <= next(
        item for item in listed if item["id"] == csv_id
    ).items()


def test_csv_as_file_uploads_with_semicolons(client: TestClient) -> None:
    files = {
        "side_a": ("a.csv", SIDE_A_CSV.replace(",", ";").encode(), "text/csv"),
        "side_b": ("b.csv", ("\ufeff" + SIDE_B_CSV).encode(), "text/csv"),
    }
    data = {"terms": json.dumps(CSV_TERMS), "side_a_name": "Side A"}
    response = client.post("/v1/plans/csv", data=data, files=files)
    assert response.status_code == 201
    assert response.json()["status"] == "optimal"


def test_bad_cells_are_named_by_side_row_id_and_field(client: TestClient) -> None:
    side_a = (
        "id,name,birth_date,age,seriously_ill,status\n"
        f"A-1,{CANARY_NAME},1987-06-05x,,maybe,military\n"
        "A-2,,,forty,no,soldier\n"
        "A-2,,,30,no,civilian\n"
        ",,,30,no,civilian\n"
    )
    response = client.post("/v1/plans/csv", data=form(side_a=side_a))
    assert response.status_code == 422
    found = {
        (e["side"], e["row"], e["id"], e["field"], e["rule"]) for e in response.json()["errors"]
    }
    assert found == {
        ("side_a", 2, "A-1", "birth_date", "invalid_cell"),
        ("side_a", 2, "A-1", "seriously_ill", "invalid_cell"),
        ("side_a", 3, "A-2", "age", "invalid_cell"),
        ("side_a", 3, "A-2", "status", "invalid_cell"),
        ("side_a", 4, "A-2", "id", "duplicate_id"),
        ("side_a", 5, None, "id", "missing_field"),
        ("side_a", None, "A-106", "terms.must_include", "unknown_id"),
    }
    assert_no_personal_data(response.text)
    assert "forty" not in response.text


def test_unknown_columns_and_bad_terms_are_422(client: TestClient) -> None:
    response = client.post(
        "/v1/plans/csv", data=form(side_b="id,colour\nB-1,red\n", terms="{not json")
    )
    assert response.status_code == 422
    found = {(e["side"], e["field"], e["rule"]) for e in response.json()["errors"]}
    assert found == {("side_b", "colour", "unknown_field"), (None, "terms", "unreadable_json")}


def test_missing_list_is_422(client: TestClient) -> None:
    response = client.post("/v1/plans/csv", data={"side_a": SIDE_A_CSV})
    assert response.status_code == 422
    assert [(e["side"], e["rule"]) for e in response.json()["errors"]] == [
        ("side_b", "missing_field")
    ]


def test_csv_text_in_a_json_body_gives_the_same_plan(client: TestClient) -> None:
    body = {"side_a": SIDE_A_CSV, "side_b": SIDE_B_CSV, "terms": CSV_TERMS}
    response = client.post("/v1/plans/csv", json=body)
    assert response.status_code == 201
    assert response.json()["released"]["side_b"] == ["B-202", "B-203", "B-205", "B-206"]


def test_bad_json_csv_body_is_422(client: TestClient) -> None:
    response = client.post("/v1/plans/csv", json={"side_a": 5, "colour": "red"})
    assert response.status_code == 422
    found = {(e["side"], e["field"], e["rule"]) for e in response.json()["errors"]}
    assert found == {
        (None, "colour", "unknown_field"),
        ("side_a", "side_a", "wrong_type"),
        ("side_b", "side_b", "missing_field"),
    }


def test_csv_job_runs_in_the_background(client: TestClient) -> None:
    response = client.post("/v1/jobs/csv", data=form())
    assert response.status_code == 202
    location = response.headers["location"]
    deadline = time.monotonic() + 20
    while (job := client.get(location).json())["status"] in {"queued", "running"}:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert job["status"] == "optimal"


def test_a_misspelt_column_is_the_only_problem_for_ids_in_the_file(client: TestClient) -> None:
    """The header's typo is reported; the must_include ids the file does list are not
    reported unknown, and one it does not list still is."""
    side_a = SIDE_A_CSV.replace("seriously_ill", "seriously_il", 1)
    terms = {**CSV_TERMS, "must_include": {"side_a": ["A-101", "A-999"], "side_b": ["B-201"]}}
    response = client.post("/v1/plans/csv", data=form(side_a=side_a, terms=json.dumps(terms)))
    assert response.status_code == 422
    found = [(e["side"], e["id"], e["field"], e["rule"]) for e in response.json()["errors"]]
    assert found == [
        ("side_a", None, "seriously_il", "unknown_field"),
        ("side_a", "A-999", "terms.must_include", "unknown_id"),
    ]
    assert "did you mean seriously_ill?" in response.json()["errors"][0]["message"]


def test_a_list_without_an_id_column_names_no_must_include_id(client: TestClient) -> None:
    side_a = "identifier,age\nA-101,30\n"
    terms = {**CSV_TERMS, "must_include": {"side_a": ["A-101"], "side_b": []}}
    response = client.post("/v1/plans/csv", data=form(side_a=side_a, terms=json.dumps(terms)))
    assert response.status_code == 422
    rules = [(e["side"], e["rule"]) for e in response.json()["errors"]]
    assert ("side_a", "unknown_id") not in rules
    assert ("side_a", "missing_field") in rules
