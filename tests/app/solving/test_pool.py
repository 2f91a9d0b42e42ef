"""The solver pool without HTTP: queue room, stop, cancel, close."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from app.examples import EXCHANGE
from app.solving.messages import ProgressSnapshot, SolveOutcome
from app.solving.pool import QueueFullError, SolverPool, SolveTask
from solver.input_errors import parse_request
from tests.app.fake_solvers import solve_slowly

REQUEST_JSON = parse_request(EXCHANGE).model_dump_json()


class Recorder:
    """A listener that remembers what it was told."""

    def __init__(self) -> None:
        self.events: list[str] = []
        self.progress: list[ProgressSnapshot] = []
        self.outcome: SolveOutcome | None = None
        self.lock = threading.Lock()

    def started(self) -> None:
        self.events.append("started")

    def progressed(self, progress: ProgressSnapshot) -> None:
        self.progress.append(progress)

    def finished(self, outcome: SolveOutcome) -> None:
        self.events.append("finished")
        self.outcome = outcome


def task(task_id: str, time_limit_s: float = 30.0) -> tuple[SolveTask, Recorder]:
    recorder = Recorder()
    return SolveTask(task_id, REQUEST_JSON, time_limit_s, recorder), recorder


@pytest.fixture
def pool() -> Iterator[SolverPool]:
    started = SolverPool(solve_slowly, workers=1, queue_size=1, stop_grace_s=1.0)
    started.start()
    deadline = time.monotonic() + 60
    while started.workers_alive() < 1:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    yield started
    started.close(timeout_s=5)


def wait_running(pool: SolverPool) -> None:
    deadline = time.monotonic() + 10
    while pool.running() < 1:
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_pool_takes_one_per_worker_plus_the_queue(pool: SolverPool) -> None:
    running, _ = task("running")
    waiting, waiting_recorder = task("waiting")
    pool.submit(running)
    wait_running(pool)
    pool.submit(waiting)
    assert pool.queue_depth() == 1
    with pytest.raises(QueueFullError):
        pool.submit(task("refused")[0])
    assert pool.stop("waiting") == "dequeued"
    assert waiting_recorder.outcome == SolveOutcome.cancelled_in_queue()
    assert waiting.done.is_set()
    assert pool.stop("nobody") == "unknown"
    assert pool.stop("running") == "stopping"
    assert running.done.wait(2.0)


def test_stopped_solve_returns_its_plan_with_progress_on_the_way(pool: SolverPool) -> None:
    running, recorder = task("running")
    pool.submit(running)
    deadline = time.monotonic() + 10
    while not recorder.progress:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert pool.stop("running") == "stopping"
    assert running.done.wait(2.0)
    assert recorder.events == ["started", "finished"]
    assert recorder.outcome is not None
    assert recorder.outcome.status == "feasible"
    assert recorder.outcome.stopped is True
    assert recorder.outcome.plan is not None
    assert '"B-206"' in recorder.outcome.plan.json


def test_close_cancels_waiting_and_stops_running_keeping_plans(pool: SolverPool) -> None:
    running, running_recorder = task("running")
    waiting, waiting_recorder = task("waiting")
    pool.submit(running)
    wait_running(pool)
    pool.submit(waiting)
    pool.close(timeout_s=5)
    assert waiting_recorder.outcome is not None
    assert waiting_recorder.outcome.status == "cancelled"
    assert running_recorder.outcome is not None
    assert running_recorder.outcome.status == "feasible"
    assert pool.workers_alive() == 0
    with pytest.raises(QueueFullError):
        pool.submit(task("late")[0])
