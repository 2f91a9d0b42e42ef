"""The example case's reconciliation compares the list it keeps the fingerprint of: the
one stored on the case, which a mediator may have uploaded again."""

from __future__ import annotations

import json

from app.examples import EXAMPLE_CASE_ID
from app.reconciliation.examples import store_example_reconciliation
from app.reconciliation.store import fingerprint
from reconciliation.schema import Reconciliation
from tests.app.conftest import MakeClient

STORED_LIST = {
    "name": "Side A",
    "detainees": [
        {
            "id": "S-7",
            "name": "Synthetic Person One",
            "birth_date": "1990-03-14",
            "captured_on": "2024-02-01",
        }
    ],
}


def test_the_example_reconciliation_compares_the_stored_list(make_client: MakeClient) -> None:
    with make_client() as client:
        state = client.app.state  # type: ignore[attr-defined]
        cases, store = state.cases, state.reconciliations
        cases.ensure(EXAMPLE_CASE_ID)
        text = json.dumps(STORED_LIST)
        assert cases.put_list(EXAMPLE_CASE_ID, "side_a", "json", 1, text) is not None
        store_example_reconciliation(cases, store)
        stored = store.get(EXAMPLE_CASE_ID)
        assert stored is not None
        assert stored.held_sha256 == fingerprint(text)
        result = Reconciliation.model_validate_json(stored.result_json)
        assert [(m.requested_id, m.held_id) for m in result.matches] == [("R-101", "S-7")]
