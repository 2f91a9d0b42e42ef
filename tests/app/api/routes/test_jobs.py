"""POST/GET/DELETE /v1/jobs: background solves, progress, stop, cancel and a full queue."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.examples import EXAMPLE_JOB_ID
from tests.app.bodies import assert_no_personal_data, exchange, with_canary
from tests.app.conftest import MakeClient, shared_service, wait_for_examples
from tests.app.databases import DATABASES
from tests.app.fake_solvers import (
    solve_crashing,
    solve_finding_nothing,
    solve_ignoring_stop,
    solve_raising,
    solve_slowly,
)

FINISHED = {"optimal", "feasible", "infeasible", "timeout", "cancelled", "failed"}


@pytest.fixture(params=DATABASES)
def database_kind(request: pytest.FixtureRequest) -> str:
    """Every test here runs on SQLite and on PostgreSQL (when one is configured)."""
    kind: str = request.param
    return kind


@pytest.fixture(scope="module", params=DATABASES)
def client(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    """The service on the real solver, with the example records, on each database."""
    folder = tmp_path_factory.mktemp("jobs")
    with shared_service(request.param, folder, seed_examples=True) as shared:
        wait_for_examples(shared)
        yield shared


def slow_exchange(time_limit_s: float = 30.0) -> dict[str, Any]:
    body = exchange()
    body["options"]["time_limit_s"] = time_limit_s
    return body


def poll(client: TestClient, location: str, until: set[str], timeout_s: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        job = client.get(location).json()
        if job["status"] in until:
            return job
        assert time.monotonic() < deadline, f"job stuck in {job['status']}"
        time.sleep(0.05)


def test_job_flow_reaches_optimal_with_the_plan(client: TestClient) -> None:
    response = client.post("/v1/jobs", json=exchange())
    assert response.status_code == 202
    job = response.json()
    assert response.headers["location"] == f"/v1/jobs/{job['id']}"
    assert job["status"] in {"queued", "running", "optimal"}
    done = poll(client, response.headers["location"], FINISHED)
    assert done["status"] == "optimal"
    assert done["progress"]["levels_proven"] == len(done["progress"]["levels"]) == 11
    assert done["progress"]["best_objective"]["released"] == 8
    assert done["plan"]["id"] == done["plan_id"]
    assert done["plan"]["status"] == "optimal"
    stored = client.get(f"/v1/plans/{done['plan_id']}").json()
    assert stored == done["plan"]


def test_job_for_infeasible_terms_ends_infeasible(client: TestClient) -> None:
    response = client.post("/v1/jobs", json=exchange(min_per_side=10))
    done = poll(client, response.headers["location"], FINISHED)
    assert done["status"] == "infeasible"
    assert done["plan"]["conflicts"]


def test_read_job_unknown_id_is_a_404_problem(client: TestClient) -> None:
    response = client.get("/v1/jobs/nope")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert client.delete("/v1/jobs/nope").status_code == 404


def test_stopping_a_finished_job_changes_nothing(client: TestClient) -> None:
    location = client.post("/v1/jobs", json=exchange()).headers["location"]
    done = poll(client, location, FINISHED)
    response = client.delete(location)
    assert response.status_code == 200
    assert response.json() == done


def test_example_job_is_stored_at_start_up(client: TestClient) -> None:
    assert poll(client, f"/v1/jobs/{EXAMPLE_JOB_ID}", FINISHED)["status"] == "optimal"


def test_invalid_job_body_is_a_422_without_personal_data(client: TestClient) -> None:
    body = with_canary(exchange(min_per_side="many"))
    body["side_a"]["detainees"][0]["age"] = "old"
    response = client.post("/v1/jobs", json=body)
    assert response.status_code == 422
    fields = {(e["id"], e["field"]) for e in response.json()["errors"]}
    assert fields == {(None, "terms.min_per_side"), ("A-101", "age")}
    assert_no_personal_data(response.text)


def test_stop_ends_a_running_solve_within_two_seconds_keeping_its_plan(
    make_client: MakeClient,
) -> None:
    with make_client(solve_slowly) as client:
        location = client.post("/v1/jobs", json=slow_exchange()).headers["location"]
        running = poll(client, location, {"running"} | FINISHED)
        assert running["status"] == "running"
        running = poll_progress(client, location)
        assert running["elapsed_s"] > 0
        assert running["progress"]["levels_proven"] == 1
        assert running["progress"]["best_objective"]["released"] == 8
        started = time.monotonic()
        response = client.delete(location)
        elapsed = time.monotonic() - started
        assert response.status_code == 200
        stopped = response.json()
        assert elapsed < 2.0
        assert stopped["status"] == "feasible"
        assert stopped["stop_requested"] is True
        assert stopped["plan"]["released"]["side_a"] == ["A-101", "A-102", "A-103", "A-106"]


def poll_progress(client: TestClient, location: str) -> Any:
    deadline = time.monotonic() + 10
    while True:
        job = client.get(location).json()
        if job["progress"] is not None:
            return job
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_stop_kills_a_solve_that_ignores_it_after_the_grace(make_client: MakeClient) -> None:
    """The solver ignores the stop; after `stop_grace_s` it is killed and the job keeps the
    plan it last reported. The answer waits for that (up to `cancel_wait_s`).

    The test used to bound the whole round trip at 2 s with `cancel_wait_s` at 2 s too:
    on a loaded machine the kill, the plan's write and the HTTP answer after a 1 s grace
    did not always fit in the other second, and the answer came before the outcome. The
    bound is the product's (stop_grace_s plus a kill), not a wall clock the test can hold:
    here the answer may wait longer, and must show the killed solve's outcome."""
    settings = {"stop_grace_s": 1.0, "overrun_grace_s": 0.5, "cancel_wait_s": 30.0}
    with make_client(solve_ignoring_stop, **settings) as client:
        location = client.post("/v1/jobs", json=slow_exchange()).headers["location"]
        poll_progress(client, location)
        started = time.monotonic()
        stopped = client.delete(location).json()
        assert time.monotonic() - started >= 1.0, "killed only after the grace"
        assert stopped["status"] == "feasible"
        assert stopped["plan"] is not None
        assert stopped["error"].startswith("the solver did not stop in time")
        # The killed worker is replaced; a solve overrunning its time limit is killed too.
        location = client.post("/v1/jobs", json=slow_exchange(1.0)).headers["location"]
        overrun = poll(client, location, FINISHED, timeout_s=60.0)
        assert overrun["status"] == "feasible"
        assert overrun["error"] == "time limit overrun; worker stopped"


