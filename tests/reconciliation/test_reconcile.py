"""Crafted people inside a synthetic list of 1,500: namesakes, a person listed twice,
close rivals, end to end through `reconcile` (keys, training, scoring, decisions)."""

from __future__ import annotations

from functools import cache

from benchmarks.reconciliation.lists import generate_lists
from reconciliation.reconcile import read_lists, reconcile
from reconciliation.schema import Match, Reconciliation

CRAFTED_HELD = [
    # Two namesakes, told apart by their birth dates only.
    {"id": "T-H1", "name": "Коваленко Андрій Петрович", "birth_date": "1988-05-14"},
    {"id": "T-H2", "name": "Коваленко Андрій Петрович", "birth_date": "1971-09-02"},
    # One person listed twice, in Cyrillic and in Latin.
    {"id": "T-S1", "name": "Шевченко Тарас Григорович", "birth_date": "1980-01-01"},
    {"id": "T-S2", "name": "Shevchenko Taras Hryhorovych", "birth_date": "01.01.1980"},
    # Two close candidates for one requested person: a day/month swap, a year off.
    {"id": "T-B1", "name": "Бойко Иван", "birth_date": "1993-04-03"},
    {"id": "T-B2", "name": "Бойко Іван", "birth_date": "1992-03-04"},
]
CRAFTED_REQUESTED = [
    {"id": "T-R1", "name": "Коваленко Андрій Петрович"},
    {"id": "T-R2", "name": "Коваленко Андрій Петрович"},
    {"id": "T-Qa", "name": "Шевченко Тарас Григорович", "birth_date": "1980-01-01"},
    {"id": "T-Qb", "name": "Shevchenko Taras Hryhorovych"},
    {"id": "T-RB", "name": "Бойко Іван", "birth_date": "1993-03-04"},
]


@cache
def _answer() -> Reconciliation:
    lists = generate_lists(1500, 1500, 0)
    held, requested, exchanged = read_lists(
        [*lists.held, *CRAFTED_HELD], [*lists.requested, *CRAFTED_REQUESTED], lists.exchanged
    )
    return reconcile(held, requested, exchanged)


def _of(requested_id: str) -> list[Match]:
    return [m for m in _answer().matches if m.requested_id == requested_id]


def test_two_requested_namesakes_without_dates_go_to_review_with_both_held_ones() -> None:
    for requested_id in ("T-R1", "T-R2"):
        found = {(m.held_id, m.band) for m in _of(requested_id)}
        assert found == {("T-H1", "review"), ("T-H2", "review")}, requested_id
        assert all(0.4 <= m.probability <= 0.6 for m in _of(requested_id))
    assert not {"T-R1", "T-R2"} & set(_answer().unmatched_requested)


def test_a_requested_person_is_matched_to_a_held_person_listed_twice_once() -> None:
    groups = [g.held_ids for g in _answer().held_duplicates if "T-S1" in g.held_ids]
    assert groups == [["T-S1", "T-S2"]]
    # One person, one match: nobody but T-Qa is auto to either copy.
    auto_to_copies = {
        m.requested_id
        for m in _answer().matches
        if m.band == "auto" and m.held_id in ("T-S1", "T-S2")
    }
    assert auto_to_copies == {"T-Qa"}
    (match,) = _of("T-Qa")
    assert match.band == "auto"
    assert sorted(match.held_ids) == ["T-S1", "T-S2"]
    assert match.held_id in match.held_ids


def test_every_close_candidate_of_a_person_in_review_is_shown() -> None:
    found = {m.held_id: m for m in _of("T-RB")}
    assert set(found) == {"T-B1", "T-B2"}
    assert {m.band for m in found.values()} == {"review"}


def test_one_to_one_holds_across_the_copies_of_a_person_on_short_lists() -> None:
    # The crafted people alone (scored on the model's priors): Qa and Qb were each auto
    # to one copy of the same person while the copies were an auto duplicate group.
    held, requested, _ = read_lists(CRAFTED_HELD, CRAFTED_REQUESTED, [])
    answer = reconcile(held, requested)
    auto = [m for m in answer.matches if m.band == "auto" and m.held_id in ("T-S1", "T-S2")]
    assert [m.requested_id for m in auto] == ["T-Qa"]
    assert sorted(auto[0].held_ids) == ["T-S1", "T-S2"]
