"""Pairing a stage like for like, and keeping spreadsheets from running cells."""

from __future__ import annotations

from typing import Any

import pytest

from app.manifest import pair_stage, spreadsheet_safe
from solver.schema import Detainee


def person(id_: str, **fields: Any) -> Detainee:
    return Detainee(id=id_, **fields)


def test_pairs_same_status_and_health_first_then_status_then_health() -> None:
    side_a = [
        person("A-1"),
        person("A-2", status="civilian"),
        person("A-3", seriously_ill=True),
        person("A-4", status="civilian", seriously_ill=True),
    ]
    side_b = [
        person("B-1", status="civilian", seriously_ill=True),
        person("B-2", status="civilian"),
        person("B-3"),
        person("B-4", status="civilian"),
    ]
    pairs = [
        (p.side_a.id if p.side_a else None, p.side_b.id if p.side_b else None, p.match)
        for p in pair_stage(side_a, side_b)
    ]
    assert pairs == [
        ("A-4", "B-1", "status and health"),
        ("A-2", "B-2", "status and health"),
        ("A-1", "B-3", "status and health"),
        ("A-3", "B-4", "none"),
    ]


def test_leftovers_are_unpaired_on_their_own_side() -> None:
    pairs = pair_stage([person("A-1"), person("A-2", seriously_ill=True)], [person("B-1")])
    assert [(p.match, p.side_b is None) for p in pairs] == [
        ("status and health", False),
        ("unpaired", True),
    ]
    assert pairs[1].side_a is not None
    assert pairs[1].side_a.id == "A-2"


def test_same_status_beats_same_health() -> None:
    side_a = [person("A-1", status="civilian", seriously_ill=True)]
    side_b = [person("B-1", seriously_ill=True), person("B-2", status="civilian")]
    (first, second) = pair_stage(side_a, side_b)
    assert (first.side_b and first.side_b.id, first.match) == ("B-2", "status")
    assert (second.side_b and second.side_b.id, second.match) == ("B-1", "unpaired")


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@A1", "\tx", "\rx", "\nx"])
def test_formula_starts_get_a_quote(cell: str) -> None:
    assert spreadsheet_safe(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["A-101", "", "Name = value", "1-2", "'quoted"])
def test_ordinary_cells_are_unchanged(cell: str) -> None:
    assert spreadsheet_safe(cell) == cell
