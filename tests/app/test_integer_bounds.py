"""Every whole number a client sends is bounded in the schema, so a number past 64 bits is
a 422 naming the field, never a 500 from the database or the solver."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.examples import PROPOSAL
from tests.app.bodies import exchange

HUGE = 2**64


def integer_query_parameters(document: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(method, path, name) of every integer query or path parameter."""
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                kinds = [schema.get("type")] + [s.get("type") for s in schema.get("anyOf", [])]
                if "integer" in kinds:
                    yield method, path, parameter["name"]


def request_schemas(document: dict[str, Any]) -> set[str]:
    """The components a request body refers to, directly or through other components."""
    schemas = document["components"]["schemas"]
    found: set[str] = set()
    waiting = [
        media["schema"]
        for item in document["paths"].values()
        for operation in item.values()
        for media in operation.get("requestBody", {}).get("content", {}).values()
        if "schema" in media
    ]
    while waiting:
        node = waiting.pop()
        if isinstance(node, dict):
            reference = node.get("$ref")
            if isinstance(reference, str):
                name = reference.rsplit("/", 1)[-1]
                if name not in found:
                    found.add(name)
                    waiting.append(schemas[name])
            waiting.extend(node.values())
        elif isinstance(node, list):
            waiting.extend(node)
    return found


def unbounded_integers(node: Any, at: str) -> Iterator[str]:
    if isinstance(node, dict):
        if node.get("type") == "integer" and "maximum" not in node:
            yield at
        for key, value in node.items():
            yield from unbounded_integers(value, f"{at}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from unbounded_integers(value, f"{at}[{i}]")


def test_every_integer_a_request_can_carry_has_a_maximum(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    parameters = list(integer_query_parameters(document))
    assert {name for _, _, name in parameters} >= {"offset", "limit", "after"}
    for method, path, name in parameters:
        operation = document["paths"][path][method]
        (schema,) = [p["schema"] for p in operation["parameters"] if p["name"] == name]
        assert "maximum" in schema, (method, path, name)
    bodies = request_schemas(document)
    assert {"ExchangeRequest", "Terms", "Options", "Detainee", "VerifyRequest"} <= bodies
    schemas = document["components"]["schemas"]
    assert [at for name in sorted(bodies) for at in unbounded_integers(schemas[name], name)] == []


@pytest.mark.parametrize(
    "url",
    [
        "/v1/audit?after=9223372036854775808",
        f"/v1/audit?after={HUGE}",
        f"/v1/plans?offset={HUGE}",
        f"/v1/cases?offset={HUGE}",
        f"/v1/plans?limit={HUGE}",
    ],
)
def test_a_query_number_past_64_bits_is_a_422(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 422, response.text


def with_value(body: dict[str, Any], path: tuple[str | int, ...], value: object) -> Any:
    changed = copy.deepcopy(body)
    node: Any = changed
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return changed


@pytest.mark.parametrize(
    ("path", "field"),
    [
        (("terms", "min_per_side"), "terms.min_per_side"),
        (("terms", "max_per_side"), "terms.max_per_side"),
        (("terms", "stages"), "terms.stages"),
        (("terms", "young_age_limit"), "terms.young_age_limit"),
        (("options", "seed"), "options.seed"),
        (("options", "workers"), "options.workers"),
    ],
)
def test_a_body_number_past_64_bits_is_a_422_naming_the_field(
    client: TestClient, path: tuple[str, ...], field: str
) -> None:
    value: object = [HUGE] if path[-1] == "stages" else HUGE
    for url in ("/v1/plans", "/v1/jobs"):
        response = client.post(url, json=with_value(exchange(), path, value))
        assert response.status_code == 422, (url, response.text)
        assert [e["field"] for e in response.json()["errors"]] == [field]
    scenario = {**exchange(), "variants": [{"name": "big", "terms": {path[-1]: value}}]}
    if path[0] == "terms":
        response = client.post("/v1/scenarios", json=scenario)
        assert response.status_code == 422, response.text


def test_a_proposed_stage_number_past_64_bits_is_a_422(client: TestClient) -> None:
    proposal = copy.deepcopy(PROPOSAL)
    proposal["stages"][0]["number"] = HUGE
    response = client.post("/v1/plans/verify", json={**exchange(), "plan": proposal})
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"].startswith("plan.stages")


def test_the_largest_allowed_numbers_are_answered_not_refused(client: TestClient) -> None:
    body = exchange(min_per_side=10**9, max_per_side=10**9, stages=[10**9, 10**9])
    response = client.post("/v1/plans", json=body)
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "infeasible"
