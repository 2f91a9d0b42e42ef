"""Big documents go through the helper process, with the same answers and the same 422s."""

from __future__ import annotations

import json

from app.examples import EXCHANGE, PROPOSAL, SIDE_A_CSV, SIDE_B_CSV
from tests.app.bodies import assert_no_personal_data, exchange, with_canary
from tests.app.conftest import MakeClient


def test_every_document_route_works_through_the_helper_process(
    make_client: MakeClient,
) -> None:
    with make_client(document_processes=1, inline_below_bytes=0) as client:
        plan = client.post("/v1/plans", json=EXCHANGE)
        assert plan.status_code == 201
        assert plan.json()["status"] == "optimal"
        manifest = client.get(f"/v1/plans/{plan.json()['id']}/manifest.csv")
        assert manifest.text.count("\r\n") == 5
        report = client.post("/v1/plans/verify", json={**EXCHANGE, "plan": PROPOSAL}).json()
        assert report["valid"] is False
        scenario = {**EXCHANGE, "variants": [{"name": "as agreed", "terms": {}}]}
        table = client.post("/v1/scenarios", json=scenario).json()
        assert table["variants"][0]["status"] == "optimal"
        form = {"side_a": SIDE_A_CSV, "side_b": SIDE_B_CSV, "terms": json.dumps(EXCHANGE["terms"])}
        assert client.post("/v1/plans/csv", data=form).status_code == 201


def test_a_422_found_in_the_helper_process_is_the_same_422(make_client: MakeClient) -> None:
    with make_client(document_processes=1, inline_below_bytes=0) as client:
        body = with_canary(exchange(min_per_side=-1))
        response = client.post("/v1/plans", json=body)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "terms.min_per_side"
        assert_no_personal_data(response.text)
        scenario = {**exchange(), "variants": [{"name": "x", "terms": {"stages": [0]}}]}
        response = client.post("/v1/scenarios", json=scenario)
        assert [e["field"] for e in response.json()["errors"]] == ["variants[0].terms.stages"]
