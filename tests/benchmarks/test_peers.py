"""The benchmark's peers against the planner: same objective vector, or the same verdict.

The speed-up the benchmark reports is only meaningful if the peers solve the same
problem: the per-person MILP and the per-person CP-SAT model must reach the planner's
objective vector exactly, on generated lists (families, stages, per-status parity) and on
random small requests (groups, stages, civilians separately, uncounted categories).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from benchmarks.peers import PEERS
from benchmarks.peers.greedy import solve_greedy
from benchmarks.peers.milp_highs import solve_milp
from solver import solve
from solver.input_errors import parse_request
from solver.levels import levels_for
from solver.schema import ExchangeRequest, IdsBySide
from solver.synthetic import generate_request
from tests.strategies import requests

RANDOM = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def planner_vector(request: ExchangeRequest) -> tuple[int, ...] | None:
    plan = solve(request)
    assert plan.status in ("optimal", "infeasible")
    if plan.status == "infeasible":
        return None
    return tuple(level.value for level in plan.levels if level.value is not None)


@pytest.mark.parametrize(("per_side", "seed"), [(40, 1), (60, 2), (80, 3)])
def test_peers_exact_agree_with_planner_on_thousand_shape(per_side: int, seed: int) -> None:
    request = parse_request(generate_request(per_side, seed))
    expected = planner_vector(request)
    for name in ("milp_highs", "per_person_cpsat"):
        outcome = PEERS[name](request, 30.0)
        assert outcome.status == "optimal", name
        assert outcome.levels == expected, name
        assert outcome.violations == (), name


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_milp_agrees_with_planner_on_teaching_shape(seed: int) -> None:
    # Civilians separately, seriously ill outside parity, a cap, families, three stages.
    request = parse_request(generate_request(24, seed, shape="teaching"))
    expected = planner_vector(request)
    outcome = solve_milp(request, 30.0)
    assert outcome.status == ("infeasible" if expected is None else "optimal")
    assert outcome.levels == (expected or ())


@RANDOM
@given(requests(max_people_per_side=5, max_stages=3))
def test_milp_agrees_with_planner_on_random_requests(request: ExchangeRequest) -> None:
    expected = planner_vector(request)
    outcome = solve_milp(request, 30.0)
    if expected is None:
        assert outcome.status == "infeasible"
        assert outcome.levels == ()
    else:
        assert outcome.status == "optimal"
        assert outcome.levels == expected
        assert outcome.violations == ()


def test_milp_infeasible_when_floor_above_the_lists() -> None:
    document = generate_request(30, 1)
    document["terms"]["min_per_side"] = 1000
    outcome = solve_milp(parse_request(document), 10.0)
    assert outcome.status == "infeasible"
    assert outcome.levels == ()


def test_milp_not_finished_reports_feasible_or_timeout() -> None:
    request = parse_request(generate_request(300, 1))
    outcome = solve_milp(request, 0.05)
    assert outcome.status in ("feasible", "timeout", "optimal")
    assert outcome.finished is (outcome.status == "optimal")


def test_greedy_plan_is_rechecked_and_never_better_than_optimal() -> None:
    request = parse_request(generate_request(200, 4))
    expected = planner_vector(request)
    outcome = solve_greedy(request)
    assert outcome.status == "heuristic"
    assert outcome.finished
    assert expected is not None
    assert len(outcome.levels) == len(expected)
    if not outcome.violations:
        assert score(request, outcome.levels) <= score(request, expected)


def score(request: ExchangeRequest, levels: tuple[int, ...]) -> tuple[int, ...]:
    """The objective vector with every level turned into "larger is better"."""
    senses = [level.sense for level in levels_for(request.terms)]
    return tuple(v if sense == "max" else -v for v, sense in zip(levels, senses, strict=True))


def test_greedy_valid_on_loose_terms() -> None:
    # No stages, a low floor, nothing named: pairing alone must give a valid plan.
    document = generate_request(300, 5)
    terms = document["terms"]
    terms.update(min_per_side=50, stages=None)
    terms["must_include"] = IdsBySide().model_dump()
    request = parse_request(document)
    outcome = solve_greedy(request)
    assert outcome.violations == ()
