"""One-to-one decisions: the exact assignment, the one-to-one probability, the bands."""

from __future__ import annotations

import itertools
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from reconciliation.decisions import (
    Candidate,
    Thresholds,
    best_assignment,
    corroborated,
    decide_pairs,
    duplicate_groups,
    duplicate_probabilities,
    one_to_one_probabilities,
)
from reconciliation.linkage import PairSet, ScoredPair

THRESHOLDS = Thresholds(auto_probability=0.995, review_probability=0.2)
STRONG = {
    "surname": "exact",
    "given_name": "equivalent_name",
    "patronymic": "equivalent_name",
    "birth_date": "exact",
}


def _pair(left: str, right: str, weight: float, **evidence: str) -> ScoredPair:
    return ScoredPair(left, right, weight, {**STRONG, **evidence})


def _brute_force_best(candidates: list[Candidate]) -> float:
    """The largest sum of probabilities over every one-to-one subset: the slow twin."""
    best = 0.0
    for size in range(len(candidates) + 1):
        for chosen in itertools.combinations(candidates, size):
            lefts = [c.left for c in chosen]
            rights = [c.right for c in chosen]
            if len(set(lefts)) == len(lefts) and len(set(rights)) == len(rights):
                best = max(best, sum(c.probability for c in chosen))
    return best


_EDGES = st.lists(
    st.tuples(st.integers(0, 3), st.integers(0, 3), st.floats(0.0, 1.0, allow_nan=False)),
    max_size=9,
    unique_by=lambda edge: (edge[0], edge[1]),
)


@settings(max_examples=150, deadline=None)
@given(_EDGES)
def test_best_assignment_agrees_with_brute_force(edges: list[tuple[int, int, float]]) -> None:
    candidates = [Candidate(_pair(f"R{a}", f"H{b}", 0.0), round(p, 6)) for a, b, p in edges]
    chosen = best_assignment(candidates)
    assert len({c.left for c in chosen}) == len(chosen)
    assert len({c.right for c in chosen}) == len(chosen)
    assert math.isclose(
        sum(c.probability for c in chosen), _brute_force_best(candidates), abs_tol=1e-5
    )


@settings(max_examples=100, deadline=None)
@given(_EDGES.map(lambda edges: [(a, b, 40 * p - 20) for a, b, p in edges]))
def test_one_to_one_probabilities_are_probabilities_and_rivals_lower_them(
    edges: list[tuple[int, int, float]],
) -> None:
    pairs = [_pair(f"R{a}", f"H{b}", weight) for a, b, weight in edges]
    scored = PairSet(pairs, prior=1e-3, left_count=4, right_count=4)
    probabilities = {(c.left, c.right): c.probability for c in one_to_one_probabilities(scored)}
    for pair in pairs:
        alone = one_to_one_probabilities(PairSet([pair], 1e-3, 4, 4))[0].probability
        assert 0.0 <= probabilities[(pair.left, pair.right)] <= alone + 1e-12 <= 1.0 + 1e-12


def test_a_clear_pair_is_auto() -> None:
    scored = PairSet([_pair("R1", "H1", 20.0)], prior=1e-4, left_count=10, right_count=10)
    (decided,) = decide_pairs(one_to_one_probabilities(scored), THRESHOLDS)
    assert decided.band == "auto"


def test_a_namesake_pair_goes_to_review_not_auto() -> None:
    # Two held people equally like the requested one: neither is auto, both are shown.
    scored = PairSet(
        [_pair("R1", "H1", 20.0), _pair("R1", "H2", 19.5)],
        prior=1e-4,
        left_count=10,
        right_count=10,
    )
    decided = decide_pairs(one_to_one_probabilities(scored), THRESHOLDS)
    assert {(d.candidate.right, d.band) for d in decided} == {("H1", "review"), ("H2", "review")}


def test_a_far_weaker_rival_does_not_stop_auto() -> None:
    scored = PairSet(
        [_pair("R1", "H1", 25.0), _pair("R1", "H2", 2.0)], prior=1e-4, left_count=10, right_count=10
    )
    decided = decide_pairs(one_to_one_probabilities(scored), THRESHOLDS)
    assert [(d.candidate.right, d.band) for d in decided] == [("H1", "auto")]


def test_one_held_person_wanted_by_two_requested_is_auto_for_neither() -> None:
    scored = PairSet(
        [_pair("R1", "H1", 20.0), _pair("R2", "H1", 20.0)],
        prior=1e-4,
        left_count=10,
        right_count=10,
    )
    decided = decide_pairs(one_to_one_probabilities(scored), THRESHOLDS)
    assert all(d.band == "review" for d in decided)


def test_disagreeing_birth_dates_are_never_auto() -> None:
    for level in ("same_year_and_month", "same_year", "different"):
        scored = PairSet([_pair("R1", "H1", 40.0, birth_date=level)], 1e-4, 10, 10)
        (decided,) = decide_pairs(one_to_one_probabilities(scored), THRESHOLDS)
        assert decided.band == "review", level
    for level in ("exact", "day_month_swapped", "year_off_by_one"):
        scored = PairSet([_pair("R1", "H1", 40.0, birth_date=level)], 1e-4, 10, 10)
        (decided,) = decide_pairs(one_to_one_probabilities(scored), THRESHOLDS)
        assert decided.band == "auto", level


def test_auto_needs_both_names_and_one_more_field_to_agree() -> None:
    assert corroborated(_pair("R", "H", 0.0))
    assert not corroborated(_pair("R", "H", 0.0, surname="different"))
    assert not corroborated(_pair("R", "H", 0.0, given_name="missing"))
    thin = _pair("R", "H", 0.0, patronymic="missing", birth_date="missing")
    assert not corroborated(thin)
    assert corroborated(ScoredPair("R", "H", 0.0, {**thin.evidence, "serial_number": "exact"}))


def test_duplicates_are_grouped_and_a_group_is_auto_only_when_every_link_is() -> None:
    pairs = [
        _pair("H1", "H2", 30.0),
        _pair("H4", "H5", 30.0),
        _pair("H5", "H6", 30.0),
        _pair("H4", "H6", 30.0),
        _pair("H7", "H8", 0.5),
    ]
    scored = PairSet(pairs, prior=1e-4, left_count=100, right_count=100)
    groups = duplicate_groups(duplicate_probabilities(scored), THRESHOLDS)
    # Three records linked each to each are one person listed three times.
    assert [(g.held_ids, g.band) for g in groups] == [
        (["H1", "H2"], "auto"),
        (["H4", "H5", "H6"], "auto"),
        (["H7", "H8"], "review"),
    ]
