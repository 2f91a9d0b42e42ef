"""One-to-one decisions: the exact assignment, the one-to-one probability, the bands."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciliation.decisions import (
    RIVAL_PROBABILITY,
    Candidate,
    Thresholds,
    best_assignment,
    copies_of,
    corroborated,
    decide_pairs,
    duplicate_groups,
    duplicate_probabilities,
    one_to_one_probabilities,
)
from reconciliation.linkage import PairSet, ScoredPair
from reconciliation.matching_posterior import Edge, MatchingPosterior, pair_probabilities

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
    candidates = [Candidate.of(_pair(f"R{a}", f"H{b}", 0.0), round(p, 6)) for a, b, p in edges]
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
    assert not corroborated(_pair("R", "H", 0.0, surname="different", patronymic="missing"))
    assert not corroborated(_pair("R", "H", 0.0, given_name="missing"))
    thin = _pair("R", "H", 0.0, patronymic="missing", birth_date="missing")
    assert not corroborated(thin)
    assert corroborated(ScoredPair("R", "H", 0.0, {**thin.evidence, "serial_number": "exact"}))


def test_a_surname_may_differ_only_beside_the_given_name_patronymic_and_exact_date() -> None:
    assert corroborated(_pair("R", "H", 0.0, surname="different"))  # STRONG: all three agree
    assert not corroborated(
        _pair("R", "H", 0.0, surname="different", birth_date="day_month_swapped")
    )
    assert not corroborated(_pair("R", "H", 0.0, surname="different", patronymic="missing"))
    # Twins share surname, patronymic and birth date: a given name that differs is never
    # passed over, however much else agrees.
    assert not corroborated(_pair("R", "H", 0.0, given_name="different", serial_number="exact"))


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


# ------------------------------------------------ the posterior over one-to-one answers


def _brute_force_probabilities(edges: Sequence[tuple[str, str, float]]) -> list[float]:
    """The slow, obvious twin: every subset of the candidate pairs that names no record
    twice is a one-to-one answer, as likely as the product of its pairs' weights."""
    total = 0.0
    holding = [0.0] * len(edges)
    for chosen in itertools.product((False, True), repeat=len(edges)):
        picked = [edge for edge, taken in zip(edges, chosen, strict=True) if taken]
        lefts = [edge[0] for edge in picked]
        rights = [edge[1] for edge in picked]
        if len(set(lefts)) < len(lefts) or len(set(rights)) < len(rights):
            continue
        weight = math.prod(edge[2] for edge in picked)
        total += weight
        for index, taken in enumerate(chosen):
            if taken:
                holding[index] += weight
    return [value / total for value in holding]


def _graphs(max_edges: int) -> st.SearchStrategy[list[tuple[int, int, float]]]:
    """Up to 4 x 4 candidates, match weights from -10 to 30 bits."""
    return st.lists(
        st.tuples(st.integers(0, 3), st.integers(0, 3), st.floats(-10.0, 30.0)),
        min_size=1,
        max_size=max_edges,
        unique_by=lambda edge: (edge[0], edge[1]),
    )


