"""Reconciliations run in the background, for the pages: one at a time, each with its step.

A reconciliation of tens of thousands of people takes tens of seconds, too long for a
page to wait on. The page checks the lists first (problems are answered at once), then
hands the run to this instance's one worker thread and shows the step it is at
(`reconcile` reports each step by name, never a person) until the answer is stored.

Where a run stands is kept in the database (`reconciliation_runs`), so that a page served
by any instance of the service follows it, and a case has one run at a time across them.
The run itself goes on in the instance that started it, which notes each step; a run
not heard from for `STALE_AFTER_S` (its instance stopped or died) counts as failed, and
the case may be reconciled again. One run at a time per instance bounds the memory (a
large run takes hundreds of MB); runs of other cases wait their turn.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from app.models import utc_now
from app.reconciliation.store import ACTIVE_RUN, ReconciliationStore, StoredRun
from reconciliation.steps import STEPS, StepReport

logger = logging.getLogger(__name__)

RunStatus = Literal["queued", "running", "finished", "failed"]
# A run's work: given the step reporter, reconcile and store (blocking).
RunWork = Callable[[StepReport], None]
STALE_AFTER_S = 600.0


class RunInProgressError(Exception):
    """The case already has a reconciliation queued or running."""


@dataclass(frozen=True)
class RunState:
    """Where one case's run stands; ids, counts and the step's name only."""

    case_id: str
    held_side: str
    requested: int
    status: RunStatus
    step: str | None
    step_number: int  # of the step under way, from 1; the total once finished
    started_at: datetime
    steps_total: int = len(STEPS)

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_RUN

    @property
    def steps_done(self) -> int:
        return self.steps_total if self.status == "finished" else max(self.step_number - 1, 0)


def _state(stored: StoredRun, now: datetime) -> RunState:
    status = stored.status
    if status in ACTIVE_RUN and stored.updated_at < now - timedelta(seconds=STALE_AFTER_S):
        status = "failed"  # its instance stopped: nothing will come of it
    return RunState(
        case_id=stored.case_id,
        held_side=stored.held_side,
        requested=stored.requested,
        status=status,  # type: ignore[arg-type]
        step=stored.step,
        step_number=stored.step_number,
        started_at=stored.started_at,
    )


class ReconciliationRuns:
    """This instance's runs: start one, read any case's run, wait for one of its own."""

    def __init__(self, store: ReconciliationStore) -> None:
        self._store = store
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="reconcile")
        self._lock = threading.Lock()
        self._futures: dict[str, Future[None]] = {}
        self._queued: dict[str, str] = {}  # case id -> run id, not started yet

    def start(self, case_id: str, held_side: str, requested: int, work: RunWork) -> None:
        """Queue the case's run; RunInProgressError when it has one queued or running
        (here or in another instance). Blocking: call from a thread."""
        run_id = str(uuid.uuid4())
        stale_before = utc_now() - timedelta(seconds=STALE_AFTER_S)
        if not self._store.claim_run(case_id, run_id, held_side, requested, stale_before):
            raise RunInProgressError(case_id)
        with self._lock:
            self._queued[case_id] = run_id
            self._futures[case_id] = self._executor.submit(self._run, case_id, run_id, work)

    def state(self, case_id: str) -> RunState | None:
        """Where the case's last run stands (blocking)."""
        stored = self._store.run(case_id)
        return _state(stored, utc_now()) if stored is not None else None

    def wait(self, case_id: str, timeout_s: float) -> RunState | None:
        """The case's run state once this instance's run of it has ended, or after
        `timeout_s` (blocking)."""
        with self._lock:
            future = self._futures.get(case_id)
        if future is not None:
            with contextlib.suppress(TimeoutError, CancelledError):
                future.result(timeout=timeout_s)
        return self.state(case_id)

    def close(self) -> None:
        """Stop taking runs: queued ones are dropped (and recorded as failed, so the
        case can be reconciled again at once); a running one ends in its thread."""
        self._executor.shutdown(wait=False, cancel_futures=True)
        with self._lock:
            queued = dict(self._queued)
        for case_id, run_id in queued.items():
            with contextlib.suppress(Exception):  # the database may be gone already
                self._store.update_run(case_id, run_id, status="failed", finished_at=utc_now())

    def _run(self, case_id: str, run_id: str, work: RunWork) -> None:
        with self._lock:
            self._queued.pop(case_id, None)
        if not self._store.update_run(case_id, run_id, status="running"):
            return  # taken over: this run counted as stale and another started
        position = 0

        def on_step(name: str) -> None:
            # The step's place in STEPS (a short run skips the training steps), else
            # simply the next place.
            nonlocal position
            later = [n for n in range(position, len(STEPS)) if STEPS[n] == name]
            position = later[0] + 1 if later else min(position + 1, len(STEPS))
            self._store.update_run(case_id, run_id, step=name, step_number=position)

        try:
            work(on_step)
        except Exception as error:
            # Only the kind of error: a message could quote a cell of a list.
            logger.warning("reconciliation of a case failed: %s", type(error).__name__)
            self._store.update_run(case_id, run_id, status="failed", finished_at=utc_now())
            return
        self._store.update_run(
            case_id, run_id, status="finished", step_number=len(STEPS), finished_at=utc_now()
        )
