"""Every route against every kind of caller: the mediator, each party of a case, a party
of another case, no key and a wrong key.

A party reaches its own case, its own list and the published plan; everything else is a
404, as if it did not exist. No key or a wrong one is a 401 on every versioned route.
The matrix is checked to cover every operation of the OpenAPI document.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.examples import (
    CASE_EVENTS_EXAMPLES,
    EXCHANGE,
    REPAIR_EXAMPLES,
    SIDE_B_CSV,
    VERIFY_EXAMPLES,
)
from tests.app.bodies import exchange
from tests.app.negotiation import (
    MEDIATOR,
    Negotiation,
    auth,
    case_terms,
    open_negotiation,
    side_list,
)

CALLERS = ("mediator", "side_a", "side_b", "other_case", "no_key", "wrong_key")
PUBLIC = {"/healthz", "/readyz", "/metrics", "/docs", "/openapi.json"}


@dataclass
class World:
    """Two published cases (X with both parties, Y whose side A is `other_case`), and
    spare things for the destructive routes to act on."""

    client: TestClient
    x: Negotiation
    y: Negotiation

    def headers(self, caller: str) -> dict[str, str]:
        return {
            "mediator": MEDIATOR,
            "side_a": self.x.side_a,
            "side_b": self.x.side_b,
            "other_case": self.y.side_a,
            "no_key": {},
            "wrong_key": auth("exk_00000000000000ff_wrong"),
        }[caller]

    def spare_case(self) -> str:
        return str(self.client.post("/v1/cases", headers=MEDIATOR).json()["id"])

    def spare_plan(self) -> str:
        return str(self.client.post("/v1/plans", json=exchange(), headers=MEDIATOR).json()["id"])

    def reconciled(self) -> str:
        """Case X's path, with a stored reconciliation of side A's list."""
        response = self.client.post(
            f"{self.x.path}/reconcile", json=_reconcile_body(), headers=MEDIATOR
        )
        assert response.status_code == 201, response.text
        return self.x.path

    def last_event(self) -> str:
        """The path of case X's last event, just recorded (changed facts, which may be
        recorded again and again)."""
        response = self.client.post(
            f"{self.x.path}/events",
            json=CASE_EVENTS_EXAMPLES["changed_facts"]["value"],
            headers=MEDIATOR,
        )
        assert response.status_code == 201, response.text
        return f"{self.x.path}/events/{response.json()['items'][-1]['seq']}"

    def spare_key(self) -> str:
        issued = self.client.post(
            f"{self.x.path}/keys", json={"role": "side_b"}, headers=MEDIATOR
        ).json()
        return str(issued["id"])


@dataclass(frozen=True)
class Call:
    method: str
    template: str
    # Who gets a 2xx; the others get 404 (parties) or 401 (no key, wrong key).
    allowed: frozenset[str]
    path: Callable[[World], str]
    body: Callable[[World], dict[str, Any]] = lambda _world: {}


MEDIATOR_ONLY = frozenset({"mediator"})
BOTH_PARTIES = frozenset({"mediator", "side_a", "side_b"})


def _csv_upload() -> dict[str, Any]:
    return {
        "json": {
            "side_a": "id,age\nA-1,30\n",
            "side_b": "id,age\nB-1,30\n",
            "terms": {"min_per_side": 1},
        }
    }


def _reconcile_body() -> dict[str, Any]:
    """Case X's side A list holds one named person (A-101); side B asks for them."""
    return {
        "held_side": "side_a",
        "requested": [{"id": "R-1", "name": "Synthetic Person One", "birth_date": "1990-03-14"}],
    }


