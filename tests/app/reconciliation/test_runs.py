"""Background runs of the pages: one at a time per instance, one per case across every
instance sharing the database, steps numbered by their place, a silent run taken as
failed; on SQLite and PostgreSQL alike."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, update

from app.case_store import CaseStore
from app.core.config import Settings
from app.core.db import make_engine, make_session_factory, migrate
from app.models import ReconciliationRunRecord, utc_now
from app.reconciliation.runs import STALE_AFTER_S, ReconciliationRuns, RunInProgressError
from app.reconciliation.store import ReconciliationStore
from reconciliation.steps import STEPS, StepReport
from tests.app.databases import DATABASES, database_url


@pytest.fixture(params=DATABASES)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    with database_url(request.param, tmp_path) as url:
        engine = make_engine(Settings(database_url=url))
        migrate(engine)
        yield engine
        engine.dispose()


@pytest.fixture
def store(engine: Engine) -> ReconciliationStore:
    return ReconciliationStore(make_session_factory(engine))


@pytest.fixture
def cases(engine: Engine) -> list[str]:
    store = CaseStore(make_session_factory(engine))
    return [store.create().id for _ in range(3)]


def test_runs_go_one_at_a_time_and_report_their_steps(
    store: ReconciliationStore, cases: list[str]
) -> None:
    runs = ReconciliationRuns(store)
    release, started = threading.Event(), threading.Event()

    def first(on_step: StepReport) -> None:
        on_step(STEPS[0])
        on_step(STEPS[1])
        started.set()
        assert release.wait(10)

    try:
        runs.start(cases[0], "side_b", 7, first)
        assert started.wait(10)
        runs.start(cases[1], "side_a", 3, lambda on_step: on_step(STEPS[0]))
        running, waiting = runs.state(cases[0]), runs.state(cases[1])
        assert running is not None
        assert (running.status, running.step_number, running.step) == ("running", 2, STEPS[1])
        assert running.steps_done == 1
        assert waiting is not None
        assert waiting.status == "queued"
        with pytest.raises(RunInProgressError):
            runs.start(cases[0], "side_b", 7, first)
        release.set()
        finished = runs.wait(cases[1], 10)
        assert finished is not None
        assert finished.status == "finished"
        assert finished.steps_done == len(STEPS)
    finally:
        release.set()
        runs.close()


def test_a_case_has_one_run_across_instances(store: ReconciliationStore, cases: list[str]) -> None:
    here, there = ReconciliationRuns(store), ReconciliationRuns(store)
    release, reached = threading.Event(), threading.Event()

    def long(on_step: StepReport) -> None:
        on_step("building comparable keys")
        on_step("scoring requested against held")  # lists too short to train on
        reached.set()
        assert release.wait(10)

    try:
        here.start(cases[0], "side_b", 5, long)
        assert reached.wait(10)
        with pytest.raises(RunInProgressError):
            there.start(cases[0], "side_b", 5, lambda on_step: None)
        seen = there.state(cases[0])  # another instance follows it
        assert seen is not None
        assert seen.status == "running"
        assert seen.step_number == STEPS.index("scoring requested against held") + 1
    finally:
        release.set()
        here.close()
        there.close()


def test_a_run_not_heard_from_is_failed_and_the_case_free_again(
    engine: Engine, store: ReconciliationStore, cases: list[str]
) -> None:
    runs = ReconciliationRuns(store)
    release, running = threading.Event(), threading.Event()

    def held_up(on_step: StepReport) -> None:
        running.set()
        assert release.wait(10)

    try:
        runs.start(cases[0], "side_b", 1, held_up)
        assert running.wait(10)
        long_ago = utc_now() - timedelta(seconds=STALE_AFTER_S + 60)
        with engine.begin() as connection:  # as if its instance had died an hour ago
            connection.execute(
                update(ReconciliationRunRecord)
                .where(ReconciliationRunRecord.case_id == cases[0])
                .values(updated_at=long_ago)
            )
        silent = runs.state(cases[0])
        assert silent is not None
        assert silent.status == "failed"
        other = ReconciliationRuns(store)
        other.start(cases[0], "side_b", 1, lambda on_step: None)
        again = other.wait(cases[0], 10)
        assert again is not None
        assert again.status == "finished"
        release.set()
        runs.wait(cases[0], 10)
        after = runs.state(cases[0])
        assert after is not None
        assert after.status == "finished"  # the stale run's end changes nothing now
        other.close()
    finally:
        release.set()
        runs.close()


def test_a_failed_run_is_recorded_as_failed(store: ReconciliationStore, cases: list[str]) -> None:
    runs = ReconciliationRuns(store)

    def broken(on_step: StepReport) -> None:
        raise RuntimeError("a message that could quote a list")

    try:
        runs.start(cases[0], "side_b", 1, broken)
        failed = runs.wait(cases[0], 10)
        assert failed is not None
        assert failed.status == "failed"
        assert not failed.active
    finally:
        runs.close()
