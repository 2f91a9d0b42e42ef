"""This instance's side of the job queue: it claims jobs when a solver worker is free,
keeps their leases alive, hands stops on, and gives its jobs back when it stops.

The queue itself is the `jobs` table (see `app.job_store`), so any number of instances
on one database share it: a job submitted to one is run by whichever has a free worker,
and a crashed instance's jobs are taken over by another once their leases run out. A
starting instance touches no one else's jobs. One thread per instance does all this,
waking when a job is submitted or a solve ends here, and at least every
`job_poll_interval_s` to look for jobs submitted elsewhere and stops asked elsewhere.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable

from app.core.config import Settings
from app.core.metrics import ServiceMetrics
from app.job_store import ClaimedJob, JobRecorder, JobStore
from app.solving.messages import ProgressSnapshot, SolveOutcome
from app.solving.pool import QueueFullError, SolverPool, SolveTask

logger = logging.getLogger(__name__)


def new_instance_id() -> str:
    """Who holds a claim: host, process and a random part (a pid can come back)."""
    host = socket.gethostname()[:32]
    return f"{host}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class _Counted:
    """Counts a finished solve in the metrics, then tells the job's recorder."""

    def __init__(self, recorder: JobRecorder, metrics: ServiceMetrics) -> None:
        self.recorder = recorder
        self._metrics = metrics

    def started(self) -> None:
        self.recorder.started()

    def progressed(self, progress: ProgressSnapshot) -> None:
        self.recorder.progressed(progress)

    def finished(self, outcome: SolveOutcome) -> None:
        self._metrics.record_solve(outcome.status, outcome.elapsed_s)
        self.recorder.finished(outcome)


class JobQueue:
    """Claims, runs, watches and gives back this instance's jobs."""

    def __init__(
        self,
        jobs: JobStore,
        pool: SolverPool,
        metrics: ServiceMetrics,
        settings: Settings,
        instance: str | None = None,
    ) -> None:
        self.instance = instance or new_instance_id()
        self._jobs = jobs
        self._pool = pool
        self._metrics = metrics
        self._lease_s = settings.job_lease_s
        self._poll_s = settings.job_poll_interval_s
        self._max_attempts = settings.job_max_attempts
        self._running: dict[str, tuple[SolveTask, JobRecorder]] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._run, name="job-queue", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        """Look for work now (a job was submitted, or a worker came free)."""
        self._wake.set()

    def task(self, job_id: str) -> SolveTask | None:
        """The local solve of a job this instance runs, if it runs it."""
        with self._lock:
            held = self._running.get(job_id)
        return held[0] if held is not None else None

    def close(self) -> None:
        """Stop claiming, and give every job held here back to the queue: their solves
        are about to be stopped with the workers, which is nobody's choice about them."""
        self._closing.set()
        self._wake.set()
        self._thread.join(timeout=self._poll_s + 10.0)
        with self._lock:
            held = list(self._running.values())
        for _task, recorder in held:
            recorder.abandon()
        try:
            released = self._jobs.release(self.instance)
        except Exception as exc:  # the database may be the reason we stop
            logger.error("could not give jobs back to the queue: %s", type(exc).__name__)
            return
        if released:
            logger.warning("%d job(s) given back to the queue for the next start", released)

    # ------------------------------------------------------------------ the thread

    def _run(self) -> None:
        next_heartbeat = 0.0
        while not self._closing.is_set():
            try:
                if time.monotonic() >= next_heartbeat:
                    self._heartbeat()
                    next_heartbeat = time.monotonic() + self._lease_s / 3
                elif self._holding():
                    self._pass_stops_on()
                self._claim_while_free()
            except Exception as exc:  # a database hiccup: try again at the next turn
                logger.error("job queue: %s", type(exc).__name__)
            self._wake.wait(self._poll_s)
            self._wake.clear()

    def _holding(self) -> bool:
        with self._lock:
            return bool(self._running)

    def _claim_while_free(self) -> None:
        while not self._closing.is_set() and self._pool.free_workers() > 0:
            job = self._jobs.claim(self.instance, self._lease_s, self._max_attempts)
            if job is None:
                return
            if not self._run_here(job):
                return

    def _run_here(self, job: ClaimedJob) -> bool:
        recorder = JobRecorder(
            self._jobs, job.id, self.instance, job.request_json, on_finished=self._forget(job.id)
        )
        task = SolveTask(
            id=job.id,
            request_json=job.request_json,
            time_limit_s=job.time_limit_s,
            listener=_Counted(recorder, self._metrics),
        )
        with self._lock:
            self._running[job.id] = (task, recorder)
        try:
            self._pool.submit(task)
        except QueueFullError:
            # An immediate solve took the worker meanwhile: the job goes back, unharmed.
            with self._lock:
                self._running.pop(job.id, None)
            self._jobs.release(self.instance, frozenset({job.id}))
            return False
        logger.info(
            "job %s claimed (attempt %d)",
            job.id,
            job.attempts,
            extra={"event": "job_claimed", "job_id": job.id},
        )
        return True

    def _heartbeat(self) -> None:
        check = self._jobs.heartbeat(self.instance, self._lease_s)
        with self._lock:
            local = set(self._running)
        # Asked to stop elsewhere, or no longer ours (deleted with its case, taken over).
        for job_id in local & check.stop_requested | (local - check.held):
            self._pool.stop(job_id)

    def _pass_stops_on(self) -> None:
        with self._lock:
            local = frozenset(self._running)
        for job_id in self._jobs.stop_requested_among(local):
            self._pool.stop(job_id)

    def _forget(self, job_id: str) -> Callable[[SolveOutcome], None]:
        def forget(_outcome: SolveOutcome) -> None:
            with self._lock:
                self._running.pop(job_id, None)
            self._wake.set()

        return forget
