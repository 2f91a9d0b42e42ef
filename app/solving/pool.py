"""A small pool of solver processes behind a bounded queue.

Each worker process has one parent-side thread that feeds it one request at a time and
relays its progress. Because the parent hands a worker its next request only after the
previous one has ended, it always knows which request a worker is solving, so a stop
signal (one multiprocessing Event per worker) can never hit the wrong solve.

A worker that crashes, ignores a stop for `stop_grace_s`, or overruns its time limit by
`overrun_grace_s` is killed and replaced; its request ends with the best plan it had
reported, or as failed.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.context import SpawnProcess
from multiprocessing.process import BaseProcess
from multiprocessing.synchronize import Event
from typing import Literal, Protocol

from app.solving.messages import (
    ProgressSnapshot,
    RepairOrder,
    SolvedPlan,
    SolveFunction,
    SolveOutcome,
    WorkerDone,
    WorkerFailed,
    WorkerProgress,
    WorkerReady,
)
from app.solving.worker import serve

logger = logging.getLogger(__name__)

StopResult = Literal["dequeued", "stopping", "unknown"]
_READY_TIMEOUT_S = 120.0
_STOP_KILLED = "the solver did not stop in time; the last plan it reported was kept"


class QueueFullError(Exception):
    """Every worker is busy and the waiting line is full; the caller should retry later."""


class SolveListener(Protocol):
    """Told, from a pool thread, how a request fares; `finished` is called exactly once."""

    def started(self) -> None: ...

    def progressed(self, progress: ProgressSnapshot) -> None: ...

    def finished(self, outcome: SolveOutcome) -> None: ...


@dataclass(eq=False)
class SolveTask:
    """One request to solve. `done` is set once its listener has heard the outcome."""

    id: str
    request_json: str
    time_limit_s: float
    listener: SolveListener
    done: threading.Event = field(default_factory=threading.Event)
    repair: bool = False  # the request is a repair request: the worker repairs it


class SolverPool:
    """Worker processes, the queue in front of them, and the stop switch for each solve."""

    def __init__(
        self,
        solve: SolveFunction,
        *,
        workers: int,
        queue_size: int,
        start_method: Literal["spawn", "forkserver"] = "spawn",
        stop_grace_s: float = 1.5,
        overrun_grace_s: float = 5.0,
    ) -> None:
        self._solve = solve
        self._queue_size = queue_size
        self._context = (
            multiprocessing.get_context("spawn")
            if start_method == "spawn"
            else multiprocessing.get_context("forkserver")
        )
        self.stop_grace_s = stop_grace_s
        self.overrun_grace_s = overrun_grace_s
        self._lock = threading.Condition()
        self._waiting: deque[SolveTask] = deque()
        self._closing = False
        self._slots = [_WorkerSlot(self, index) for index in range(workers)]

    # ------------------------------------------------------------------ public

    def start(self) -> None:
        for slot in self._slots:
            slot.start()

    def submit(self, task: SolveTask) -> None:
        """Queue a request, or raise QueueFullError when it would have to wait beyond the line."""
        with self._lock:
            if self._closing:
                raise QueueFullError("the service is stopping")
            # Idle workers take waiting requests at once, so they add to the line's room.
            idle = sum(1 for slot in self._slots if slot.current is None and slot.ready)
            if len(self._waiting) >= self._queue_size + idle:
                raise QueueFullError(f"{len(self._waiting)} solves are waiting")
            self._waiting.append(task)
            self._lock.notify_all()

    def stop(self, task_id: str) -> StopResult:
        """Cancel a waiting request, or tell a running solve to stop and return its best."""
        dequeued: SolveTask | None = None
        with self._lock:
            for task in self._waiting:
                if task.id == task_id:
                    dequeued = task
                    break
            if dequeued is not None:
                self._waiting.remove(dequeued)
            else:
                for slot in self._slots:
                    if slot.current is not None and slot.current.id == task_id:
                        slot.request_stop()
                        return "stopping"
                return "unknown"
        _finish(dequeued, SolveOutcome.cancelled_in_queue())
        return "dequeued"

    def free_workers(self) -> int:
        """Workers that are ready and idle, less the requests already waiting for one."""
        with self._lock:
            idle = sum(1 for slot in self._slots if slot.current is None and slot.ready)
            return max(0, idle - len(self._waiting))

    @property
    def queue_size(self) -> int:
        return self._queue_size

    def queue_depth(self) -> int:
        with self._lock:
            return len(self._waiting)

    def running(self) -> int:
        with self._lock:
            return sum(1 for slot in self._slots if slot.current is not None)

    def workers_alive(self) -> int:
        return sum(1 for slot in self._slots if slot.alive())

    @property
    def worker_count(self) -> int:
        return len(self._slots)

    def close(self, timeout_s: float = 10.0) -> None:
        """Cancel waiting requests, stop running solves (keeping their best plans), end workers."""
        with self._lock:
            self._closing = True
            abandoned = list(self._waiting)
            self._waiting.clear()
            for slot in self._slots:
                if slot.current is not None:
                    slot.request_stop()
            self._lock.notify_all()
        for task in abandoned:
            _finish(task, SolveOutcome.cancelled_in_queue())
        deadline = time.monotonic() + timeout_s
        for slot in self._slots:
            slot.join(max(0.1, deadline - time.monotonic()))

    # ------------------------------------------------------------- for slots

    def _take(self, slot: _WorkerSlot) -> SolveTask | None:
        """The next request for `slot`, assigned under the lock; None once closing."""
        with self._lock:
            while not self._waiting and not self._closing:
                self._lock.wait()
            if self._closing:
                return None
            task = self._waiting.popleft()
            slot.current = task
            slot.stop_requested_at = None
            return task

    def _release(self, slot: _WorkerSlot) -> None:
        with self._lock:
            slot.current = None
            slot.stop_requested_at = None
            self._lock.notify_all()

    def _spawn(self) -> tuple[BaseProcess, Connection, Event]:
        parent_end, child_end = self._context.Pipe(duplex=True)
        stop_event = self._context.Event()
        process = self._context.Process(
            target=serve,
            args=(child_end, stop_event, self._solve),
            name="exchange-solver",
            daemon=True,
        )
        process.start()
        child_end.close()
        return process, parent_end, stop_event


class _WorkerSlot:
    """One worker process and the thread in the service that talks to it."""

    def __init__(self, pool: SolverPool, index: int) -> None:
        self._pool = pool
        self._index = index
        self._process: BaseProcess | SpawnProcess | None = None
        self._conn: Connection | None = None
        self._stop_event: Event | None = None
        self.ready = False
        self.current: SolveTask | None = None
        self.stop_requested_at: float | None = None
        self._thread = threading.Thread(target=self._run, name=f"solver-slot-{index}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def join(self, timeout_s: float) -> None:
        self._thread.join(timeout_s)
        self._end_worker(kill=self._thread.is_alive())

    def alive(self) -> bool:
        return self.ready and self._process is not None and self._process.is_alive()

    def request_stop(self) -> None:
        """Called under the pool lock while this slot's `current` is the request to stop."""
        if self.stop_requested_at is None:
            self.stop_requested_at = time.monotonic()
        if self._stop_event is not None:
            self._stop_event.set()

    # ------------------------------------------------------------- the thread

    def _run(self) -> None:
        while True:
            if not self._ensure_worker():
                if self._pool._closing:
                    return
                time.sleep(1.0)
                continue
            task = self._pool._take(self)
            if task is None:
                self._end_worker(kill=False)
                return
            try:
                outcome = self._solve(task)
            except Exception as exc:  # never lose a slot to a bug in the relay
                logger.error(
                    "solver slot %d failed relaying task %s: %s",
                    self._index,
                    task.id,
                    type(exc).__name__,
                )
                self._end_worker(kill=True)
                outcome = SolveOutcome("failed", None, 0.0, error=type(exc).__name__)
            self._pool._release(self)
            _finish(task, outcome)

    def _ensure_worker(self) -> bool:
        if self._process is not None and self._process.is_alive() and self.ready:
            return True
        self._end_worker(kill=True)
        try:
            self._process, self._conn, self._stop_event = self._pool._spawn()
            if not self._conn.poll(_READY_TIMEOUT_S):
                raise TimeoutError("worker did not start")
            if not isinstance(self._conn.recv(), WorkerReady):
                raise OSError("worker sent something other than ready")
        except (OSError, EOFError, TimeoutError) as exc:
            logger.error("solver worker %d did not start: %s", self._index, type(exc).__name__)
            self._end_worker(kill=True)
            return False
        self.ready = True
        logger.info("solver worker %d ready (pid %s)", self._index, self._process.pid)
        return True

    def _end_worker(self, *, kill: bool) -> None:
        self.ready = False
        process, conn = self._process, self._conn
        self._process = self._conn = self._stop_event = None
        if conn is not None:
            try:
                if not kill:
                    conn.send(None)
            except OSError:
                pass
        if process is not None:
            if kill:
                process.kill()
            process.join(2.0)
            if process.is_alive():
                process.kill()
                process.join(2.0)
        if conn is not None:
            conn.close()

    def _solve(self, task: SolveTask) -> SolveOutcome:
        assert self._conn is not None
        assert self._process is not None
        assert self._stop_event is not None
        conn, process = self._conn, self._process
        self._stop_event.clear()  # the worker is idle, so no solve can miss this
        started = time.monotonic()
        conn.send(RepairOrder(task.request_json) if task.repair else task.request_json)
        _notify(task, "started")
        best_plan: SolvedPlan | None = None
        overrun_at = started + task.time_limit_s + self._pool.overrun_grace_s
        while True:
            now = time.monotonic()
            stop_at = self.stop_requested_at
            if stop_at is not None and now - stop_at > self._pool.stop_grace_s:
                logger.warning("solve %s ignored stop; worker %d killed", task.id, self._index)
                self._end_worker(kill=True)
                error = _STOP_KILLED if best_plan is not None else None
                return _salvage(best_plan, now - started, stopped=True, error=error)
            if now > overrun_at:
                logger.warning(
                    "solve %s overran its time limit; worker %d killed", task.id, self._index
                )
                self._end_worker(kill=True)
                return _salvage(
                    best_plan,
                    now - started,
                    stopped=False,
                    error="time limit overrun; worker stopped",
                )
            if not wait([conn, process.sentinel], timeout=0.1):
                continue
            try:
                message = conn.recv() if conn.poll() else None
            except (EOFError, OSError):
                message = None
            if message is None:
                logger.error("solver worker %d exited during solve %s", self._index, task.id)
                self._end_worker(kill=True)
                return _salvage(
                    best_plan,
                    time.monotonic() - started,
                    stopped=self.stop_requested_at is not None,
                    error="solver process exited",
                )
            if isinstance(message, WorkerProgress):
                best_plan = message.best or best_plan
                _notify(task, "progressed", message.snapshot)
            elif isinstance(message, WorkerDone):
                stopped = self.stop_requested_at is not None
                if stopped and message.plan.status == "timeout":
                    # Stopped before any plan: the same end as a killed solve with none.
                    return SolveOutcome("cancelled", None, message.elapsed_s, stopped=True)
                return SolveOutcome(
                    message.plan.status, message.plan, message.elapsed_s, stopped=stopped
                )
            elif isinstance(message, WorkerFailed):
                return SolveOutcome(
                    "failed",
                    None,
                    message.elapsed_s,
                    stopped=self.stop_requested_at is not None,
                    error=message.where,
                )


def _salvage(
    best_plan: SolvedPlan | None,
    elapsed_s: float,
    *,
    stopped: bool,
    error: str | None,
) -> SolveOutcome:
    """The outcome of a killed solve: its last reported plan if any, else nothing."""
    if best_plan is not None:
        return SolveOutcome(best_plan.status, best_plan, elapsed_s, stopped=stopped, error=error)
    return SolveOutcome(
        "cancelled" if stopped else "failed",
        None,
        elapsed_s,
        stopped=stopped,
        error=error,
    )


def _notify(
    task: SolveTask,
    event: Literal["started", "progressed"],
    progress: ProgressSnapshot | None = None,
) -> None:
    # A listener's failure (a database hiccup, say) must not end the solve's relay.
    try:
        if event == "started":
            task.listener.started()
        elif progress is not None:
            task.listener.progressed(progress)
    except Exception as exc:
        logger.error("listener of %s failed on %s: %s", task.id, event, type(exc).__name__)


def _finish(task: SolveTask, outcome: SolveOutcome) -> None:
    try:
        task.listener.finished(outcome)
    except Exception as exc:
        logger.error("listener of %s failed on finish: %s", task.id, type(exc).__name__)
    finally:
        task.done.set()
