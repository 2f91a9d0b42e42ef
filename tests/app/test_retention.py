"""Deleting a case leaves no trace of its people in the database files; old ones go by
themselves after the retention period."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import update

from app.models import CaseRecord, PlanRecord, utc_now
from tests.app.bodies import exchange
from tests.app.conftest import MakeClient
from tests.app.negotiation import MEDIATOR, MEDIATOR_TOKEN, open_negotiation, side_list

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
        # One pass purges the cases, then the plans: the plan may go a moment later.
        standalone_path = f"/v1/plans/{standalone['id']}"
        while client.get(standalone_path, headers=MEDIATOR).status_code != 404:
            assert utc_now() < deadline, "the old plan was not purged"
        assert client.get(fresh.path, headers=MEDIATOR).status_code == 200
        assert client.get(old.path, headers=old.side_a).status_code == 401
        # The pass audits each purge, then checkpoints the database file.
        while True:
            audit = client.get("/v1/audit", params={"limit": 1000}, headers=MEDIATOR).json()
            purged = {"case_purge", "plan_purge"} <= {e["action"] for e in audit["items"]}
            if purged and CANARY.encode() not in database_bytes(tmp_path):
                break
            assert utc_now() < deadline, "the purges were not audited, or the file kept the name"
            time.sleep(0.05)
