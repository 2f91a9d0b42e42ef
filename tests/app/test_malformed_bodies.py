"""Every operation that takes a body, sent bodies no client should send: a 4xx problem
each time, never a 500, and nothing of the body quoted back."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.app.negotiation import MEDIATOR, open_negotiation

MALFORMED: dict[str, tuple[bytes, str]] = {
    "empty": (b"", "application/json"),
    "not_json": (b"Canary Qwxzy,1961-07-29", "application/json"),
    "truncated": (
        b'{"side_a": {"detainees": [{"id": "A-1", "name": "Canary Qwxzy"',
        "application/json",
    ),
    "array": (b'["Canary Qwxzy"]', "application/json"),
    "deep_arrays": (b"[" * 100_000, "application/json"),
    "deep_objects": (b'{"a":' * 20_000 + b"1" + b"}" * 20_000, "application/json"),
    "not_utf8": (b'{"name": "\xff\xfe Canary"}', "application/json"),
    "nan": (b'{"terms": {"min_per_side": NaN}, "side_a": {}, "side_b": {}}', "application/json"),
    "huge_number": (b'{"terms": {"min_per_side": 1' + b"0" * 5000 + b"}}", "application/json"),
    "csv_garbage": (b"\x00\x01\x02Canary Qwxzy\n\n\n,,,", "text/csv"),
    "form_garbage": (b"--x\r\nCanary Qwxzy\r\n", "multipart/form-data; boundary=x"),
}


@pytest.fixture(scope="module")
def targets(secured: TestClient) -> list[tuple[str, str]]:
    negotiation = open_negotiation(secured, solve=False)
    document = secured.get("/openapi.json").json()
    found = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if "requestBody" not in operation:
                continue
            concrete = path.replace("{case_id}", negotiation.case_id).replace("{side}", "side_a")
            found.append((method.upper(), concrete))
    assert len(found) >= 10
    return found


@pytest.mark.parametrize("kind", sorted(MALFORMED))
def test_malformed_bodies_are_4xx_problems(
    secured: TestClient, targets: list[tuple[str, str]], kind: str
) -> None:
    body, content_type = MALFORMED[kind]
    for method, path in targets:
        response = secured.request(
            method, path, content=body, headers={**MEDIATOR, "Content-Type": content_type}
        )
        assert 400 <= response.status_code < 500, (kind, method, path, response.status_code)
        assert response.headers["content-type"] == "application/problem+json"
        assert "Canary" not in response.text
        assert "Qwxzy" not in response.text
