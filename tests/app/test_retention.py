"""Deleting a case leaves no trace of its people in the database files; old ones go by
themselves after the retention period."""

from __future__ import annotations

import json
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, select, update

from app.audit import AuditLog
from app.core.config import Settings
from app.core.db import make_engine, make_session_factory, migrate
from app.models import CaseRecord, JobRecord, PlanRecord, utc_now
from app.plan_store import plan_record
from app.retention import purge_expired
from app.solving.messages import SolvedPlan
from solver import Plan
from tests.app.bodies import exchange
from tests.app.conftest import MakeClient
from tests.app.databases import DATABASES, database_url
from tests.app.negotiation import MEDIATOR, MEDIATOR_TOKEN, open_negotiation, side_list

PLAN = Plan(status="infeasible", reference_date=date(2025, 5, 23))
CANARY = "Canary Vxqjw"
BIRTH_DATE = "1958-02-17"


def database_bytes(tmp_path: Path) -> bytes:
    """The database file and its write-ahead log, as they are on disk."""
    files = [tmp_path / "exchange.db", tmp_path / "exchange.db-wal"]
    return b"".join(path.read_bytes() for path in files if path.exists())


def canary_list() -> dict[str, object]:
    people = side_list("side_a")
    people["detainees"][0]["name"] = CANARY
    people["detainees"][0]["birth_date"] = BIRTH_DATE
    return people


def test_deleting_a_case_overwrites_its_people_on_disk(
    make_client: MakeClient, tmp_path: Path
) -> None:
    with make_client(bootstrap_mediator_key=MEDIATOR_TOKEN) as client:
        negotiation = open_negotiation(client, side_a_list=canary_list())
        assert CANARY.encode() in database_bytes(tmp_path)
        assert client.delete(negotiation.path, headers=MEDIATOR).status_code == 204
        stored = database_bytes(tmp_path)
        assert CANARY.encode() not in stored
        assert BIRTH_DATE.encode() not in stored


def test_a_replaced_list_leaves_no_trace(make_client: MakeClient, tmp_path: Path) -> None:
    with make_client(bootstrap_mediator_key=MEDIATOR_TOKEN) as client:
        negotiation = open_negotiation(client, side_a_list=canary_list(), solve=False)
        client.put(
            f"{negotiation.path}/lists/side_a", json=side_list("side_a"), headers=negotiation.side_a
        )
        assert CANARY.encode() not in database_bytes(tmp_path)


def test_the_retention_period_purges_old_cases_and_plans(
    make_client: MakeClient, tmp_path: Path
) -> None:
    settings = {"bootstrap_mediator_key": MEDIATOR_TOKEN, "retention_check_interval_s": 0.2}
    with make_client(**settings) as client:
        old = open_negotiation(client, side_a_list=canary_list())
        fresh = open_negotiation(client, solve=False)
        standalone = client.post("/v1/plans", json=exchange(), headers=MEDIATOR).json()
        sessions = client.app.state.cases._sessions  # type: ignore[attr-defined]
        long_ago = utc_now() - timedelta(days=91)
        with sessions.begin() as session:
            session.execute(
                update(CaseRecord).where(CaseRecord.id == old.case_id).values(updated_at=long_ago)
            )
            session.execute(
                update(PlanRecord)
                .where(PlanRecord.id == standalone["id"])
                .values(created_at=long_ago)
            )
        deadline = utc_now() + timedelta(seconds=10)
        while client.get(old.path, headers=MEDIATOR).status_code != 404:
            assert utc_now() < deadline, "the old case was not purged"
        assert client.get(fresh.path, headers=MEDIATOR).status_code == 200
        assert client.get(f"/v1/plans/{standalone['id']}", headers=MEDIATOR).status_code == 404
        assert client.get(old.path, headers=old.side_a).status_code == 401
        purges = client.get("/v1/audit", params={"limit": 1000}, headers=MEDIATOR).json()["items"]
        assert {"case_purge", "plan_purge"} <= {entry["action"] for entry in purges}
        # The purged pages are overwritten on disk once a checkpoint completes: at once,
        # or at a later pass if this test's own reads kept the first one from it.
        while CANARY.encode() in database_bytes(tmp_path):
            assert utc_now() < deadline + timedelta(seconds=10), "the purged list is on disk"
            time.sleep(0.1)


@pytest.mark.parametrize("kind", DATABASES)
def test_a_purge_commits_once_so_nobody_sees_it_half_done(kind: str, tmp_path: Path) -> None:
    """Cases, plans and their audit entries go together: a reader never sees the case
    gone with its plan (or its audit entry) still there."""
    with database_url(kind, tmp_path) as url:
        purge_in_one_transaction(url)


def purge_in_one_transaction(url: str) -> None:
    engine = make_engine(Settings(database_url=url))
    migrate(engine)
    sessions = make_session_factory(engine)
    long_ago = utc_now() - timedelta(days=91)
    with sessions.begin() as session:
        session.add(CaseRecord(id="old-case", created_at=long_ago, updated_at=long_ago))
        session.add(CaseRecord(id="fresh-case"))
        for plan_id, created in (("old-plan", long_ago), ("fresh-plan", utc_now())):
            record = plan_record(SolvedPlan.of(PLAN), "{}", source="json", plan_id=plan_id)
            record.created_at = created
            session.add(record)
    with sessions.begin() as session:
        session.add(
            JobRecord(
                id="old-job",
                created_at=long_ago,
                status="queued",
                time_limit_s=1.0,
                request_json=json.dumps({"name": CANARY}),
            )
        )
    commits: list[int] = []
    event.listen(sessions, "after_commit", lambda _session: commits.append(1))
    settings = Settings(database_url=url, case_retention_days=90)
    assert purge_expired(settings, sessions, AuditLog(sessions), engine) == (1, 1)
    assert len(commits) == 1
    with sessions() as session:
        assert set(session.scalars(select(CaseRecord.id))) == {"fresh-case"}
        assert set(session.scalars(select(PlanRecord.id))) == {"fresh-plan"}
        assert list(session.scalars(select(JobRecord.id))) == []
    actions = [entry.action for entry in AuditLog(sessions).page(0, 10)]
    assert actions == ["case_purge", "plan_purge", "job_purge"]
    assert AuditLog(sessions).verify().first_broken is None
    engine.dispose()
