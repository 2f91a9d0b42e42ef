"""/docs and /openapi.json: every operation has an example, and every example works as is."""

from __future__ import annotations

import json
import re
import time
from typing import Any

from fastapi.testclient import TestClient

from app.examples import EXAMPLE_PLAN_TO_DELETE_ID

PROBLEM_JSON = "application/problem+json"


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


def example_path(path: str, operation: dict[str, Any]) -> str:
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            (example,) = parameter["examples"].values()
            path = path.replace("{" + parameter["name"] + "}", str(example["value"]))
    return path


def example_requests(operation: dict[str, Any]) -> list[dict[str, Any]]:
    """Keyword arguments for `client.request`, one per example of the body (or none)."""
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        return [{"json": e["value"]} for e in content["application/json"]["examples"].values()]
    return [{}]


def test_docs_page_serves_swagger_ui(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert "swagger-ui" in response.text


def test_every_operation_documents_its_errors_and_examples(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    for name in ("ExchangeRequest", "Detainee", "Terms", "VerifyRequest", "ScenarioRequest"):
        assert name in schemas
    for path, method, operation in operations(document):
        body = operation.get("requestBody")
        if body is not None:
            assert "examples" in body["content"]["application/json"], (method, path)
        if "{" in path:
            assert "404" in operation["responses"], (method, path)


def test_every_schema_reference_resolves(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    references = set(re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', json.dumps(document)))
    assert references
    assert references <= set(document["components"]["schemas"])


def test_every_example_succeeds_when_sent_as_is(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    tried = 0
    # Deleting comes last, so the example plan it removes is not needed afterwards.
    ordered = sorted(operations(document), key=lambda op: op[1] == "delete")
    for path, method, operation in ordered:
        for arguments in example_requests(operation):
            response = client.request(method.upper(), example_path(path, operation), **arguments)
            assert response.is_success, (method, path, response.status_code, response.text[:500])
            assert str(response.status_code) in operation["responses"], (method, path)
            tried += 1
    assert tried >= 18
    # The deletable example comes back, so the example works again.
    deadline = time.monotonic() + 20
    while client.get(f"/v1/plans/{EXAMPLE_PLAN_TO_DELETE_ID}").status_code != 200:
        assert time.monotonic() < deadline
        time.sleep(0.05)
