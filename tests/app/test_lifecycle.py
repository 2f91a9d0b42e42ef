"""The service's processes: ready only when every helper is, and gone when it stops.

A real uvicorn is started and stopped as an operator would; after it ends, nothing it
started (solver workers, the document helper, multiprocessing's resource tracker) may be
left running.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.core.offload import Offload
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
