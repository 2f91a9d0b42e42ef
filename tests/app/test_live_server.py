"""The service as it is deployed: a real uvicorn process on 127.0.0.1, driven over HTTP.

The server gets a free port and its own database file; it is stopped (SIGINT, as Ctrl-C)
at the end of the module, and every wait here is bounded.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from solver.synthetic import generate_request, request_json
from tests.app.bodies import assert_no_personal_data, exchange, with_canary

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 60.0
FINISHED = {"optimal", "feasible", "infeasible", "timeout", "cancelled", "failed"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    port = free_port()
    folder = tmp_path_factory.mktemp("live")
    env = {
        **os.environ,
        "EXCHANGE_DATABASE_URL": f"sqlite:///{folder / 'exchange.db'}",
        "EXCHANGE_WORKER_COUNT": "2",
    }
    command = [sys.executable, "-m", "uvicorn", "app.main:app"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    log = (folder / "server.log").open("wb")
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30.0)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _ready(client):
            assert server.poll() is None, (folder / "server.log").read_text()
            assert time.monotonic() < deadline, "the server did not become ready"
            time.sleep(0.1)
        yield client
    finally:
        client.close()
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=5)
        log.close()
    assert_no_personal_data((folder / "server.log").read_text(errors="replace"))


def _ready(client: httpx.Client) -> bool:
    try:
        return client.get("/readyz").status_code == 200
    except httpx.TransportError:
        return False


def cli_plan(path: Path) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-m", "solver.cli", "solve", str(path)],
        cwd=ROOT,
        capture_output=True,
        check=True,
        timeout=60,
    )
    plan: dict[str, Any] = json.loads(result.stdout)
    return plan


def poll(client: httpx.Client, location: str, timeout_s: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout_s
    while (job := client.get(location).json())["status"] not in FINISHED:
        assert time.monotonic() < deadline, f"job stuck in {job['status']}"
        time.sleep(0.05)
    return job


def test_live_plan_is_the_clis_plan(live: httpx.Client) -> None:
    path = ROOT / "examples" / "teaching.json"
    response = live.post("/v1/plans", content=path.read_bytes())
    assert response.status_code == 201
    plan = response.json()
    expected = cli_plan(path)
    for document in (plan, expected):
        document.pop("solve_seconds")
    assert plan.pop("id")
    assert plan == expected


def test_live_job_flow_reaches_optimal(live: httpx.Client) -> None:
    response = live.post("/v1/jobs", json=exchange())
    assert response.status_code == 202
    job = poll(live, response.headers["location"])
    assert job["status"] == "optimal"
    assert job["progress"]["levels_proven"] == len(job["progress"]["levels"])
    assert live.get(f"/v1/plans/{job['plan_id']}").json()["status"] == "optimal"


def test_live_invalid_body_is_422_without_personal_data(live: httpx.Client) -> None:
    body = with_canary(exchange())
    body["side_a"]["detainees"][0]["birth_date"] = "1987-13-45"
    body["side_a"]["detainees"][0]["age"] = -1
    response = live.post("/v1/plans", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert {(e["id"], e["field"]) for e in response.json()["errors"]} == {
        ("A-101", "birth_date"),
        ("A-101", "age"),
    }
    assert_no_personal_data(response.text)


def test_live_docs_and_openapi_are_served(live: httpx.Client) -> None:
    assert "swagger-ui" in live.get("/docs").text
    document = live.get("/openapi.json").json()
    assert "/v1/plans" in document["paths"]
    assert live.get("/v1/plans/example-plan").status_code == 200


@pytest.mark.slow
def test_live_stop_ends_a_long_real_solve_within_two_seconds(live: httpx.Client) -> None:
    body = generate_request(100_000, seed=11)
    body["options"] = {"time_limit_s": 120}
    response = live.post("/v1/jobs", content=request_json(body), timeout=120)
    assert response.status_code == 202
    location = response.headers["location"]
    deadline = time.monotonic() + 120
    while live.get(location).json()["status"] == "queued":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    started = time.monotonic()
    stopped = live.delete(location).json()
    assert time.monotonic() - started < 2.0
    assert stopped["status"] in FINISHED
    assert stopped["stop_requested"] is True
