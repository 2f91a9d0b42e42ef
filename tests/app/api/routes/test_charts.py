"""GET /v1/plans/{id}/chart.svg: the stored plan drawn as SVG, counts only."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter

from fastapi.testclient import TestClient

from app.examples import EXAMPLE_PLAN_ID
from tests.app.bodies import assert_no_personal_data, exchange, with_canary

SVG = "{http://www.w3.org/2000/svg}"


def test_chart_draws_the_stored_plan(client: TestClient) -> None:
    plan = client.get(f"/v1/plans/{EXAMPLE_PLAN_ID}").json()
    response = client.get(f"/v1/plans/{EXAMPLE_PLAN_ID}/chart.svg")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert "default-src 'none'" in response.headers["content-security-policy"]
    root = ET.fromstring(response.text)
    drawn: Counter[tuple[int, str]] = Counter()
    for rect in root.iter(f"{SVG}rect"):
        if rect.get("data-panel") == "stages":
            drawn[(int(rect.attrib["data-stage"]), rect.attrib["data-side"])] += int(
                rect.attrib["data-count"]
            )
    expected = {
        (stage["number"], side): len(stage[side])
        for stage in plan["stages"]
        for side in ("side_a", "side_b")
        if stage[side]
    }
    assert dict(drawn) == expected


def test_chart_of_a_new_plan_holds_no_personal_data(client: TestClient) -> None:
    created = client.post("/v1/plans", json=with_canary(exchange()))
    assert created.status_code == 201
    response = client.get(f"/v1/plans/{created.json()['id']}/chart.svg")
    assert response.status_code == 200
    assert_no_personal_data(response.text)


def test_chart_of_an_unknown_plan_is_404(client: TestClient) -> None:
    response = client.get("/v1/plans/no-such-plan/chart.svg")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
