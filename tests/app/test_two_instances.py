"""Two instances of the service on one database, as real uvicorn processes: a job
submitted to one, which is then killed (SIGKILL), finishes on the other; the rate limit
holds across both. On PostgreSQL when one is configured (CI), and on one SQLite file.
Each test starts two servers, so they are slow tests (CI runs them).
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.app.bodies import exchange
from tests.app.databases import DATABASES, POSTGRES_URL, database_url
from tests.app.live_server import LiveServer
from tests.app.negotiation import MEDIATOR, MEDIATOR_TOKEN


def wait_for(client: httpx.Client, job_id: str, done: Callable[[Any], bool]) -> Any:
    deadline = time.monotonic() + 60
    while not done(job := client.get(f"/v1/jobs/{job_id}", headers=MEDIATOR).json()):
        assert time.monotonic() < deadline, job
        time.sleep(0.1)
    return job


def slow_job(time_limit_s: float) -> dict[str, Any]:
    body = exchange()
    body["side_a"]["name"] = "slow"  # tests.app.live_app's solver takes its time limit
    body["options"]["time_limit_s"] = time_limit_s
    return body


@pytest.mark.slow
@pytest.mark.parametrize("kind", DATABASES)
def test_a_job_of_a_killed_instance_finishes_on_the_other(kind: str, tmp_path: Path) -> None:
    """`second` starts first, its one worker kept busy, so that `first` claims the job;
    `first` is then killed, and `second`, free again, takes the job over."""
    with database_url(kind, tmp_path) as url:
        settings = {
            "EXCHANGE_DATABASE_URL": url,
            "EXCHANGE_BOOTSTRAP_MEDIATOR_KEY": MEDIATOR_TOKEN,
            "EXCHANGE_RATE_LIMIT_PER_S": "0",
            "EXCHANGE_WORKER_COUNT": "1",
            "EXCHANGE_JOB_LEASE_S": "2",
            "EXCHANGE_JOB_POLL_INTERVAL_S": "0.2",
            "EXCHANGE_CANCEL_WAIT_S": "30",
        }
        for name in ("first", "second"):
            (tmp_path / name).mkdir()
        first = LiveServer(tmp_path / "first", settings)
        second = LiveServer(tmp_path / "second", settings)
        try:
            with second.start().client() as other:
                busy = other.post("/v1/jobs", json=slow_job(60), headers=MEDIATOR).json()["id"]
                wait_for(other, busy, lambda job: job["status"] == "running")
                with first.start().client() as one:
                    job_id = one.post("/v1/jobs", json=slow_job(3), headers=MEDIATOR).json()["id"]
                    wait_for(one, job_id, lambda job: job["status"] == "running")
                # Starting `first` touched nobody's job: `second`'s still runs.
                job = other.get(f"/v1/jobs/{busy}", headers=MEDIATOR).json()
                assert (job["status"], job["attempts"]) == ("running", 1)
                first.stop(signal.SIGKILL)
                stopped = other.delete(f"/v1/jobs/{busy}", headers=MEDIATOR).json()
                assert stopped["status"] == "feasible"
                done = wait_for(other, job_id, lambda job: job["status"] == "optimal")
                assert done["attempts"] == 2, "taken over once the first one's lease ended"
                assert done["plan"]["status"] == "optimal"
        finally:
            first.stop()
            second.stop()


@pytest.mark.slow
@pytest.mark.skipif(not POSTGRES_URL, reason="no PostgreSQL configured")
def test_the_rate_limit_holds_across_instances(tmp_path: Path) -> None:
    """On PostgreSQL, the several-instance case (tests/app/core/test_rate_limits.py holds
    the shared counters to the same on SQLite)."""
    kind = "postgresql"
    with database_url(kind, tmp_path) as url:
        settings = {
            "EXCHANGE_DATABASE_URL": url,
            "EXCHANGE_BOOTSTRAP_MEDIATOR_KEY": MEDIATOR_TOKEN,
            "EXCHANGE_RATE_LIMIT_STORAGE": "database",
            "EXCHANGE_RATE_LIMIT_PER_S": "0.05",
            "EXCHANGE_RATE_LIMIT_BURST": "6",
        }
        (tmp_path / "first").mkdir()
        (tmp_path / "second").mkdir()
        with (
            LiveServer(tmp_path / "first", settings) as first,
            LiveServer(tmp_path / "second", settings) as second,
            first.client() as one,
            second.client() as other,
        ):
            statuses = [
                client.get("/v1/plans", headers=MEDIATOR).status_code
                for client in (one, other, one, other, one, other, one, other)
            ]
            assert statuses == [200] * 6 + [429, 429]
