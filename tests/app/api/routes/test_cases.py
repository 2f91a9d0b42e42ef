"""/v1/cases: a negotiation from opening to publication, with each party's view of it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.examples import EXCHANGE
from tests.app.conftest import shared_service
from tests.app.databases import DATABASES
from tests.app.negotiation import (
    MEDIATOR,
    MEDIATOR_TOKEN,
    auth,
    case_terms,
    open_negotiation,
    poll_job,
    side_list,
)

PROBLEM_JSON = "application/problem+json"


@pytest.fixture(scope="module", params=DATABASES)
def secured(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    """The service with API keys on, on SQLite and on PostgreSQL (when configured)."""
    folder = tmp_path_factory.mktemp("cases")
    with shared_service(request.param, folder, bootstrap_mediator_key=MEDIATOR_TOKEN) as shared:
        yield shared


def test_negotiation_from_opening_to_publication(secured: TestClient) -> None:
    negotiation = open_negotiation(secured, publish=False)
    path = negotiation.path
    # Each party reads its own list back, never the other's.
    own = secured.get(f"{path}/lists/side_a", headers=negotiation.side_a)
    assert own.status_code == 200
    assert own.json() == EXCHANGE["side_a"]
    assert secured.get(f"{path}/lists/side_b", headers=negotiation.side_a).status_code == 404
    assert secured.get(f"{path}/lists/side_a", headers=negotiation.side_b).status_code == 404
    from_csv = secured.get(f"{path}/lists/side_b", headers=negotiation.side_b).json()
    assert [d["id"] for d in from_csv["detainees"]] == [
        d["id"] for d in EXCHANGE["side_b"]["detainees"]
    ]
    # Drafts are the mediator's until one is published.
    assert secured.get(f"{path}/plan", headers=negotiation.side_a).status_code == 404
    assert secured.get(f"{path}/drafts", headers=negotiation.side_a).status_code == 404
    assert (
        secured.get(f"/v1/plans/{negotiation.plan_id}", headers=negotiation.side_a).status_code
        == 404
    )
    drafts = secured.get(f"{path}/drafts", headers=MEDIATOR).json()["items"]
    assert [d["id"] for d in drafts] == [negotiation.plan_id]
    published = secured.post(
        f"{path}/publish", json={"plan_id": negotiation.plan_id}, headers=MEDIATOR
    )
    assert published.status_code == 200
    mediator_view = secured.get(f"{path}/plan", headers=MEDIATOR).json()
    for side, headers in (("side_a", negotiation.side_a), ("side_b", negotiation.side_b)):
        view = secured.get(f"{path}/plan", headers=headers)
        assert view.status_code == 200
        plan = view.json()
        assert plan["released"] == mediator_view["released"]
        assert plan["stages"] == mediator_view["stages"]
        # Why someone was not released is told only to the side that holds them.
        assert {entry["side"] for entry in plan["not_released"]} <= {side}
    case_a = secured.get(path, headers=negotiation.side_a).json()
    assert [entry["side"] for entry in case_a["lists"]] == ["side_a"]
    assert case_a["published_plan_id"] == negotiation.plan_id
    assert case_a["terms_set"] is None
    assert case_a["drafts"] is None
    case_m = secured.get(path, headers=MEDIATOR).json()
    assert [entry["side"] for entry in case_m["lists"]] == ["side_a", "side_b"]
    assert case_m["terms_set"] is True
    assert case_m["drafts"] == 1
    listed = secured.get("/v1/cases", headers=negotiation.side_b).json()
    assert [item["id"] for item in listed["items"]] == [negotiation.case_id]


def test_a_party_key_stops_working_when_revoked_or_its_case_is_deleted(
    secured: TestClient,
) -> None:
    negotiation = open_negotiation(secured, solve=False)
    key_a = negotiation.key_ids["side_a"]
    revoked = secured.delete(f"{negotiation.path}/keys/{key_a}", headers=MEDIATOR)
    assert revoked.status_code == 204
    assert secured.get(negotiation.path, headers=negotiation.side_a).status_code == 401
    keys = secured.get(f"{negotiation.path}/keys", headers=MEDIATOR).json()["items"]
    assert [k["revoked_at"] is not None for k in keys] == [True, False]
    assert "token" not in keys[0]
    assert secured.delete(negotiation.path, headers=MEDIATOR).status_code == 204
    assert secured.get(negotiation.path, headers=MEDIATOR).status_code == 404
    assert secured.get(negotiation.path, headers=negotiation.side_b).status_code == 401


def test_solving_without_both_lists_or_terms_is_a_409(secured: TestClient) -> None:
    case_id = secured.post("/v1/cases", headers=MEDIATOR).json()["id"]
    refused = secured.post(f"/v1/cases/{case_id}/solve", headers=MEDIATOR)
    assert refused.status_code == 409
    assert "side_a and side_b" in refused.json()["detail"]
    for side in ("side_a", "side_b"):
        secured.put(f"/v1/cases/{case_id}/lists/{side}", json=side_list(side), headers=MEDIATOR)
    refused = secured.post(f"/v1/cases/{case_id}/solve", headers=MEDIATOR)
    assert refused.status_code == 409
    assert "terms" in refused.json()["detail"]


def test_terms_naming_unknown_ids_are_refused_when_solving(secured: TestClient) -> None:
    negotiation = open_negotiation(secured, solve=False)
    terms = case_terms()
    terms["terms"]["must_include"] = {"side_a": ["A-999"], "side_b": []}
    assert secured.put(f"{negotiation.path}/terms", json=terms, headers=MEDIATOR).status_code == 200
    refused = secured.post(f"{negotiation.path}/solve", headers=MEDIATOR)
    assert refused.status_code == 422
    assert [(e["side"], e["id"], e["rule"]) for e in refused.json()["errors"]] == [
        ("side_a", "A-999", "unknown_id")
    ]


def test_bad_terms_and_bad_lists_are_422_problems(secured: TestClient) -> None:
    negotiation = open_negotiation(secured, solve=False)
    bad_terms = secured.put(
        f"{negotiation.path}/terms",
        json={"terms": {"min_per_side": -1, "colour": 1}, "extra": True},
        headers=MEDIATOR,
    )
    assert bad_terms.status_code == 422
    fields = {(e["field"], e["rule"]) for e in bad_terms.json()["errors"]}
    assert fields == {
        ("terms.min_per_side", "out_of_range"),
        ("terms.colour", "unknown_field"),
        ("extra", "unknown_field"),
    }
    people = side_list("side_a")
    people["detainees"].append(dict(people["detainees"][0]))
    bad_list = secured.put(
        f"{negotiation.path}/lists/side_a", json=people, headers=negotiation.side_a
    )
    assert bad_list.status_code == 422
    assert bad_list.headers["content-type"] == PROBLEM_JSON
    assert {(e["side"], e["id"], e["rule"]) for e in bad_list.json()["errors"]} == {
        ("side_a", "A-101", "duplicate_id")
    }
    bad_csv = secured.put(
        f"{negotiation.path}/lists/side_b",
        content=b"id,age\nB-1,old\n",
        headers={**negotiation.side_b, "Content-Type": "text/csv"},
    )
    assert bad_csv.status_code == 422
    assert [(e["side"], e["row"], e["field"]) for e in bad_csv.json()["errors"]] == [
        ("side_b", 2, "age")
    ]


def test_an_infeasible_draft_cannot_be_published(secured: TestClient) -> None:
    negotiation = open_negotiation(secured, solve=False)
    terms = case_terms()
    terms["terms"]["min_per_side"] = 10
    secured.put(f"{negotiation.path}/terms", json=terms, headers=MEDIATOR)
    job_id = secured.post(f"{negotiation.path}/solve", headers=MEDIATOR).json()["id"]
    job = poll_job(secured, job_id, MEDIATOR)
    assert job["status"] == "infeasible"
    refused = secured.post(
        f"{negotiation.path}/publish", json={"plan_id": job["plan_id"]}, headers=MEDIATOR
    )
    assert refused.status_code == 409
    other = secured.post(
        f"{negotiation.path}/publish", json={"plan_id": "not-a-draft"}, headers=MEDIATOR
    )
    assert other.status_code == 404


def test_missing_and_wrong_keys_are_401_problems_with_a_challenge(secured: TestClient) -> None:
    for headers in (
        {},
        auth("exk_0123456789abcdef_not-the-secret"),
        auth("garbage"),
        {"Authorization": "Bearer exk_0123456789abcdef_nope"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
    ):
        response = secured.get("/v1/cases", headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["content-type"] == PROBLEM_JSON
        assert response.headers["www-authenticate"].startswith("Bearer")
    bearer = secured.get("/v1/cases", headers={"Authorization": "Bearer " + MEDIATOR["X-API-Key"]})
    assert bearer.status_code == 200


def test_publishing_another_draft_replaces_the_publication(secured: TestClient) -> None:
    negotiation = open_negotiation(secured)
    job_id = secured.post(f"{negotiation.path}/solve", headers=MEDIATOR).json()["id"]
    second = poll_job(secured, job_id, MEDIATOR)["plan_id"]
    published = secured.post(
        f"{negotiation.path}/publish", json={"plan_id": second}, headers=MEDIATOR
    )
    assert published.status_code == 200
    for _ in range(3):  # the same answer every time: one plan is published
        assert (
            secured.get(f"{negotiation.path}/plan", headers=negotiation.side_a).json()["id"]
            == second
        )
