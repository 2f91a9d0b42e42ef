"""Background runs of the pages: one at a time, a case at most once, steps counted."""

from __future__ import annotations

import threading

import pytest

from app.reconciliation.runs import ReconciliationRuns, RunInProgressError
from reconciliation.steps import STEPS, StepReport


def test_runs_go_one_at_a_time_and_report_their_steps() -> None:
    runs = ReconciliationRuns()
    release = threading.Event()
    started = threading.Event()

    def first(on_step: StepReport) -> None:
        on_step(STEPS[0])
        on_step(STEPS[1])
        started.set()
        assert release.wait(10)

    try:
        runs.start("case-1", "side_b", 7, first)
        assert started.wait(10)
        runs.start("case-2", "side_a", 3, lambda on_step: on_step(STEPS[0]))
        running, waiting = runs.state("case-1"), runs.state("case-2")
        assert running is not None
        assert (running.status, running.step_number, running.step) == ("running", 2, STEPS[1])
        assert running.steps_done == 1
        assert waiting is not None
        assert waiting.status == "queued"
        with pytest.raises(RunInProgressError):
            runs.start("case-1", "side_b", 7, first)
        release.set()
        finished = runs.wait("case-2", 10)
        assert finished is not None
        assert finished.status == "finished"
        assert finished.steps_done == len(STEPS)
    finally:
        release.set()
        runs.close()


def test_a_failed_run_is_kept_as_failed_and_a_new_one_may_start() -> None:
    runs = ReconciliationRuns()

    def broken(on_step: StepReport) -> None:
        raise RuntimeError("a message that could quote a list")

    try:
        runs.start("case-1", "side_b", 1, broken)
        failed = runs.wait("case-1", 10)
        assert failed is not None
        assert failed.status == "failed"
        assert not failed.active
        runs.start("case-1", "side_b", 1, lambda on_step: None)
        again = runs.wait("case-1", 10)
        assert again is not None
        assert again.status == "finished"
    finally:
        runs.close()


def test_a_step_is_numbered_by_its_place_even_when_steps_are_skipped() -> None:
    runs = ReconciliationRuns()
    release, reached = threading.Event(), threading.Event()

    def short(on_step: StepReport) -> None:
        on_step("building comparable keys")
        on_step("scoring requested against held")  # lists too short to train on
        reached.set()
        assert release.wait(10)

    try:
        runs.start("case-1", "side_b", 1, short)
        assert reached.wait(10)
        state = runs.state("case-1")
        assert state is not None
        assert state.step_number == STEPS.index("scoring requested against held") + 1
    finally:
        release.set()
        runs.close()
