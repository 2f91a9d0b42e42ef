"""Getting exchanges solved: now (the handler awaits the plan) or as a background job.

Either way the solve runs in a worker process; the event loop only waits on a future. A
job is queued in the database (see `app.job_queue`), and runs on whichever instance of
the service has a free worker first.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool

from app.core.metrics import ServiceMetrics
from app.job_queue import JobQueue
from app.job_store import JobStore
from app.models import JobRecord
from app.plan_store import new_id
from app.schemas import FINISHED_JOB_STATUSES
from app.solving.messages import ProgressSnapshot, SolveOutcome
from app.solving.pool import QueueFullError, SolverPool, SolveTask
from solver import ExchangeRequest, RepairRequest

logger = logging.getLogger(__name__)

_RESUBMIT_PAUSE_S = 0.2
_ELSEWHERE_POLL_S = 0.1


class _FutureListener:
    """Hands the outcome to an asyncio future, from the pool's thread."""

    def __init__(self, loop: asyncio.AbstractEventLoop, future: asyncio.Future[SolveOutcome]):
        self._loop = loop
        self._future = future

    def started(self) -> None:
        pass

    def progressed(self, progress: ProgressSnapshot) -> None:
        pass

    def finished(self, outcome: SolveOutcome) -> None:
        def resolve() -> None:
            if not self._future.done():
                self._future.set_result(outcome)

        if not self._loop.is_closed():
            self._loop.call_soon_threadsafe(resolve)


class _Measured:
    """Wraps a listener so every finished solve is counted, whatever path it took."""

    def __init__(self, inner: _FutureListener, metrics: ServiceMetrics) -> None:
        self._inner = inner
        self._metrics = metrics

    def started(self) -> None:
        self._inner.started()

    def progressed(self, progress: ProgressSnapshot) -> None:
        self._inner.progressed(progress)

    def finished(self, outcome: SolveOutcome) -> None:
        self._metrics.record_solve(outcome.status, outcome.elapsed_s)
        self._inner.finished(outcome)


@dataclass(frozen=True)
class SolveOrder:
    """A parsed request, serialised once for the worker and for storage."""

    request_json: str
    time_limit_s: float
    repair: bool = False  # a repair request (`solver.RepairRequest`), repaired, not solved

    @classmethod
    def of(cls, request: ExchangeRequest) -> SolveOrder:
        # What the client wrote (defaults left implicit) is what is stored, and it is less
        # than half the size of the fully spelled-out request for a long list.
        return cls(request.model_dump_json(exclude_unset=True), request.options.time_limit_s)

    @classmethod
    def of_repair(cls, request: RepairRequest) -> SolveOrder:
        """A repair: the request, the agreed plan, the events and the settings, read by
        `solver.repair_request` (which checked the plan and events: the worker does not)."""
        return cls(request.model_dump_json(exclude_unset=True), request.options.time_limit_s, True)


class SolveDispatcher:
    """The one way handlers reach the solvers: the local pool now, the job queue later."""

    def __init__(
        self, pool: SolverPool, jobs: JobStore, queue: JobQueue, metrics: ServiceMetrics
    ) -> None:
        self._pool = pool
        self._jobs = jobs
        self._queue = queue
        self._metrics = metrics

    async def solve_now(self, order: SolveOrder) -> SolveOutcome:
        """Solve and wait; raises QueueFullError at once when the pool cannot take it."""
        return (await self.solve_all([order]))[0]

    async def solve_all(self, orders: Sequence[SolveOrder]) -> list[SolveOutcome]:
        """Solve side by side, at most one per worker at a time, answers in order.

        The first solve is queued at once or QueueFullError is raised (the caller answers
        503). The others follow as this request's earlier ones finish, so a long list of
        scenario variants neither hogs the queue nor is refused for its length.
        """
        await run_in_threadpool(self._check_room)
        loop = asyncio.get_running_loop()
        outcomes: list[SolveOutcome | None] = [None] * len(orders)
        in_flight: dict[asyncio.Future[SolveOutcome], tuple[int, SolveTask]] = {}
        waiting = deque(enumerate(orders))
        window = max(1, self._pool.worker_count)
        try:
            while waiting or in_flight:
                while waiting and len(in_flight) < window:
                    index, order = waiting[0]
                    future: asyncio.Future[SolveOutcome] = loop.create_future()
                    task = self._task(order, _FutureListener(loop, future))
                    try:
                        self._pool.submit(task)
                    except QueueFullError:
                        if index == 0:
                            raise
                        break
                    waiting.popleft()
                    in_flight[future] = (index, task)
                if not in_flight:  # others filled the queue between two of ours
                    await asyncio.sleep(_RESUBMIT_PAUSE_S)
                    continue
                done, _ = await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
                for future in done:
                    index, _ = in_flight.pop(future)
                    outcomes[index] = future.result()
        except asyncio.CancelledError:
            # The caller went away: do not leave its solves running for nobody.
            for _index, task in in_flight.values():
                self._pool.stop(task.id)
            raise
        return [outcome for outcome in outcomes if outcome is not None]

    def _task(self, order: SolveOrder, listener: _FutureListener) -> SolveTask:
        return SolveTask(
            id=new_id(),
            request_json=order.request_json,
            time_limit_s=order.time_limit_s,
            listener=_Measured(listener, self._metrics),
            repair=order.repair,
        )

    def _check_room(self) -> None:
        """QueueFullError when the solves waiting for a worker fill the line: this pool's
        and the jobs no instance has taken yet (blocking: call from a thread)."""
        waiting = self._pool.queue_depth() + self._jobs.waiting()
        if waiting >= self._pool.queue_size + self._pool.free_workers():
            raise QueueFullError(f"{waiting} solves are waiting")

    def start_job(
        self, order: SolveOrder, job_id: str | None = None, case_id: str | None = None
    ) -> JobRecord:
        """Queue a background solve with its request and return its job row (blocking:
        call from a thread). A case's job stores its plan as a draft of the case."""
        self._check_room()
        job_id = job_id or new_id()
        record = self._jobs.create(job_id, order.time_limit_s, order.request_json, case_id)
        self._queue.wake()
        logger.info(
            "job %s queued (time limit %.1f s)",
            job_id,
            order.time_limit_s,
            extra={"event": "job_queued", "job_id": job_id, "case_id": case_id},
        )
        return record

    def stop_job(self, job_id: str, wait_s: float) -> None:
        """Cancel a waiting job, or stop a running one and wait up to `wait_s` for its
        plan (blocking). A job running on another instance is stopped by that instance
        within `job_poll_interval_s`; this waits for the outcome in the database."""
        self._jobs.mark_stop_requested(job_id)
        if self._jobs.cancel_waiting(job_id):
            logger.info("job %s cancelled before it started", job_id)
            return
        task = self._queue.task(job_id)
        if task is not None:
            logger.info("job %s stop requested: %s", job_id, self._pool.stop(job_id))
            task.done.wait(wait_s)
            return
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            record = self._jobs.get(job_id)
            if record is None or record.status in FINISHED_JOB_STATUSES:
                return
            time.sleep(_ELSEWHERE_POLL_S)