def test_a_stop_before_the_first_plan_ends_cancelled_and_the_time_limit_timeout(
    make_client: MakeClient,
) -> None:
    """One status per situation: stopped before any plan was found is `cancelled`
    (as when the solver has to be killed first); out of time without a plan, `timeout`."""
    with make_client(solve_finding_nothing, stop_grace_s=1.0, cancel_wait_s=30.0) as client:
        location = client.post("/v1/jobs", json=slow_exchange()).headers["location"]
        poll_progress(client, location)
        stopped = client.delete(location).json()
        assert (stopped["status"], stopped["plan"]) == ("cancelled", None)
        location = client.post("/v1/jobs", json=slow_exchange(0.3)).headers["location"]
        assert poll(client, location, FINISHED)["status"] == "timeout"


def test_stop_cancels_a_queued_job(make_client: MakeClient) -> None:
    with make_client(solve_slowly, worker_count=1) as client:
        running = client.post("/v1/jobs", json=slow_exchange()).headers["location"]
        # Claimed from the database by the instance's queue: running only once a worker
        # has it (a stop before that cancels it too).
        poll(client, running, {"running"})
        queued = client.post("/v1/jobs", json=slow_exchange()).headers["location"]
        assert client.get(queued).json()["status"] == "queued"
        cancelled = client.delete(queued).json()
        assert cancelled["status"] == "cancelled"
        assert cancelled["plan"] is None
        assert client.delete(running).json()["status"] == "feasible"


def test_full_queue_answers_503_with_retry_after(make_client: MakeClient) -> None:
    with make_client(solve_slowly, worker_count=1, queue_size=1, retry_after_s=7) as client:
        first = client.post("/v1/jobs", json=slow_exchange())
        poll(client, first.headers["location"], {"running"})
        second = client.post("/v1/jobs", json=slow_exchange())
        assert second.status_code == 202
        refused = client.post("/v1/jobs", json=slow_exchange())
        assert refused.status_code == 503
        assert refused.headers["retry-after"] == "7"
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["type"].endswith("solver-busy")
        assert client.post("/v1/plans", json=slow_exchange()).status_code == 503
        for response in (second, first):
            client.delete(response.headers["location"])


def test_a_crashed_worker_fails_its_job_and_the_next_job_succeeds(
    make_client: MakeClient,
) -> None:
    with make_client(solve_crashing) as client:
        body = exchange()
        body["side_a"]["name"] = "crash"
        location = client.post("/v1/jobs", json=body).headers["location"]
        crashed = poll(client, location, FINISHED)
        assert crashed["status"] == "failed"
        assert crashed["error"] == "solver process exited"
        location = client.post("/v1/jobs", json=exchange()).headers["location"]
        assert poll(client, location, FINISHED)["status"] == "optimal"


def test_a_failing_solve_is_a_failed_job_that_names_no_one(make_client: MakeClient) -> None:
    with make_client(solve_raising) as client:
        location = client.post("/v1/jobs", json=with_canary(exchange())).headers["location"]
        failed = poll(client, location, FINISHED)
        assert failed["status"] == "failed"
        assert failed["error"].startswith("RuntimeError at fake_solvers.py:")
        assert_no_personal_data(client.get(location).text)
        response = client.post("/v1/plans", json=with_canary(exchange()))
        assert response.status_code == 500
        assert response.json()["type"].endswith("solve-failed")
        assert_no_personal_data(response.text)
