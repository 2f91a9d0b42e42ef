"""A negotiation set up over HTTP, for the tests of access, privacy and faults.

`open_negotiation` plays the whole story through the API: the mediator opens a case,
issues a key to each party, the parties upload their lists (side A as JSON, side B as
CSV), the mediator sets the terms, solves and (optionally) publishes.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass
from typing import Any

import httpx

from app.examples import EXCHANGE, SIDE_B_CSV

MEDIATOR_TOKEN = "mediator-bootstrap-key-for-tests-0123456789abcdef"
FINISHED = {"optimal", "feasible", "infeasible", "timeout", "cancelled", "failed", "interrupted"}


def auth(token: str | None) -> dict[str, str]:
    return {"X-API-Key": token} if token is not None else {}


MEDIATOR = auth(MEDIATOR_TOKEN)


def side_list(side: str) -> dict[str, Any]:
    return copy.deepcopy(EXCHANGE[side])


def case_terms() -> dict[str, Any]:
    return {"terms": copy.deepcopy(EXCHANGE["terms"]), "options": dict(EXCHANGE["options"])}


@dataclass
class Negotiation:
    case_id: str
    side_a: dict[str, str]
    side_b: dict[str, str]
    key_ids: dict[str, str]
    job_id: str | None = None
    plan_id: str | None = None

    @property
    def path(self) -> str:
        return f"/v1/cases/{self.case_id}"


def poll_job(
    client: httpx.Client, job_id: str, headers: dict[str, str], timeout_s: float = 30
) -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        job = client.get(f"/v1/jobs/{job_id}", headers=headers).json()
        if job["status"] in FINISHED:
            return job
        assert time.monotonic() < deadline, f"job stuck in {job['status']}"
        time.sleep(0.05)


def open_negotiation(
    client: httpx.Client,
    *,
    side_a_list: dict[str, Any] | None = None,
    solve: bool = True,
    publish: bool = True,
    mediator: dict[str, str] = MEDIATOR,
) -> Negotiation:
    opened = client.post("/v1/cases", headers=mediator)
    assert opened.status_code == 201, opened.text
    case_id = opened.json()["id"]
    tokens, key_ids = {}, {}
    for side in ("side_a", "side_b"):
        issued = client.post(f"/v1/cases/{case_id}/keys", json={"role": side}, headers=mediator)
        assert issued.status_code == 201, issued.text
        tokens[side] = issued.json()["token"]
        key_ids[side] = issued.json()["id"]
    negotiation = Negotiation(case_id, auth(tokens["side_a"]), auth(tokens["side_b"]), key_ids)
    uploaded = client.put(
        f"{negotiation.path}/lists/side_a",
        json=side_a_list if side_a_list is not None else side_list("side_a"),
        headers=negotiation.side_a,
    )
    assert uploaded.status_code == 200, uploaded.text
    uploaded = client.put(
        f"{negotiation.path}/lists/side_b",
        content=SIDE_B_CSV.encode(),
        headers={**negotiation.side_b, "Content-Type": "text/csv"},
    )
    assert uploaded.status_code == 200, uploaded.text
    terms = client.put(f"{negotiation.path}/terms", json=case_terms(), headers=mediator)
    assert terms.status_code == 200, terms.text
    if not solve:
        return negotiation
    solved = client.post(f"{negotiation.path}/solve", headers=mediator)
    assert solved.status_code == 202, solved.text
    negotiation.job_id = solved.json()["id"]
    job = poll_job(client, negotiation.job_id, mediator)
    assert job["status"] == "optimal", job
    negotiation.plan_id = job["plan_id"]
    if publish:
        published = client.post(
            f"{negotiation.path}/publish", json={"plan_id": job["plan_id"]}, headers=mediator
        )
        assert published.status_code == 200, published.text
    return negotiation
