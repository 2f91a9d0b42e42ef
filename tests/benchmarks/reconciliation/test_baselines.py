"""The baselines do what the benchmark's README says of them."""

from __future__ import annotations

from benchmarks.reconciliation.baselines import (
    exact_after_naive_transliteration,
    fuzzy_normalised,
    fuzzy_with_birth_year,
)
from reconciliation.reconcile import read_lists

HELD = [
    {"id": "H-1", "name": "Шевченко Тарас Григорович", "birth_date": "1980-01-01"},
    {"id": "H-2", "surname": "Олейник", "given_name": "Александр", "birth_date": "1981-05-03"},
    {"id": "H-3", "name": "Бондаренко Іван", "birth_date": "1990-02-02"},
]
REQUESTED = [
    # The other order, Latin, a year off: the normalised fuzzy match finds it.
    {"id": "R-1", "name": "Taras Shevchenko", "birth_date": "1981-01-01"},
    # The Ukrainian forms in Latin, g for h: found by the normalised match only.
    {"id": "R-2", "surname": "Oliinyk", "given_name": "Oleksandr", "birth_date": "1981-05-03"},
    # Born two years apart: no baseline looks there.
    {"id": "R-3", "name": "Бондаренко Іван", "birth_date": "1992-02-02"},
]


def _pairs(answer: object) -> set[tuple[str, str]]:
    matches = getattr(answer, "matches", [])
    return {(m.requested_id, m.held_id) for m in matches}


def test_the_normalised_fuzzy_match_is_order_free_and_allows_a_year() -> None:
    held, requested, _ = read_lists(HELD, REQUESTED, [])
    assert _pairs(fuzzy_normalised(held, requested)) == {("R-1", "H-1"), ("R-2", "H-2")}


def test_the_naive_baselines_miss_what_they_do_not_normalise() -> None:
    held, requested, _ = read_lists(HELD, REQUESTED, [])
    assert _pairs(fuzzy_with_birth_year(held, requested)) == set()
    assert _pairs(exact_after_naive_transliteration(held, requested)) == set()
