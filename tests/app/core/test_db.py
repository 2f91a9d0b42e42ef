"""Migrations: they build the schema the models describe, on SQLite and on PostgreSQL.

The PostgreSQL runs need EXCHANGE_TEST_POSTGRES_URL (see `tests.app.databases`); CI
starts a server for them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from app.core.config import Settings
from app.core.db import make_engine, make_session_factory, migrate
from app.job_store import JobStore
from app.models import Base
from app.plan_store import PlanStore, plan_record
from app.solving.messages import SolvedPlan, SolveOutcome
from solver import Plan
from tests.app.databases import DATABASES, database_url

ROOT = Path(__file__).resolve().parents[3]
PLAN = Plan(status="infeasible", reference_date=date(2025, 5, 23))


def sqlite_engine(tmp_path: Path) -> Engine:
    return make_engine(Settings(database_url=f"sqlite:///{tmp_path / 'db' / 'exchange.db'}"))


def assert_schema_matches_models(engine: Engine) -> None:
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def assert_plans_and_jobs_round_trip(engine: Engine) -> None:
    sessions = make_session_factory(engine)
    plans, jobs = PlanStore(sessions), JobStore(sessions)
    jobs.create("job-1", 5.0, '{"request": 1}')
    claimed = jobs.claim("here", lease_s=30.0, max_attempts=3)
    assert claimed is not None
    assert (claimed.id, claimed.request_json, claimed.attempts) == ("job-1", '{"request": 1}', 1)
    jobs.mark_running("job-1", "here")
    solved = SolvedPlan.of(PLAN)
    assert jobs.finish("job-1", "here", SolveOutcome("infeasible", solved, 0.1), '{"request": 1}')
    job = jobs.get("job-1")
    assert job is not None
    assert job.status == "infeasible"
    assert job.plan_id is not None
    assert job.started_at is not None
    assert job.started_at.tzinfo is not None
    stored = plans.get(job.plan_id)
    assert stored is not None
    assert stored.plan_json == PLAN.model_dump_json()
    assert plans.page(0, 10).total == 1
    assert plans.delete(job.plan_id)
    after = jobs.get("job-1")
    assert after is not None
    assert after.plan_id is None  # the job stays, its plan is gone
    assert job.request_json is None  # the plan holds the request now
    plans.add(plan_record(solved, "{}", source="json", plan_id="kept"))
    jobs.create("job-2", 5.0, "{}")
    assert jobs.claim("here", lease_s=30.0, max_attempts=3) is not None
    assert jobs.claim("there", lease_s=30.0, max_attempts=3) is None  # held by "here"
    assert jobs.release("here") == 1
    again = jobs.claim("there", lease_s=30.0, max_attempts=3)
    assert again is not None
    assert again.attempts == 1  # a clean release does not count


@pytest.mark.parametrize("kind", DATABASES)
def test_migrations_build_the_models_schema(kind: str, tmp_path: Path) -> None:
    with database_url(kind, tmp_path) as url:
        engine = make_engine(Settings(database_url=url))
        migrate(engine)
        migrate(engine)  # a second start-up finds nothing to do
        assert {"plans", "jobs", "alembic_version"} <= set(inspect(engine).get_table_names())
        assert_schema_matches_models(engine)
        assert_plans_and_jobs_round_trip(engine)
        engine.dispose()


@pytest.mark.parametrize("kind", DATABASES)
def test_alembic_command_line_upgrades_and_downgrades(kind: str, tmp_path: Path) -> None:
    with database_url(kind, tmp_path / "cli") as url:
        (tmp_path / "cli").mkdir(exist_ok=True)
        env = {**os.environ, "EXCHANGE_DATABASE_URL": url}
        for step in (["upgrade", "head"], ["downgrade", "base"], ["upgrade", "head"]):
            subprocess.run(
                [sys.executable, "-m", "alembic", *step],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                timeout=60,
            )
        engine = make_engine(Settings(database_url=url))
        assert_schema_matches_models(engine)
        engine.dispose()
