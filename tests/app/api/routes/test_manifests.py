"""GET /v1/plans/{id}/manifest.csv: pairs per stage, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient

from app.examples import EXAMPLE_PLAN_ID
from tests.app.bodies import exchange


def rows_of(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_manifest_pairs_like_for_like_first(client: TestClient) -> None:
    response = client.get(f"/v1/plans/{EXAMPLE_PLAN_ID}/manifest.csv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["content-disposition"]
    rows = rows_of(response.text)
    pairs = [(r["stage"], r["side_a_id"], r["side_b_id"], r["match"]) for r in rows]
    assert pairs == [
        ("1", "A-102", "B-202", "status and health"),
        ("1", "A-103", "B-203", "status and health"),
        ("2", "A-101", "B-205", "health"),
        ("2", "A-106", "B-206", "health"),
    ]
    assert rows[2]["side_a_name"] == "Synthetic Person One"


def test_manifest_neutralises_formulas_in_names_and_ids(client: TestClient) -> None:
    body = exchange(stages=None, must_include={"side_a": [], "side_b": []})
    hostile = {
        "A-101": '=HYPERLINK("http://x")',
        "A-102": "+1+1",
        "A-103": "-2+3",
        "A-106": "@SUM(A1)",
        "B-202": "\tTAB",
        "B-203": "\rCR",
    }
    for side in ("side_a", "side_b"):
        for person in body[side]["detainees"]:
            person["name"] = hostile.get(person["id"])
    body["side_b"]["detainees"][1]["id"] = "=1+2"  # B-202, seriously ill: always released
    plan = client.post("/v1/plans", json=body).json()
    assert plan["status"] == "optimal"
    text = client.get(f"/v1/plans/{plan['id']}/manifest.csv").text
    cells = [cell for row in csv.reader(io.StringIO(text.removeprefix("\ufeff"))) for cell in row]
    assert "'=1+2" in cells
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    names = {row[f"{side}_name"] for row in rows_of(text) for side in ("side_a", "side_b")}
    assert {"'" + name for name in hostile.values()} <= names


def test_manifest_of_an_infeasible_plan_is_just_the_header(client: TestClient) -> None:
    plan = client.post("/v1/plans", json=exchange(min_per_side=10)).json()
    assert rows_of(client.get(f"/v1/plans/{plan['id']}/manifest.csv").text) == []


def test_manifest_of_an_unknown_plan_is_404(client: TestClient) -> None:
    response = client.get("/v1/plans/nope/manifest.csv")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
