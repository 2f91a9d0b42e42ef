"""A case deleted or purged takes its reconciliation with it, and its people's names out of
every other case's stored reconciliation (where the service's registry brought them in):
the registry itself keeps ids only."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from app.models import (
    CaseRecord,
    ReconciliationDecisionRecord,
    ReconciliationRecord,
    ReconciliationRunRecord,
    RegistryEntryRecord,
    utc_now,
)
from app.retention import purge_expired
from tests.app.conftest import MakeClient
from tests.app.negotiation import MEDIATOR, MEDIATOR_TOKEN, Negotiation, open_negotiation

CANARY = "Canary Vxqjw"
BIRTH_DATE = "1958-02-17"


def _named_list(*people: tuple[str, str, str]) -> dict[str, Any]:
    return {
        "name": "Side A",
        "detainees": [
            {"id": pid, "name": name, "birth_date": born, "captured_on": "2023-01-01"}
            for pid, name, born in people
        ],
    }


def _two_cases(client: TestClient) -> tuple[Negotiation, Negotiation]:
    """A first case whose A-1 (the canary) was handed over, each case reconciled: the
    second one's registry of people handed over holds the canary's name."""
    first = open_negotiation(
        client,
        side_a_list=_named_list(
            ("A-1", CANARY, BIRTH_DATE), ("A-2", "Савчук Роман Богданович", "1991-03-21")
        ),
        solve=False,
        publish=False,
    )
    second = open_negotiation(
        client,
        side_a_list=_named_list(
            ("N-7", "Кравець Олег Тарасович", "1983-08-08"),
            ("N-8", "Мельник Іван Петрович", "1979-04-04"),
        ),
        solve=False,
        publish=False,
    )
    state = client.app.state  # type: ignore[attr-defined]
    with state.cases._sessions.begin() as session:
        session.add(
            RegistryEntryRecord(
                case_id=first.case_id,
                side="side_a",
                detainee_id="A-1",
                stage=1,
                handed_over_at=utc_now(),
                event_seq=1,
            )
        )
    requested = {
        "held_side": "side_a",
        "requested": [
            {"id": "R-1", "name": "Кравець Олег", "birth_date": "08.08.1983"},
            {"id": "R-2", "name": "Савчук Роман", "birth_date": "21.03.1991"},
        ],
    }
    for case in (first, second):
        reconciled = client.post(f"{case.path}/reconcile", json=requested, headers=MEDIATOR)
        assert reconciled.status_code == 201, reconciled.text
        assert client.put(
            f"{case.path}/matches/m-0", json={"decision": "confirmed"}, headers=MEDIATOR
        ).is_success
    state.reconciliations.claim_run(first.case_id, "run-1", "side_a", 1, utc_now())
    stored = state.reconciliations.get(second.case_id)
    assert CANARY in stored.exchanged_json  # what the mediator compared against
    return first, second


def _rows(client: TestClient, case_id: str) -> dict[str, int]:
    sessions = client.app.state.cases._sessions  # type: ignore[attr-defined]
    counts = {}
    with sessions() as session:
        for table in (ReconciliationRecord, ReconciliationDecisionRecord, ReconciliationRunRecord):
            counts[table.__tablename__] = session.scalar(
                select(func.count()).select_from(table).where(table.case_id == case_id)
            )
    return counts


def _forgotten(client: TestClient, tmp_path: Path, first: Negotiation, second: Negotiation) -> None:
    assert set(_rows(client, first.case_id).values()) == {0}
    stored = client.app.state.reconciliations.get(second.case_id)  # type: ignore[attr-defined]
    assert CANARY not in stored.exchanged_json
    assert BIRTH_DATE not in stored.exchanged_json
    # The second case keeps its own reconciliation and decisions; the registry entry is
    # shown by its ids and where it crossed, no longer by name.
    assert _rows(client, second.case_id)["reconciliation_decisions"] == 1
    queue = client.get(f"{second.path}/matches", headers=MEDIATOR)
    assert queue.status_code == 200
    assert CANARY not in queue.text
    registry = client.get("/v1/registry", headers=MEDIATOR).json()
    assert [(e["case_id"], e["id"]) for e in registry["items"]] == [(first.case_id, "A-1")]
    files = [tmp_path / "exchange.db", tmp_path / "exchange.db-wal"]
    on_disk = b"".join(path.read_bytes() for path in files if path.exists())
    assert CANARY.encode() not in on_disk


def test_deleting_a_case_forgets_its_reconciliation_and_its_names_elsewhere(
    make_client: MakeClient, tmp_path: Path
) -> None:
    with make_client(bootstrap_mediator_key=MEDIATOR_TOKEN) as client:
        first, second = _two_cases(client)
        assert _rows(client, first.case_id) == {
            "reconciliations": 1,
            "reconciliation_decisions": 1,
            "reconciliation_runs": 1,
        }
        assert client.delete(first.path, headers=MEDIATOR).status_code == 204
        _forgotten(client, tmp_path, first, second)


def test_the_retention_purge_forgets_them_too(make_client: MakeClient, tmp_path: Path) -> None:
    with make_client(bootstrap_mediator_key=MEDIATOR_TOKEN) as client:
        first, second = _two_cases(client)
        state = client.app.state  # type: ignore[attr-defined]
        sessions = state.cases._sessions
        with sessions.begin() as session:
            session.execute(
                update(CaseRecord)
                .where(CaseRecord.id == first.case_id)
                .values(updated_at=utc_now() - timedelta(days=91))
            )
        assert purge_expired(state.settings, sessions, state.audit, state.engine) == (1, 0)
        _forgotten(client, tmp_path, first, second)


@pytest.mark.parametrize("entry", [{"id": "X-1", "name": "kept"}, "not a record"])
def test_entries_of_an_uploaded_registry_are_left_as_they_are(entry: Any) -> None:
    from app.reconciliation.store import _without_names

    assert _without_names(entry, {"gone"}) == entry