CALLS = [
    Call(
        "POST",
        "/v1/plans/verify",
        MEDIATOR_ONLY,
        lambda w: "/v1/plans/verify",
        lambda w: {"json": VERIFY_EXAMPLES["split_family"]["value"]},
    ),
    Call(
        "POST", "/v1/plans/csv", MEDIATOR_ONLY, lambda w: "/v1/plans/csv", lambda w: _csv_upload()
    ),
    Call("POST", "/v1/jobs/csv", MEDIATOR_ONLY, lambda w: "/v1/jobs/csv", lambda w: _csv_upload()),
    Call("POST", "/v1/plans", MEDIATOR_ONLY, lambda w: "/v1/plans", lambda w: {"json": exchange()}),
    Call("GET", "/v1/plans", MEDIATOR_ONLY, lambda w: "/v1/plans"),
    Call("GET", "/v1/plans/{plan_id}", MEDIATOR_ONLY, lambda w: f"/v1/plans/{w.x.plan_id}"),
    Call("DELETE", "/v1/plans/{plan_id}", MEDIATOR_ONLY, lambda w: f"/v1/plans/{w.spare_plan()}"),
    Call(
        "GET",
        "/v1/plans/{plan_id}/manifest.csv",
        MEDIATOR_ONLY,
        lambda w: f"/v1/plans/{w.x.plan_id}/manifest.csv",
    ),
    Call(
        "GET",
        "/v1/plans/{plan_id}/chart.svg",
        MEDIATOR_ONLY,
        lambda w: f"/v1/plans/{w.x.plan_id}/chart.svg",
    ),
    Call("POST", "/v1/jobs", MEDIATOR_ONLY, lambda w: "/v1/jobs", lambda w: {"json": exchange()}),
    Call("GET", "/v1/jobs/{job_id}", MEDIATOR_ONLY, lambda w: f"/v1/jobs/{w.x.job_id}"),
    Call("DELETE", "/v1/jobs/{job_id}", MEDIATOR_ONLY, lambda w: f"/v1/jobs/{w.x.job_id}"),
    Call(
        "POST",
        "/v1/scenarios",
        MEDIATOR_ONLY,
        lambda w: "/v1/scenarios",
        lambda w: {"json": {**EXCHANGE, "variants": [{"name": "as agreed", "terms": {}}]}},
    ),
    Call("POST", "/v1/cases", MEDIATOR_ONLY, lambda w: "/v1/cases"),
    Call("GET", "/v1/cases", frozenset(CALLERS[:4]), lambda w: "/v1/cases"),
    Call("GET", "/v1/cases/{case_id}", BOTH_PARTIES, lambda w: w.x.path),
    Call("DELETE", "/v1/cases/{case_id}", MEDIATOR_ONLY, lambda w: f"/v1/cases/{w.spare_case()}"),
    Call(
        "PUT",
        "/v1/cases/{case_id}/lists/{side}",
        frozenset({"mediator", "side_a"}),
        lambda w: f"{w.x.path}/lists/side_a",
        lambda w: {"json": side_list("side_a")},
    ),
    Call(
        "PUT",
        "/v1/cases/{case_id}/lists/{side}",
        frozenset({"mediator", "side_b"}),
        lambda w: f"{w.x.path}/lists/side_b",
        lambda w: {"content": SIDE_B_CSV.encode(), "headers": {"Content-Type": "text/csv"}},
    ),
    Call(
        "GET",
        "/v1/cases/{case_id}/lists/{side}",
        frozenset({"mediator", "side_a"}),
        lambda w: f"{w.x.path}/lists/side_a",
    ),
    Call(
        "GET",
        "/v1/cases/{case_id}/lists/{side}",
        frozenset({"mediator", "side_b"}),
        lambda w: f"{w.x.path}/lists/side_b",
    ),
    Call(
        "PUT",
        "/v1/cases/{case_id}/terms",
        MEDIATOR_ONLY,
        lambda w: f"{w.x.path}/terms",
        lambda w: {"json": case_terms()},
    ),
    Call("GET", "/v1/cases/{case_id}/terms", MEDIATOR_ONLY, lambda w: f"{w.x.path}/terms"),
    Call("POST", "/v1/cases/{case_id}/solve", MEDIATOR_ONLY, lambda w: f"{w.x.path}/solve"),
    Call("GET", "/v1/cases/{case_id}/drafts", MEDIATOR_ONLY, lambda w: f"{w.x.path}/drafts"),
    Call(
        "POST",
        "/v1/cases/{case_id}/publish",
        MEDIATOR_ONLY,
        lambda w: f"{w.x.path}/publish",
        lambda w: {"json": {"plan_id": w.x.plan_id}},
    ),
    Call("GET", "/v1/cases/{case_id}/plan", BOTH_PARTIES, lambda w: f"{w.x.path}/plan"),
    Call(
        "POST",
        "/v1/cases/{case_id}/keys",
        MEDIATOR_ONLY,
        lambda w: f"{w.x.path}/keys",
        lambda w: {"json": {"role": "side_a"}},
    ),
    Call("GET", "/v1/cases/{case_id}/keys", MEDIATOR_ONLY, lambda w: f"{w.x.path}/keys"),
    Call(
        "DELETE",
        "/v1/cases/{case_id}/keys/{key_id}",
        MEDIATOR_ONLY,
        lambda w: f"{w.x.path}/keys/{w.spare_key()}",
    ),
    Call(
        "POST",
        "/v1/plans/repair",
        MEDIATOR_ONLY,
        lambda w: "/v1/plans/repair",
        lambda w: {"json": REPAIR_EXAMPLES["dropout_after_stage_1"]["value"]},
    ),
    # Changed facts, not an executed stage: the registry is service-wide, and the other
    # tests' cases list the same people.
    Call(
        "POST",
        "/v1/cases/{case_id}/events",
        MEDIATOR_ONLY,
        lambda w: f"{w.x.path}/events",
        lambda w: {"json": CASE_EVENTS_EXAMPLES["changed_facts"]["value"]},
    ),
    Call("GET", "/v1/cases/{case_id}/events", BOTH_PARTIES, lambda w: f"{w.x.path}/events"),
    Call("DELETE", "/v1/cases/{case_id}/events/{seq}", MEDIATOR_ONLY, lambda w: w.last_event()),
    Call("POST", "/v1/cases/{case_id}/repair", MEDIATOR_ONLY, lambda w: f"{w.x.path}/repair"),
    Call(
        "GET",
        "/v1/cases/{case_id}/plan/versions",
        BOTH_PARTIES,
        lambda w: f"{w.x.path}/plan/versions",
    ),
    Call(
        "GET",
        "/v1/cases/{case_id}/plan/versions/{version}",
        BOTH_PARTIES,
        lambda w: f"{w.x.path}/plan/versions/1",
    ),
    Call("GET", "/v1/registry", MEDIATOR_ONLY, lambda w: "/v1/registry"),
    Call("GET", "/v1/registry.csv", MEDIATOR_ONLY, lambda w: "/v1/registry.csv"),
    Call(
        "POST",
        "/v1/reconcile",
        MEDIATOR_ONLY,
        lambda w: "/v1/reconcile",
        lambda w: {
            "json": {
                "held": [{"id": "B-1", "name": "Synthetic Person Two"}],
                "requested": [{"id": "R-1", "name": "Synthetic Person Two"}],
            }
        },
    ),
    Call(
        "POST",
        "/v1/cases/{case_id}/reconcile",
        MEDIATOR_ONLY,
        lambda w: f"{w.x.path}/reconcile",
        lambda w: {"json": _reconcile_body()},
    ),
    Call(
        "GET",
        "/v1/cases/{case_id}/reconcile",
        MEDIATOR_ONLY,
        lambda w: f"{w.reconciled()}/reconcile",
    ),
    Call(
        "GET", "/v1/cases/{case_id}/matches", MEDIATOR_ONLY, lambda w: f"{w.reconciled()}/matches"
    ),
    Call(
        "PUT",
        "/v1/cases/{case_id}/matches/{item_id}",
        MEDIATOR_ONLY,
        lambda w: f"{w.reconciled()}/matches/m-0",
        lambda w: {"json": {"decision": "confirmed"}},
    ),
    Call(
        "POST",
        "/v1/cases/{case_id}/reconcile/apply",
        MEDIATOR_ONLY,
        lambda w: f"{w.reconciled()}/reconcile/apply",
    ),
    Call("GET", "/v1/audit", MEDIATOR_ONLY, lambda w: "/v1/audit"),
    Call("GET", "/v1/audit/verify", MEDIATOR_ONLY, lambda w: "/v1/audit/verify"),
]


