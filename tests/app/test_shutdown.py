"""The service ends only after every call it handed to a thread, so a session that stops it
early (a short test run) exits cleanly.

The example records are stored in the background after start-up, last of all the example
reconciliation, on DuckDB in a thread. A run of a few quick tests on the shared client used
to stop the service in the middle of it: the thread ran on into the interpreter's exit, and
when DuckDB took the GIL back CPython ended the thread with `pthread_exit`, which DuckDB's
C++ frames turned into an abort ("FATAL: exception not rethrown", exit code 134).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from app.case_store import CaseStore
from app.reconciliation.store import ReconciliationStore
from tests.app.conftest import MakeClient

ROOT = Path(__file__).resolve().parents[2]
STARTED_TIMEOUT_S = 60.0


def test_the_service_stops_only_after_the_example_reconciliation_in_its_thread(
    make_client: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    started, returned = threading.Event(), threading.Event()

    def reconciling_slowly(cases: CaseStore, reconciliations: ReconciliationStore) -> None:
        started.set()
        time.sleep(1.0)
        returned.set()

    monkeypatch.setattr("app.example_records.store_example_reconciliation", reconciling_slowly)
    with make_client(seed_examples=True):
        assert started.wait(STARTED_TIMEOUT_S), "the example reconciliation never started"
    assert returned.is_set(), "the service stopped while the reconciliation was in its thread"


# The module whose short runs aborted at exit most often (3 runs in 4); each takes 10 to 20
# seconds, most of it imports and the solver workers' start.
SHORT_SESSION = "tests/app/api/routes/test_health.py"
SESSION_TIMEOUT_S = 300


@pytest.mark.slow
def test_short_sessions_on_the_shared_client_exit_cleanly() -> None:
    command = [sys.executable, "-m", "pytest", SHORT_SESSION, "-q", "-p", "no:cacheprovider"]
    environment = {**os.environ, "PYTHONFAULTHANDLER": "1"}
    for attempt in range(3):
        run = subprocess.run(
            command,
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=SESSION_TIMEOUT_S,
            check=False,
        )
        assert run.returncode == 0, f"run {attempt + 1}: exit code {run.returncode}\n" + (
            run.stdout[-2000:] + run.stderr[-4000:]
        )
