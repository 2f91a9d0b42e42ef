"""The job queue in the database: claims, leases, attempts, stops, on SQLite and
PostgreSQL alike; several claimers at once never get the same job."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, update

from app.core.config import Settings
from app.core.db import make_engine, make_session_factory, migrate
from app.job_store import JobStore
from app.models import JobRecord, utc_now
from app.solving.messages import SolvedPlan, SolveOutcome
from solver import Plan
from tests.app.databases import DATABASES, database_url

PLAN = Plan(status="infeasible", reference_date=date(2025, 5, 23))
LEASE_S = 30.0


@pytest.fixture(params=DATABASES)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    with database_url(request.param, tmp_path) as url:
        engine = make_engine(Settings(database_url=url))
        migrate(engine)
        yield engine
        engine.dispose()


@pytest.fixture
def jobs(engine: Engine) -> JobStore:
    return JobStore(make_session_factory(engine))


def expire_leases(engine: Engine) -> None:
    """As if every instance holding a job had stopped answering a while ago."""
    with make_session_factory(engine).begin() as session:
        session.execute(update(JobRecord).values(lease_until=utc_now() - timedelta(seconds=1)))


def test_jobs_are_claimed_oldest_first_each_by_one_instance(jobs: JobStore) -> None:
    for number in range(3):
        jobs.create(f"job-{number}", 5.0, f'{{"n": {number}}}')
        time.sleep(0.002)
    first = jobs.claim("a", LEASE_S, max_attempts=3)
    second = jobs.claim("b", LEASE_S, max_attempts=3)
    assert first is not None
    assert second is not None
    assert (first.id, first.request_json, second.id) == ("job-0", '{"n": 0}', "job-1")
    assert jobs.waiting() == 1
    assert jobs.heartbeat("a", LEASE_S).held == {"job-0"}


def test_a_crashed_instances_job_is_taken_over_until_out_of_attempts(
    jobs: JobStore, engine: Engine
) -> None:
    jobs.create("job", 5.0, "{}")
    assert jobs.claim("a", LEASE_S, max_attempts=2) is not None
    assert jobs.claim("b", LEASE_S, max_attempts=2) is None, "a's lease still holds"
    expire_leases(engine)
    taken = jobs.claim("b", LEASE_S, max_attempts=2)
    assert taken is not None
    assert taken.attempts == 2
    outcome = SolveOutcome("infeasible", SolvedPlan.of(PLAN), 0.1)
    assert not jobs.finish("job", "a", outcome, "{}"), "a lost the job: its answer is dropped"
    expire_leases(engine)
    assert jobs.claim("c", LEASE_S, max_attempts=2) is None
    record = jobs.get("job")
    assert record is not None
    assert (record.status, record.request_json) == ("interrupted", None)
    assert record.error is not None


def test_a_clean_release_costs_no_attempt_and_a_finish_keeps_no_request(
    jobs: JobStore,
) -> None:
    jobs.create("job", 5.0, '{"request": 1}')
    assert jobs.claim("a", LEASE_S, max_attempts=1) is not None
    jobs.mark_running("job", "a")
    assert jobs.release("a") == 1
    again = jobs.claim("b", LEASE_S, max_attempts=1)
    assert again is not None
    assert again.attempts == 1
    outcome = SolveOutcome("infeasible", SolvedPlan.of(PLAN), 0.1)
    assert jobs.finish("job", "b", outcome, again.request_json)
    record = jobs.get("job")
    assert record is not None
    assert (record.status, record.request_json, record.claimed_by) == ("infeasible", None, None)
    assert record.plan_id is not None


def test_stops_reach_the_instance_holding_the_job(jobs: JobStore) -> None:
    jobs.create("first", 5.0, "{}")
    time.sleep(0.002)
    jobs.create("second", 5.0, "{}")
    claimed = jobs.claim("a", LEASE_S, max_attempts=3)
    assert claimed is not None
    assert claimed.id == "first"
    assert jobs.cancel_waiting("second"), "nobody holds it: cancelled at once"
    assert not jobs.cancel_waiting("first"), "an instance holds it: that one must stop it"
    jobs.mark_stop_requested("first")
    assert jobs.heartbeat("a", LEASE_S).stop_requested == {"first"}
    assert set(jobs.stop_requested_among(frozenset({"first"}))) == {"first"}


def test_claimers_racing_never_share_a_job(jobs: JobStore) -> None:
    count = 40
    for number in range(count):
        jobs.create(f"job-{number:02}", 5.0, "{}")
    claimed: list[list[str]] = [[] for _ in range(4)]

    def claimer(index: int) -> None:
        while (job := jobs.claim(f"instance-{index}", LEASE_S, max_attempts=3)) is not None:
            claimed[index].append(job.id)

    threads = [threading.Thread(target=claimer, args=(index,)) for index in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    everything = [job_id for ids in claimed for job_id in ids]
    assert sorted(everything) == [f"job-{number:02}" for number in range(count)]
