"""Pairs found in the service's registry of people handed over stand on that registry: a
stage taken back makes them stale (refused at apply), and a case deleted while another
case's reconciliation runs leaves none of its people's names in what that run stores."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from app.models import RegistryEntryRecord, utc_now
from app.reconciliation.case_reconciliation import prepare_run, run_and_store
from app.registry_store import remove_rows_of_event
from reconciliation.schema import ReconcileOptions
from tests.app.conftest import MakeClient
from tests.app.negotiation import MEDIATOR, MEDIATOR_TOKEN, Negotiation, open_negotiation

CANARY = "Canary Vxqjw"
BIRTH_DATE = "1958-02-17"
REQUESTED = [{"id": "R-1", "name": "Кравець Олег", "birth_date": "08.08.1983"}]


def _named_list(*people: tuple[str, str, str]) -> dict[str, Any]:
    return {
        "name": "Side A",
        "detainees": [
            {"id": pid, "name": name, "birth_date": born, "captured_on": "2023-01-01"}
            for pid, name, born in people
        ],
    }


def _handed_over_elsewhere(client: TestClient) -> tuple[Negotiation, Negotiation]:
    """A first case whose A-1 (the canary) was handed over in stage 1 (event 1), and a
    second case whose side A lists the same person again as N-7."""
    first = open_negotiation(
        client,
        side_a_list=_named_list(("A-1", CANARY, BIRTH_DATE)),
        solve=False,
        publish=False,
    )
    second = open_negotiation(
        client,
        side_a_list=_named_list(
            ("N-7", CANARY, BIRTH_DATE), ("N-8", "Кравець Олег Тарасович", "1983-08-08")
        ),
        solve=False,
        publish=False,
    )
    with client.app.state.cases._sessions.begin() as session:  # type: ignore[attr-defined]
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
    return first, second


def test_a_pair_whose_handover_was_taken_back_is_not_applied(make_client: MakeClient) -> None:
    with make_client(bootstrap_mediator_key=MEDIATOR_TOKEN) as client:
        first, second = _handed_over_elsewhere(client)
        reconciled = client.post(
            f"{second.path}/reconcile",
            json={"held_side": "side_a", "requested": REQUESTED},
            headers=MEDIATOR,
        )
        assert reconciled.status_code == 201, reconciled.text
        found = reconciled.json()["result"]["already_exchanged"]
        assert [(e["held_id"], e["exchanged_id"]) for e in found] == [("N-7", "registry-1")]
        # The stage is taken back (as DELETE .../events/1 does) before the pair is applied.
        state = client.app.state  # type: ignore[attr-defined]
        with state.cases._sessions.begin() as session:
            assert remove_rows_of_event(session, first.case_id, 1) == 1
        decided = client.put(
            f"{second.path}/matches/x-0", json={"decision": "confirmed"}, headers=MEDIATOR
        )
        assert decided.status_code == 200, decided.text
        before = client.get(f"{second.path}/lists/side_a", headers=MEDIATOR).json()
        refused = client.post(f"{second.path}/reconcile/apply", headers=MEDIATOR)
        assert refused.status_code == 409, refused.text
        assert [(e["id"], e["field"], e["rule"]) for e in refused.json()["errors"]] == [
            ("x-0", "decision", "stale_reconciliation")
        ]
        assert CANARY not in refused.text
        assert client.get(f"{second.path}/lists/side_a", headers=MEDIATOR).json() == before
        assert state.reconciliations.get(second.case_id).applied_at is None
        # Taking the pair back leaves nothing resting on the handover: applying goes on.
        assert client.put(
            f"{second.path}/matches/x-0", json={"decision": "pending"}, headers=MEDIATOR
        ).is_success
        assert client.post(f"{second.path}/reconcile/apply", headers=MEDIATOR).status_code == 200


def test_a_pair_whose_handover_stands_is_applied(make_client: MakeClient) -> None:
    with make_client(bootstrap_mediator_key=MEDIATOR_TOKEN) as client:
        _, second = _handed_over_elsewhere(client)
        assert client.post(
            f"{second.path}/reconcile",
            json={"held_side": "side_a", "requested": REQUESTED},
            headers=MEDIATOR,
        ).is_success
        assert client.put(
            f"{second.path}/matches/x-0", json={"decision": "confirmed"}, headers=MEDIATOR
        ).is_success
        applied = client.post(f"{second.path}/reconcile/apply", headers=MEDIATOR)
        assert applied.status_code == 200, applied.text
        assert applied.json()["made_ineligible"] == 1


def test_a_case_deleted_during_a_run_leaves_no_names_in_what_it_stores(
    make_client: MakeClient,
) -> None:
    with make_client(bootstrap_mediator_key=MEDIATOR_TOKEN) as client:
        first, second = _handed_over_elsewhere(client)
        state = client.app.state  # type: ignore[attr-defined]
        prepared = prepare_run(
            state.settings,
            state.cases,
            state.registry,
            second.case_id,
            "side_a",
            REQUESTED,
            [],
            True,
            ReconcileOptions(),
        )
        assert CANARY in prepared.exchanged_json  # read from the first case's list
        assert client.delete(first.path, headers=MEDIATOR).status_code == 204
        run_and_store(prepared, state.cases, state.reconciliations)
        stored = state.reconciliations.get(second.case_id)
        assert CANARY not in stored.exchanged_json
        assert BIRTH_DATE not in stored.exchanged_json
        assert '"handed_over"' in stored.exchanged_json  # its ids and where it crossed stay
