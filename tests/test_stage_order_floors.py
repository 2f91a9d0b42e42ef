"""Stage orders tried at their floors: a shortcut that must never change an answer.

When one weighted search cannot settle every stage-order level (the weights would pass
2**53), the planner first tries the leading ones at their floors (the smallest stage
sum the capacities allow). Small requests always fit in one search, so these tests
lower the limit until the shortcut is taken on nearly every staged request, and hold
the answer to brute force and to the per-person model.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from solver import lexicographic, solve
from solver.lexicographic import _stage_sum_range
from solver.per_person import solve_per_person
from solver.schema import ExchangeRequest
from tests.brute_force import brute_force
from tests.handmade import DAY, exchange, person
from tests.strategies import requests

_SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.filter_too_much,
    ],
)


def _staged(request: ExchangeRequest) -> None:
    """Only staged requests with stage orders to rank can take the shortcut."""
    assume(len(request.terms.stages or []) >= 2 and len(request.terms.priorities) >= 1)


@pytest.fixture(params=[8, 64])
def one_level_per_search(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    """Weighted searches limited to one to a few levels each, so floors are tried."""
    monkeypatch.setattr(lexicographic, "_EXACT", request.param)


def _vector(request: ExchangeRequest) -> tuple[int, ...] | None:
    plan = solve(request)
    assert plan.status in ("optimal", "infeasible"), plan.status
    if plan.status == "infeasible":
        return None
    assert all(level.proven for level in plan.levels)
    return tuple(level.value for level in plan.levels if level.value is not None)


@_SETTINGS
@given(request=requests(max_people_per_side=3, max_stages=3))
def test_floors_agree_with_brute_force(
    one_level_per_search: None, request: ExchangeRequest
) -> None:
    _staged(request)
    assert _vector(request) == brute_force(request)


@settings(_SETTINGS, max_examples=40)
@given(request=requests(max_people_per_side=7, max_stages=3, max_min_per_side=4))
def test_floors_agree_with_the_per_person_model(
    one_level_per_search: None, request: ExchangeRequest
) -> None:
    _staged(request)
    reference = solve_per_person(request, time_limit_s=30)
    assert reference.status in ("optimal", "infeasible")
    assert _vector(request) == (reference.levels if reference.status == "optimal" else None)


def test_floor_out_of_reach_is_searched_the_usual_way(one_level_per_search: None) -> None:
    """Side A's seriously ill person cannot go first: the only counterpart stage 1 has
    room for is B-1, and A-2 must go with B-1 (they are requested first)."""
    held = DAY - timedelta(days=10)
    side_a = [
        person("A-1", seriously_ill=True, captured_on=held),
        person("A-2", requested=True, captured_on=held - timedelta(days=5)),
    ]
    side_b = [person("B-1", requested=True, captured_on=held), person("B-2", captured_on=held)]
    request = exchange(side_a, side_b, stages=[1, 1], min_per_side=2, parity="total")
    reference = solve_per_person(request, time_limit_s=30)
    assert reference.status == "optimal"
    assert _vector(request) == reference.levels


def _every_split(people: int, capacities: list[int]) -> tuple[int, int] | None:
    """The range the slow way: every split over the sides, every side filled in both
    orders, person by person."""
    stages = [s for s, capacity in enumerate(capacities, start=1) for _ in range(capacity)]
    sums = [
        (
            sum(stages[:a]) + sum(stages[: people - a]),
            sum(stages[::-1][:a]) + sum(stages[::-1][: people - a]),
        )
        for a in range(people + 1)
        if a <= len(stages) and people - a <= len(stages)
    ]
    if not sums:
        return None
    return min(low for low, _ in sums), max(high for _, high in sums)


@given(
    capacities=st.lists(st.integers(1, 6), min_size=1, max_size=4),
    people=st.integers(0, 50),
)
def test_stage_sum_range_agrees_with_every_split(capacities: list[int], people: int) -> None:
    assert _stage_sum_range(people, capacities) == _every_split(people, capacities)


@st.composite
def _levels_and_two_plans(
    draw: st.DrawFn,
) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Ranges of a few levels (width, largest value), and two value vectors within them."""
    spans = draw(
        st.lists(
            st.tuples(st.integers(1, 6), st.integers(0, 20)).map(
                lambda wl: (wl[0], wl[1] + wl[0] - 1)
            ),
            min_size=1,
            max_size=4,
        )
    )
    values = st.tuples(*(st.integers(top - width + 1, top) for width, top in spans))
    return spans, list(draw(values)), list(draw(values))


@given(_levels_and_two_plans())
def test_weighted_sum_orders_plans_lexicographically(
    drawn: tuple[list[tuple[int, int]], list[int], list[int]],
) -> None:
    """One weighted search stands for the levels it batches: the weighted sums of two
    plans compare as their value vectors do. A level of width 1 (the same value in
    every plan) weighs nothing."""
    spans, first, second = drawn
    weights = lexicographic._weights(spans)
    assert all(w == 0 for w, (width, _) in zip(weights, spans, strict=True) if width == 1)

    def weighted(values: list[int]) -> int:
        return sum(w * v for w, v in zip(weights, values, strict=True))

    varying = [i for i, (width, _) in enumerate(spans) if width > 1]
    first_key = [first[i] for i in varying]
    second_key = [second[i] for i in varying]
    assert (weighted(first) < weighted(second)) == (first_key < second_key)
    assert weighted(first) <= lexicographic._weighted_max(spans)
