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

from solver import lexicographic, solve
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
