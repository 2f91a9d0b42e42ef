"""The pooled solver against its slow twins: brute force and the per-person model.

The pooled model is fast because interchangeable people are counted, not named. These
tests are the proof that nothing was lost on the way: on random small requests the
objective vectors must be identical, and so must the verdict "infeasible".
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from solver import solve
from solver.per_person import solve_per_person
from solver.schema import ExchangeRequest
from tests.brute_force import brute_force
from tests.strategies import requests

_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _vector(request: ExchangeRequest) -> tuple[int, ...] | None:
    plan = solve(request)
    assert plan.status in ("optimal", "infeasible"), plan.status
    if plan.status == "infeasible":
        assert plan.conflicts, "an infeasible plan must name its conflict"
        assert not plan.released.side_a
        assert not plan.released.side_b
        return None
    assert all(level.proven for level in plan.levels)
    return tuple(level.value for level in plan.levels if level.value is not None)


@_SETTINGS
@given(requests(max_people_per_side=4, max_stages=2))
def test_solver_matches_brute_force_on_tiny_requests(request: ExchangeRequest) -> None:
    assert _vector(request) == brute_force(request)


@_SETTINGS
@given(requests(max_people_per_side=9, max_stages=3, max_min_per_side=5))
def test_solver_matches_per_person_model(request: ExchangeRequest) -> None:
    reference = solve_per_person(request, time_limit_s=30)
    assert reference.status in ("optimal", "infeasible")
    expected = reference.levels if reference.status == "optimal" else None
    assert _vector(request) == expected


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests(max_people_per_side=8, max_stages=3))
def test_solver_is_deterministic(request: ExchangeRequest) -> None:
    first = solve(request).model_dump_json(exclude={"solve_seconds"})
    again = solve(request).model_dump_json(exclude={"solve_seconds"})
    assert first == again


@pytest.mark.slow
@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(requests(max_people_per_side=14, max_stages=4, max_min_per_side=8))
def test_solver_matches_per_person_model_on_larger_requests(request: ExchangeRequest) -> None:
    reference = solve_per_person(request, time_limit_s=60)
    assert reference.status in ("optimal", "infeasible")
    expected = reference.levels if reference.status == "optimal" else None
    assert _vector(request) == expected