@pytest.fixture(scope="module")
def world(secured: TestClient) -> World:
    return World(secured, open_negotiation(secured), open_negotiation(secured))


def expected_status(call: Call, caller: str) -> str:
    if caller in call.allowed:
        return "2xx"
    return "401" if caller in ("no_key", "wrong_key") else "404"


def test_the_matrix_covers_every_operation(secured: TestClient) -> None:
    document = secured.get("/openapi.json").json()
    operations = {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if path not in PUBLIC
    }
    assert operations == {(call.method, call.template) for call in CALLS}


@pytest.mark.parametrize("call", CALLS, ids=lambda c: f"{c.method} {c.template}")
def test_access_matrix(world: World, call: Call) -> None:
    seen = {}
    # The mediator goes last, so destructive calls do not remove what the others probe.
    for caller in sorted(CALLERS, key=lambda c: c == "mediator"):
        kwargs = call.body(world)
        headers = {**kwargs.pop("headers", {}), **world.headers(caller)}
        response = world.client.request(call.method, call.path(world), headers=headers, **kwargs)
        status = response.status_code
        seen[caller] = "2xx" if 200 <= status < 300 else str(status)
        if status == 401:
            assert response.headers["www-authenticate"].startswith("Bearer")
        if status >= 400:
            assert response.headers["content-type"] == "application/problem+json"
    assert seen == {caller: expected_status(call, caller) for caller in CALLERS}


def test_operational_routes_are_public(secured: TestClient) -> None:
    for path in PUBLIC:
        assert secured.get(path).status_code == 200, path


def test_a_party_learns_nothing_from_a_bad_request_to_a_route_it_may_not_use(
    world: World,
) -> None:
    # Authorization comes before the body is read: no 422 telling what the route expects.
    response = world.client.post("/v1/plans", content=b"{not json", headers=world.x.side_a)
    assert response.status_code == 404
    response = world.client.post("/v1/plans", content=b"{not json")
    assert response.status_code == 401