def _check_against_brute_force(edges: list[tuple[int, int, float]]) -> None:
    prior = 1e-3
    pairs = [_pair(f"R{a}", f"H{b}", weight) for a, b, weight in edges]
    found = one_to_one_probabilities(PairSet(pairs, prior, left_count=4, right_count=4))
    # The product's weight: a pair's odds against both people unmatched.
    unmatched = (1 - prior * 4) ** 2
    expected = _brute_force_probabilities(
        [(p.left, p.right, 2.0**p.match_weight / unmatched) for p in pairs]
    )
    for candidate, want in zip(found, expected, strict=True):
        assert candidate.probability == pytest.approx(want, rel=1e-6, abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(_graphs(max_edges=8))
def test_one_to_one_probabilities_are_the_posterior_over_every_matching(
    edges: list[tuple[int, int, float]],
) -> None:
    _check_against_brute_force(edges)


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(_graphs(max_edges=16))
def test_one_to_one_probabilities_are_the_posterior_up_to_four_by_four(
    edges: list[tuple[int, int, float]],
) -> None:
    _check_against_brute_force(edges)


def _forest(edges: list[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
    """The edges that close no cycle, in order (a forest of candidates)."""
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        while parent.setdefault(node, node) != node:
            node = parent[node]
        return node

    kept = []
    for a, b, weight in edges:
        left, right = root(f"R{a}"), root(f"H{b}")
        if left != right:
            parent[left] = right
            kept.append((a, b, weight))
    return kept


@settings(max_examples=150, deadline=None)
@given(_graphs(max_edges=16).map(_forest))
def test_belief_propagation_is_exact_on_groups_without_a_cycle(
    edges: list[tuple[int, int, float]],
) -> None:
    graph = [Edge(f"R{a}", f"H{b}", weight * math.log(2)) for a, b, weight in edges]
    exact = pair_probabilities(graph)
    propagated = pair_probabilities(graph, max_exact=0)
    assert propagated == pytest.approx(exact, rel=1e-6, abs=1e-9)


def test_two_namesakes_on_both_lists_are_one_half_each_not_lost() -> None:
    # R1, R2 and H1, H2 all alike (no birth dates to tell them apart): each requested
    # person is one of the two held ones, which one is a coin toss, so all four pairs
    # are about 1/2 and go to review. The rival-times-rival term of the old formula
    # gave each about 2^-20 and dropped them all.
    pairs = [_pair(f"R{a}", f"H{b}", 20.0, birth_date="missing") for a in (1, 2) for b in (1, 2)]
    scored = PairSet(pairs, prior=1e-4, left_count=1500, right_count=1500)
    candidates = one_to_one_probabilities(scored, learn_share=True)
    assert [c.probability for c in candidates] == pytest.approx([0.5] * 4, abs=0.01)
    decided = decide_pairs(candidates, THRESHOLDS)
    assert sorted((d.candidate.left, d.candidate.right, d.band) for d in decided) == [
        ("R1", "H1", "review"),
        ("R1", "H2", "review"),
        ("R2", "H1", "review"),
        ("R2", "H2", "review"),
    ]


@pytest.mark.parametrize("size", [5, 6])
def test_a_large_group_of_namesakes_shares_the_probability_exactly_or_by_propagation(
    size: int,
) -> None:
    # 5 x 5 alike: 1,546 matchings, enumerated; 6 x 6: 13,327, past the bound, so
    # belief propagation. Either way each of the 36 pairs is about 1/size.
    edges = [Edge(f"R{a}", f"H{b}", 20.0) for a in range(size) for b in range(size)]
    posterior = MatchingPosterior(edges)
    assert (len(posterior.exact), len(posterior.propagated)) == ((1, 0) if size == 5 else (0, 1))
    assert posterior.probabilities() == pytest.approx([1 / size] * size**2, abs=0.01)


def test_a_person_listed_twice_is_one_candidate_and_one_to_one_holds_across_copies() -> None:
    # H1 and H2 are one person listed twice (an auto duplicate group). Qa agrees with
    # H1 fully; Qb with H2 on names only. They compete for one person: Qa is auto (to
    # the group), Qb is not auto to the other copy.
    duplicates = PairSet([_pair("H1", "H2", 30.0)], prior=1e-4, left_count=100, right_count=100)
    groups = duplicate_groups(duplicate_probabilities(duplicates), THRESHOLDS)
    copies = copies_of(groups)
    assert copies == {"H1": "H1", "H2": "H1"}
    scored = PairSet(
        [
            _pair("Qa", "H1", 30.0),
            _pair("Qa", "H2", 25.0),
            _pair("Qb", "H2", 16.0, birth_date="missing"),
        ],
        prior=1e-4,
        left_count=100,
        right_count=100,
    )
    candidates = one_to_one_probabilities(scored, learn_share=True, copies=copies)
    assert sorted((c.left, c.right, c.pair.right) for c in candidates) == [
        ("Qa", "H1", "H1"),  # the group, by its best-agreeing copy
        ("Qb", "H1", "H2"),
    ]
    decided = decide_pairs(candidates, THRESHOLDS)
    assert [(d.candidate.left, d.band) for d in decided if d.band == "auto"] == [("Qa", "auto")]


def test_a_close_rival_of_a_person_in_review_is_shown_too() -> None:
    # R1's best candidate is below auto (review); its rival at about 0.2 is below the
    # review threshold but above the rival floor: the mediator sees both.
    scored = PairSet(
        [_pair("R1", "H1", 14.0), _pair("R1", "H2", 12.0), _pair("R1", "H3", 4.0)],
        prior=1e-4,
        left_count=10,
        right_count=10,
    )
    candidates = {c.right: c.probability for c in one_to_one_probabilities(scored)}
    assert candidates["H1"] > 0.5 > candidates["H2"]
    assert RIVAL_PROBABILITY <= candidates["H2"] < 0.3
    assert candidates["H3"] < RIVAL_PROBABILITY
    decided = decide_pairs(one_to_one_probabilities(scored), Thresholds(0.95, 0.3))
    assert [(d.candidate.right, d.band) for d in decided] == [("H1", "review"), ("H2", "review")]
