"""The service's processes: ready only when every helper is, and gone when it stops.

A real uvicorn is started and stopped as an operator would; after it ends, nothing it
started (solver workers, the document helper, multiprocessing's resource tracker) may be
left running.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from app.core.offload import Offload
from tests.app.bodies import exchange
from tests.app.conftest import MakeClient
from tests.app.live_server import LiveServer


def test_the_document_helper_is_ready_only_once_it_has_started() -> None:
    offload = Offload(1, inline_below=0)
    offload.start()
    try:
        assert not offload.ready(), "a spawned helper needs a moment to import"
        deadline = time.monotonic() + 60
        while not offload.ready():
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        offload.close()
    assert not offload.ready()
    assert Offload(0, inline_below=0).ready(), "without helpers, documents go to threads"


def test_readyz_is_503_until_the_document_helper_is_ready(make_client: MakeClient) -> None:
    with make_client(document_processes=1) as client:
        body = client.get("/readyz").json()
        assert body["status"] == "ready"
        assert body["document_helper"] == "ready"

        class Starting(Offload):
            def ready(self) -> bool:
                return False

        state = client.app.state  # type: ignore[attr-defined]
        state.offload, running = Starting(1, 0), state.offload
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["document_helper"] == "starting"
        state.offload = running


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_stopping_just_after_ready_leaves_no_process_behind(
    tmp_path: Path, sig: signal.Signals
) -> None:
    settings = {"EXCHANGE_WORKER_COUNT": "1", "EXCHANGE_DOCUMENT_PROCESSES": "1"}
    server = LiveServer(tmp_path, settings).start()
    left = server.stop(sig, leftovers_wait_s=10.0)
    assert left == [], server.log()[-3000:]


def test_readyz_says_the_helper_state(client: TestClient) -> None:
    assert client.get("/readyz").json()["document_helper"] == "off"  # document_processes=0


def test_a_clean_stop_gives_a_running_job_back_to_run_at_the_next_start(tmp_path: Path) -> None:
    """SIGTERM while a job runs: nobody cancelled it, so it is not `cancelled`; it waits
    in the queue, and the next start runs it again (a clean stop costs no attempt)."""
    body = exchange()
    body["side_a"]["name"] = "slow"  # tests.app.live_app's solver takes its time limit
    body["options"]["time_limit_s"] = 30
    settings = {"EXCHANGE_WORKER_COUNT": "1", "EXCHANGE_CANCEL_WAIT_S": "30"}
    server = LiveServer(tmp_path, settings).start()
    with server.client() as client:
        job_id = client.post("/v1/jobs", json=body).json()["id"]
        wait_for(client, job_id, lambda job: job["status"] == "running")
    assert server.stop(signal.SIGTERM, leftovers_wait_s=10.0) == []
    restarted = LiveServer(tmp_path, settings, port=server.port)
    with restarted, restarted.client() as client:
        job = wait_for(client, job_id, lambda job: job["status"] == "running")
        assert job["attempts"] == 1
        stopped = client.delete(f"/v1/jobs/{job_id}").json()
        assert (stopped["status"], stopped["attempts"]) == ("feasible", 1)
        assert stopped["plan"] is not None


def wait_for(client: httpx.Client, job_id: str, done: Callable[[Any], bool]) -> Any:
    deadline = time.monotonic() + 60
    while not done(job := client.get(f"/v1/jobs/{job_id}").json()):
        assert time.monotonic() < deadline, job
        time.sleep(0.05)
    return job
