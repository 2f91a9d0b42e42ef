"""Reconciliations run in the background, for the pages: one at a time, each with its step.

A reconciliation of tens of thousands of people takes tens of seconds, too long for a
page to wait on. The page checks the lists first (problems are answered at once), then
hands the run to this one worker thread and shows the step it is at (`reconcile`
reports each step by name, never a person) until the answer is stored.

What runs is held in memory only: a restart forgets a run in progress, and the case keeps
its previous reconciliation. One run at a time bounds the memory (a large run takes
hundreds of MB); runs of other cases wait their turn, and a case has at most one.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Literal

from reconciliation.steps import STEPS, StepReport

logger = logging.getLogger(__name__)

RunStatus = Literal["queued", "running", "finished", "failed"]
# A run's work: given the step reporter, reconcile and store (blocking).
RunWork = Callable[[StepReport], None]


class RunInProgressError(Exception):
    """The case already has a reconciliation queued or running."""


@dataclass(frozen=True)
class RunState:
    """Where one case's run stands; ids and counts only."""

    case_id: str
    held_side: str
    requested: int
    status: RunStatus
    step: str | None = None
    step_number: int = 0  # of the step under way, from 1; the total once finished
    steps_total: int = len(STEPS)
    started_at: float = 0.0  # time.monotonic()
    finished_at: float | None = None

    @property
    def active(self) -> bool:
        return self.status in ("queued", "running")

    @property
    def steps_done(self) -> int:
        return len(STEPS) if self.status == "finished" else max(self.step_number - 1, 0)

    @property
    def elapsed_s(self) -> float:
        return (self.finished_at or time.monotonic()) - self.started_at


class ReconciliationRuns:
    """The runs of this process, by case: start one, read its state, wait for it."""

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="reconcile")
        self._lock = threading.Lock()
        self._states: dict[str, RunState] = {}
        self._futures: dict[str, Future[None]] = {}

    def start(self, case_id: str, held_side: str, requested: int, work: RunWork) -> RunState:
        """Queue the case's run; RunInProgressError when it has one queued or running."""
        with self._lock:
            current = self._states.get(case_id)
            if current is not None and current.active:
                raise RunInProgressError(case_id)
            state = RunState(case_id, held_side, requested, "queued", started_at=time.monotonic())
            self._states[case_id] = state
            self._futures[case_id] = self._executor.submit(self._run, case_id, work)
        return state

    def state(self, case_id: str) -> RunState | None:
        with self._lock:
            return self._states.get(case_id)

    def wait(self, case_id: str, timeout_s: float) -> RunState | None:
        """The case's run state once it has ended, or after `timeout_s` (blocking)."""
        with self._lock:
            future = self._futures.get(case_id)
        if future is not None:
            with contextlib.suppress(TimeoutError, CancelledError):
                future.result(timeout=timeout_s)
        return self.state(case_id)

    def close(self) -> None:
        """Stop taking runs; queued ones are dropped, a running one ends in its thread."""
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _update(self, case_id: str, **changes: object) -> None:
        with self._lock:
            state = self._states.get(case_id)
            if state is not None:
                self._states[case_id] = replace(state, **changes)  # type: ignore[arg-type]

    def _run(self, case_id: str, work: RunWork) -> None:
        self._update(case_id, status="running", started_at=time.monotonic())
        position = 0

        def on_step(name: str) -> None:
            # The step's place in STEPS (a short run skips the training steps), else
            # simply the next place.
            nonlocal position
            later = [n for n in range(position, len(STEPS)) if STEPS[n] == name]
            position = later[0] + 1 if later else min(position + 1, len(STEPS))
            self._update(case_id, step=name, step_number=position)

        try:
            work(on_step)
        except Exception as error:
            # Only the kind of error: a message could quote a cell of a list.
            logger.warning("reconciliation of a case failed: %s", type(error).__name__)
            self._update(case_id, status="failed", finished_at=time.monotonic())
            return
        self._update(
            case_id, status="finished", step_number=len(STEPS), finished_at=time.monotonic()
        )
