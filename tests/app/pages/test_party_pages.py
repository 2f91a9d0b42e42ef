"""A party's key opens its own case page, its own list and the published plan; every
other page answers 404, exactly as the API's access rules say."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from tests.app.negotiation import MEDIATOR_TOKEN, Negotiation, open_negotiation, side_list
from tests.app.pages.signing_in import signed_in


@pytest.fixture(scope="module")
def negotiations(secured: TestClient) -> tuple[Negotiation, Negotiation]:
    return open_negotiation(secured), open_negotiation(secured, publish=False)


def test_party_sees_its_case_list_and_published_plan(
    secured: TestClient, negotiations: tuple[Negotiation, Negotiation]
) -> None:
    mine, _ = negotiations
    party, _ = signed_in(secured, mine.side_a["X-API-Key"])
    case = f"/cases/{mine.case_id}"
    assert party.get("/", follow_redirects=False).headers["location"] == case
    page = party.get(case)
    assert page.status_code == 200
    assert "Read the plan" in page.text
    own = party.get(f"{case}/lists/side_a")
    assert own.status_code == 200
    assert party.get(f"{case}/published").status_code == 200


def test_party_sees_only_its_own_reasons_in_the_published_plan(
    secured: TestClient, negotiations: tuple[Negotiation, Negotiation]
) -> None:
    mine, _ = negotiations
    party, _ = signed_in(secured, mine.side_a["X-API-Key"])
    page = party.get(f"/cases/{mine.case_id}/published", params={"nr_side": "side_b"})
    assert page.status_code == 200
    plan = secured.get(f"/v1/cases/{mine.case_id}/plan", headers=mine.side_b).json()
    other_side_ids = [entry["id"] for entry in plan["not_released"]]
    assert other_side_ids
    whole = party.get(f"/cases/{mine.case_id}/published").text
    for person_id in other_side_ids:
        assert f">{person_id}<" not in whole


@pytest.mark.parametrize(
    "path",
    [
        "/cases/{other}",
        "/cases/{other}/lists/side_a",
        "/cases/{other}/published",
        "/cases/{mine}/lists/side_b",
        "/cases/{mine}/lists",
        "/cases/{mine}/terms",
        "/cases/{mine}/solve",
        "/cases/{mine}/plans/{plan}",
        "/cases/{mine}/plans/{plan}/manifest.csv",
        "/cases/{mine}/plans/{plan}/chart.svg",
        "/cases/{mine}/plans/{plan}/plan.json",
        "/cases/{mine}/jobs/{job}",
    ],
)
def test_party_gets_nothing_else(
    secured: TestClient, negotiations: tuple[Negotiation, Negotiation], path: str
) -> None:
    mine, other = negotiations
    party, _ = signed_in(secured, mine.side_a["X-API-Key"])
    url = path.format(other=other.case_id, mine=mine.case_id, plan=mine.plan_id, job=mine.job_id)
    answer = party.get(url, follow_redirects=False)
    assert answer.status_code == 404, url
    assert "text/html" in answer.headers["content-type"]
    for secret in (other.case_id, "Side B's list", "B-2"):
        assert secret not in answer.text


def test_party_changes_only_its_own_list(
    secured: TestClient, negotiations: tuple[Negotiation, Negotiation]
) -> None:
    mine, other = negotiations
    party, token = signed_in(secured, mine.side_a["X-API-Key"])
    upload = {"list_file": ("a.json", json.dumps(side_list("side_a")), "application/json")}
    for path in (
        f"/cases/{mine.case_id}/lists/side_b",
        f"/cases/{other.case_id}/lists/side_a",
        f"/cases/{mine.case_id}/keys",
        f"/cases/{mine.case_id}/solve",
        f"/cases/{mine.case_id}/delete",
        "/cases",
    ):
        answer = party.post(path, data={"csrf_token": token}, files=upload)
        assert answer.status_code == 404, path
    ok = party.post(
        f"/cases/{mine.case_id}/lists/side_a",
        data={"csrf_token": token},
        files=upload,
        follow_redirects=False,
    )
    assert ok.status_code == 303


def test_a_bad_list_is_reported_by_row_and_field_without_its_content(
    secured: TestClient, negotiations: tuple[Negotiation, Negotiation]
) -> None:
    _, other = negotiations
    mediator, token = signed_in(secured, MEDIATOR_TOKEN)
    bad = "id,name,birth_date\nB-1,Canary Person,31.12.1990\nB-1,Other,\n"
    answer = mediator.post(
        f"/cases/{other.case_id}/lists/side_b",
        data={"csrf_token": token},
        files={"list_file": ("b.csv", bad, "text/csv")},
    )
    assert answer.status_code == 422
    assert "invalid_cell" in answer.text
    assert "birth_date" in answer.text
    assert "duplicate" in answer.text
    assert "Canary" not in answer.text
    assert "31.12.1990" not in answer.text
