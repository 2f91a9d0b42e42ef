"""The reconciliation examples: the bodies are the lists, and the README's outcome holds."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from reconciliation.list_files import list_text, read_list
from reconciliation.reconcile import reconcile

FOLDER = Path(__file__).resolve().parents[2] / "examples" / "reconciliation"


def _json(name: str) -> object:
    return json.loads((FOLDER / name).read_text(encoding="utf-8"))


def test_request_bodies_are_made_of_the_three_lists() -> None:
    held = _json("side_b.json")
    requested = _json("requested.json")
    with (FOLDER / "exchanged.csv").open(encoding="utf-8") as file:
        exchanged = [{k: v for k, v in row.items() if v} for row in csv.DictReader(file)]
    assert isinstance(held, dict)
    assert _json("request.json") == {
        "held": held["detainees"],
        "requested": requested,
        "exchanged": exchanged,
    }
    assert _json("case_request.json") == {
        "held_side": "side_b",
        "requested": requested,
        "exchanged": exchanged,
    }


def test_the_example_reconciles_as_the_readme_shows() -> None:
    held = read_list(list_text("held", FOLDER / "side_b.json")).records
    requested = read_list(list_text("requested", FOLDER / "requested.json")).records
    exchanged = read_list(list_text("exchanged", FOLDER / "exchanged.csv")).records
    result = reconcile(held, requested, exchanged)
    shown = [(m.requested_id, m.held_id, m.band) for m in result.matches]
    assert shown == [
        ("R-1", "B-101", "auto"),
        ("R-2", "B-102", "auto"),
        ("R-3", "B-103", "auto"),
        ("R-4", "B-104", "auto"),
        ("R-5", "B-105", "review"),  # m-4 in the README's case walk-through
        ("R-5", "B-106", "review"),
        ("R-6", "B-111", "auto"),
    ]
    assert result.unmatched_requested == ["R-7"]
    assert [g.held_ids for g in result.held_duplicates] == [["B-107", "B-108"]]
    assert [(e.held_id, e.exchanged_id) for e in result.already_exchanged] == [("B-109", "X-1")]
