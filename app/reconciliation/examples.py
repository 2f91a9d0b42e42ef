"""The examples /docs shows for reconciliation, and the one stored on the example case.

Synthetic people only. The example case's side A list (from `app.examples`) names one
person, "Synthetic Person One"; side B asks for them in its own spelling of the date.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from app.case_store import CaseStore
from app.examples import EXAMPLE_CASE_ID
from app.reconciliation.store import ReconciliationStore, fingerprint

logger = logging.getLogger(__name__)

EXAMPLE_ITEM_ID = "m-0"
CASE_RECONCILE_EXAMPLE: dict[str, Any] = {
    "held_side": "side_a",
    "requested": [
        {"id": "R-101", "name": "Synthetic Person One", "birth_date": "14.03.1990"},
        {"id": "R-102", "surname": "Synthetic", "given_name": "Person Nine"},
    ],
    "exchanged": [],
}
RECONCILE_EXAMPLE: dict[str, Any] = {
    "held": [
        {"id": "B-17", "surname": "Олейник", "given_name": "Александр", "birth_date": "1990-05-03"},
        {"id": "B-18", "name": "Лысенко Виктор Иванович", "birth_date": "23.07.1986"},
    ],
    "requested": [
        {"id": "R-1", "name": "Олійник Олександр Петрович", "birth_date": "03.05.1990"},
        {"id": "R-2", "surname": "Lysenko", "given_name": "Viktor", "birth_date": "1986-07-23"},
    ],
    "exchanged": [],
}


def store_example_reconciliation(cases: CaseStore, reconciliations: ReconciliationStore) -> None:
    """Reconcile the example case's side A list with the example requests, when the case
    has no reconciliation yet (blocking: call from a thread); a failure is logged."""
    try:
        if reconciliations.get(EXAMPLE_CASE_ID) is not None:
            return
        from reconciliation.reconcile import read_lists, reconcile

        stored = cases.get_list(EXAMPLE_CASE_ID, "side_a")
        if stored is None:
            return

        # The list as stored, whose fingerprint is kept: applying checks it is unchanged.
        held, requested, exchanged = read_lists(
            json.loads(stored.list_json).get("detainees", []),
            CASE_RECONCILE_EXAMPLE["requested"],
            CASE_RECONCILE_EXAMPLE["exchanged"],
        )
        result = reconcile(held, requested, exchanged)
        requested_json = json.dumps(CASE_RECONCILE_EXAMPLE["requested"])
        reconciliations.put(
            EXAMPLE_CASE_ID,
            "side_a",
            requested_json,
            json.dumps(CASE_RECONCILE_EXAMPLE["exchanged"]),
            result.model_dump_json(),
            fingerprint(stored.list_json),
        )
    except Exception as exc:  # the examples are a convenience; the service runs without them
        logger.warning("example reconciliation not stored: %s", type(exc).__name__)
