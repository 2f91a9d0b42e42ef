"""The trust properties probed on a live server, as an outsider would probe them.

A canary person goes through every flow, errors included, and is then looked for in
everything the server wrote (its log and its workers'), its metrics, every error body and
every URL it handed out. Bodies over the limit are refused before authentication, also
when chunked. Crashes, cancels, overruns and a hard restart are survived, with keys on.
"""

from __future__ import annotations

import copy
import json
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.examples import EXCHANGE, VERIFY_EXAMPLES
from tests.app.live_server import LiveServer
from tests.app.negotiation import (
    FINISHED,
    MEDIATOR,
    MEDIATOR_TOKEN,
    case_terms,
    open_negotiation,
    poll_job,
)

CANARY_NAME = "Canary Qwxzy"
CANARY_BIRTH_DATE = "1961-07-29"
CANARY_TRACES = ("Canary", "Qwxzy", "qwxzy", CANARY_BIRTH_DATE)
MAX_BODY_BYTES = 1024 * 1024

SETTINGS = {
    "EXCHANGE_BOOTSTRAP_MEDIATOR_KEY": MEDIATOR_TOKEN,
    "EXCHANGE_WORKER_COUNT": "2",
    "EXCHANGE_RATE_LIMIT_PER_S": "0",
    "EXCHANGE_MAX_BODY_BYTES": str(MAX_BODY_BYTES),
    "EXCHANGE_STOP_GRACE_S": "1",
    # Production keeps at least 5 s (the solver explains infeasible terms after its
    # limit); the stand-in that overruns needs no such room.
    "EXCHANGE_OVERRUN_GRACE_S": "1",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with LiveServer(tmp_path_factory.mktemp("trust"), SETTINGS) as live:
        yield live


@pytest.fixture(scope="module")
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with server.client() as live_client:
        yield live_client


def canary_side_a(name: str = "Side A") -> dict[str, Any]:
    side: dict[str, Any] = copy.deepcopy(EXCHANGE["side_a"])
    side["name"] = name
    side["detainees"][0]["name"] = CANARY_NAME
    side["detainees"][0]["birth_date"] = CANARY_BIRTH_DATE
    return side


def canary_exchange(**changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(EXCHANGE)
    body["side_a"] = canary_side_a()
    body["terms"].update(changes)
    return body


def assert_no_canary(text: str, where: str) -> None:
    for trace in CANARY_TRACES:
        assert trace not in text, f"{trace!r} found in {where}"


class Recorder:
    """Every response of the canary run: error bodies and every URL handed out are checked."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        self.responses: list[httpx.Response] = []

    def send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        assert_no_canary(url, "a URL the test was given")
        response = self.client.request(method, url, **kwargs)
        self.responses.append(response)
        return response

    def check(self) -> None:
        for response in self.responses:
            headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
            assert_no_canary(headers, f"the headers of {response.request.url.path}")
            if response.status_code >= 400:
                assert_no_canary(response.text, f"the {response.status_code} body")


def test_live_start_up_says_keys_are_required(server: LiveServer) -> None:
    lines = [json.loads(line) for line in server.log().splitlines() if line.startswith("{")]
    assert any("API keys required" in line["message"] for line in lines)


def test_live_canary_is_in_no_log_metric_error_body_or_url(
    server: LiveServer, client: httpx.Client
) -> None:
    run = Recorder(client)
    negotiation = open_negotiation(client, side_a_list=canary_side_a())
    path = negotiation.path
    a, b = negotiation.side_a, negotiation.side_b
    # The flows that succeed: the list is read back by its owner, the plan by everyone.
    assert run.send("GET", f"{path}/lists/side_a", headers=a).status_code == 200
    for headers in (a, b, MEDIATOR):
        plan = run.send("GET", f"{path}/plan", headers=headers)
        assert plan.status_code == 200
        assert_no_canary(plan.text, "a published plan")
    assert run.send("GET", f"/v1/plans/{negotiation.plan_id}/manifest.csv", headers=MEDIATOR)
    created = run.send("POST", "/v1/plans", json=canary_exchange(), headers=MEDIATOR)
    assert created.status_code == 201
    assert_no_canary(created.text, "a stored plan")
    job = run.send("POST", "/v1/jobs", json=canary_exchange(), headers=MEDIATOR)
    assert job.status_code == 202
    done = poll_job(client, job.json()["id"], MEDIATOR)
    assert_no_canary(json.dumps(done), "a job")
    assert (
        run.send(
            "POST",
            "/v1/scenarios",
            json={
                **canary_exchange(),
                "variants": [{"name": "floor 4", "terms": {"min_per_side": 4}}],
            },
            headers=MEDIATOR,
        ).status_code
        == 200
    )
    verify = {**VERIFY_EXAMPLES["split_family"]["value"], "side_a": canary_side_a()}
    assert run.send("POST", "/v1/plans/verify", json=verify, headers=MEDIATOR).status_code == 200
    infeasible = run.send(
        "POST", "/v1/plans", json=canary_exchange(min_per_side=10), headers=MEDIATOR
    )
    assert infeasible.status_code == 201
    assert_no_canary(infeasible.text, "an infeasible plan")

    # The flows that fail, each with the canary somewhere in what was sent.
    bad = canary_side_a()
    bad["detainees"][0]["age"] = "old"
    bad["detainees"][1]["birth_date"] = CANARY_NAME
    bad["detainees"][2][CANARY_NAME] = CANARY_BIRTH_DATE
    bad["detainees"][3]["name"] = 17
    assert run.send("PUT", f"{path}/lists/side_a", json=bad, headers=a).status_code == 422
    bad_body = canary_exchange()
    bad_body["side_a"] = bad
    bad_body["terms"]["reference_date"] = "1950-01-01"  # before the canary's birth
    for route in ("/v1/plans", "/v1/jobs"):
        assert run.send("POST", route, json=bad_body, headers=MEDIATOR).status_code == 422
    headerless = f"A-1,{CANARY_NAME},{CANARY_BIRTH_DATE}\nA-2,x,1990-01-01\n"
    assert (
        run.send(
            "PUT",
            f"{path}/lists/side_b",
            content=headerless.encode(),
            headers={**b, "Content-Type": "text/csv"},
        ).status_code
        == 422
    )
    bad_cells = f"id,name,birth_date,age\nB-1,{CANARY_NAME},{CANARY_NAME},{CANARY_BIRTH_DATE}\n"
    assert (
        run.send(
            "PUT",
            f"{path}/lists/side_b",
            content=bad_cells.encode(),
            headers={**b, "Content-Type": "text/csv"},
        ).status_code
        == 422
    )
    form_csv = {"side_a": headerless, "side_b": bad_cells, "terms": {"min_per_side": 1}}
    assert run.send("POST", "/v1/plans/csv", json=form_csv, headers=MEDIATOR).status_code == 422
    truncated = json.dumps(canary_exchange())[:-40]
    assert (
        run.send("POST", "/v1/plans", content=truncated.encode(), headers=MEDIATOR).status_code
        == 422
    )
    # Another party, no key, a wrong key: the canary's list goes nowhere.
    assert run.send("GET", f"{path}/lists/side_a", headers=b).status_code == 404
    assert (
        run.send("PUT", f"{path}/lists/side_a", json=canary_side_a(), headers=b).status_code == 404
    )
    assert run.send("PUT", f"{path}/lists/side_a", json=canary_side_a()).status_code == 401
    assert run.send("POST", "/v1/plans", json=canary_exchange(), headers=b).status_code == 404
    # The canary in places a careless client might put it: the URL, the query, headers.
    for url in (
        f"/v1/plans/{CANARY_NAME}",
        f"/v1/cases/{CANARY_NAME}/lists/side_a",
        f"/v1/plans?offset={CANARY_NAME}",
        f"/v1/{CANARY_NAME}",
    ):
        response = client.get(url, headers={**MEDIATOR, "X-Request-ID": CANARY_NAME})
        run.responses.append(response)
        assert response.status_code in (404, 422)
    big = {"side_a": canary_side_a(), "padding": "x" * MAX_BODY_BYTES}
    assert run.send("POST", "/v1/plans", json=big, headers=MEDIATOR).status_code == 413
    assert run.send("DELETE", path, headers=MEDIATOR).status_code == 204

    run.check()
    metrics = client.get("/metrics")
    assert metrics.status_code == 200
    assert_no_canary(metrics.text, "/metrics")
    audit = client.get("/v1/audit", params={"limit": 1000}, headers=MEDIATOR)
    assert_no_canary(audit.text, "the audit trail")
    log = server.log()
    assert "request" in log  # the access lines are there, so the search is meaningful
    assert_no_canary(log, "the server's log")
    for line in log.splitlines():
        if line.startswith("{"):
            assert "/v1/plans/Canary" not in line


def raw_status(server: LiveServer, head: str, body: bytes = b"") -> int:
    """Send a hand-written request (lengths an HTTP client would refuse to lie about)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(head.replace("\n", "\r\n").encode() + body)
        status_line = connection.recv(64).split(b"\r\n", 1)[0]
    return int(status_line.split()[1])


def test_live_oversized_bodies_are_413_before_authentication(
    server: LiveServer, client: httpx.Client
) -> None:
    declared = f"POST /v1/plans HTTP/1.1\nHost: x\nContent-Length: {MAX_BODY_BYTES + 1}\n\n"
    assert raw_status(server, declared, b"{}") == 413

    def chunks() -> Iterator[bytes]:
        for _ in range(40):
            yield b" " * (64 * 1024)

    chunked = client.post(
        "/v1/plans", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert chunked.status_code == 413
    assert chunked.headers["content-type"] == "application/problem+json"
    hand_chunked = "POST /v1/cases HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\n"
    piece = b" " * 65536
    body = (f"{len(piece):x}\r\n".encode() + piece + b"\r\n") * 20
    assert raw_status(server, hand_chunked, body) == 413
    small_without_key = client.post("/v1/plans", content=b"{}")
    assert small_without_key.status_code == 401


def slow_exchange(name: str, time_limit_s: float) -> dict[str, Any]:
    body = copy.deepcopy(EXCHANGE)
    body["side_a"]["name"] = name
    body["options"]["time_limit_s"] = time_limit_s
    return body


def wait_status(client: httpx.Client, job_id: str, statuses: set[str]) -> Any:
    deadline = time.monotonic() + 30
    while (job := client.get(f"/v1/jobs/{job_id}", headers=MEDIATOR).json())[
        "status"
    ] not in statuses:
        assert time.monotonic() < deadline, job
        time.sleep(0.05)
    return job


def test_live_crash_cancel_and_overrun_with_keys_on(client: httpx.Client) -> None:
    crashed = client.post("/v1/jobs", json=slow_exchange("crash", 5), headers=MEDIATOR).json()
    failed = wait_status(client, crashed["id"], FINISHED)
    assert failed["status"] == "failed"
    assert failed["error"] == "solver process exited"
    after_crash = client.post("/v1/plans", json=slow_exchange("Side A", 5), headers=MEDIATOR)
    assert after_crash.status_code == 201
    assert after_crash.json()["status"] == "optimal"

    slow = client.post("/v1/jobs", json=slow_exchange("slow", 30), headers=MEDIATOR).json()
    wait_status(client, slow["id"], {"running"})
    assert (
        client.delete(f"/v1/jobs/{slow['id']}", headers=negotiation_party(client)).status_code
        == 404
    )
    started = time.monotonic()
    stopped = client.delete(f"/v1/jobs/{slow['id']}", headers=MEDIATOR).json()
    assert time.monotonic() - started < 2.0
    assert stopped["status"] in {"feasible", "optimal", "cancelled"}

    stubborn = client.post("/v1/jobs", json=slow_exchange("stubborn", 1), headers=MEDIATOR).json()
    started = time.monotonic()
    overrun = wait_status(client, stubborn["id"], FINISHED)
    # Killed at time limit + grace (1 s + 1 s here), well before the solve would end.
    assert time.monotonic() - started < 10
    assert overrun["error"] == "time limit overrun; worker stopped"
    assert client.get("/readyz").status_code in (200, 503)
    deadline = time.monotonic() + 30
    while client.get("/readyz").status_code != 200:
        assert time.monotonic() < deadline
        time.sleep(0.1)


def negotiation_party(client: httpx.Client) -> dict[str, str]:
    """A party's key, for showing that it cannot touch the mediator's jobs."""
    case_id = client.post("/v1/cases", headers=MEDIATOR).json()["id"]
    token = client.post(f"/v1/cases/{case_id}/keys", json={"role": "side_a"}, headers=MEDIATOR)
    return {"Authorization": f"Bearer {token.json()['token']}"}


def test_live_hard_restart_keeps_plans_and_runs_the_running_job_again(tmp_path: Path) -> None:
    """SIGKILL, as a power cut: the plans and the audit trail are kept, and the job that
    was running is taken over once its lease runs out, as its second attempt."""
    settings = {**SETTINGS, "EXCHANGE_JOB_LEASE_S": "2"}
    server = LiveServer(tmp_path, settings).start()
    try:
        with server.client() as client:
            negotiation = open_negotiation(client)
            terms = case_terms()
            client.put(
                f"{negotiation.path}/lists/side_a",
                json=canary_side_a("slow"),
                headers=negotiation.side_a,
            )
            terms["options"]["time_limit_s"] = 30
            client.put(f"{negotiation.path}/terms", json=terms, headers=MEDIATOR)
            running = client.post(f"{negotiation.path}/solve", headers=MEDIATOR).json()
            wait_status(client, running["id"], {"running"})
    finally:
        server.stop(signal.SIGKILL)
    restarted = LiveServer(tmp_path, settings, port=server.port)
    with restarted, restarted.client() as client:
        deadline = time.monotonic() + 30
        while (job := client.get(f"/v1/jobs/{running['id']}", headers=MEDIATOR).json())[
            "attempts"
        ] < 2 or job["status"] != "running":
            assert time.monotonic() < deadline, job
            time.sleep(0.1)
        stopped = client.delete(f"/v1/jobs/{running['id']}", headers=MEDIATOR).json()
        assert stopped["status"] == "feasible"
        assert stopped["attempts"] == 2
        published = client.get(f"{negotiation.path}/plan", headers=negotiation.side_b)
        assert published.status_code == 200
        assert published.json()["id"] == negotiation.plan_id
        verified = client.get("/v1/audit/verify", headers=MEDIATOR).json()
        assert verified["valid"] is True
