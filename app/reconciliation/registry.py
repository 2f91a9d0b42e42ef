"""The people already handed over, from the service's registry, as records to compare.

The registry (`app.registry_store`) keeps ids only: who crossed from which side, in which
case and stage. What they are called is in the list their case holds; a person whose
case is gone, or whose list gives no name, cannot be compared, and is left out. Within
one reconciliation they are `registry-1`, `registry-2`... in the order they crossed; the
review queue shows where each came from (case, id, stage).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from app.case_store import CaseStore
from app.registry_store import RegistryStore
from reconciliation.schema import IDENTITY_FIELDS, NAME_FIELDS


@dataclass(frozen=True)
class HandedOver:
    """One person of the registry: the record compared, and what the queue shows."""

    record: dict[str, Any]  # id and identity fields
    shown: dict[str, Any]  # the same, with where and when they crossed


def registry_people(cases: CaseStore, registry: RegistryStore, side: str) -> list[HandedOver]:
    """Everyone handed over from `side` in any case whose list is still stored."""
    lists: dict[str, dict[str, dict[str, Any]]] = {}
    people: list[HandedOver] = []
    for entry in registry.entries_for_side(side):
        if entry.case_id not in lists:
            stored = cases.get_list(entry.case_id, side)
            detainees = json.loads(stored.list_json).get("detainees", []) if stored else []
            lists[entry.case_id] = {str(d.get("id")): d for d in detainees if isinstance(d, dict)}
        detainee = lists[entry.case_id].get(entry.detainee_id)
        if detainee is None or not any(detainee.get(field) for field in NAME_FIELDS):
            continue  # nothing to compare: their case is gone, or its list has no name
        record = {
            "id": f"registry-{len(people) + 1}",
            **{field: detainee[field] for field in IDENTITY_FIELDS if detainee.get(field)},
        }
        shown = {
            **record,
            "handed_over": {
                "case_id": entry.case_id,
                "id": entry.detainee_id,
                "stage": entry.stage,
                "at": entry.handed_over_at.isoformat(),
            },
        }
        people.append(HandedOver(record, shown))
    return people
