"""The one-stage relaxation keeps what civilians_separately implies.

Merging the stages drops the rule itself, but two consequences hold in every staged
plan: each stage carries one status (so civilians fit in the places of the stages
chosen for them), and each stage balances on its own (so counted people balance
status by status, even under total parity). Without them the relaxation's optimum can
mix statuses no staged plan can mix, and the planner has to start over on the staged
model, which at 100,000 people a side took seconds instead of about one.
"""

from __future__ import annotations

from typing import Any

import pytest

from solver import planner, solve
from solver.lexicographic import LexicographicSolver
from solver.per_person import solve_per_person
from tests.handmade import exchange, person


def _two_civilians_against_one() -> Any:
    """Side A holds two civilians, side B one. One merged stage would release all three
    (total parity balances them against military people); in stages of one status,
    each civilian released needs a civilian counterpart."""
    side_a = [
        person("A-1", status="civilian"),
        person("A-2", status="civilian"),
        person("A-3"),
        person("A-4"),
    ]
    side_b = [person("B-1", status="civilian"), person("B-2"), person("B-3"), person("B-4")]
    return exchange(side_a, side_b, stages=[2, 2], civilians_separately=True, parity="total")


def test_the_relaxation_is_reached_without_starting_over(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    unforced: list[LexicographicSolver] = []

    def counting(*args: Any, **kwargs: Any) -> LexicographicSolver:
        solver = LexicographicSolver(*args, **kwargs)
        if kwargs.get("forced") is None:
            unforced.append(solver)
        return solver

    monkeypatch.setattr(planner, "LexicographicSolver", counting)
    request = _two_civilians_against_one()
    plan = solve(request)
    assert plan.status == "optimal"
    # The staged searches start from the relaxation's totals: only the relaxation itself
    # is searched without them, never the stages from scratch.
    assert len(unforced) == 1
    reference = solve_per_person(request, time_limit_s=30)
    assert reference.status == "optimal"
    assert tuple(level.value for level in plan.levels) == reference.levels
    assert plan.objective is not None
    assert plan.objective.priorities["civilian"] == 2


def test_without_capacities_the_one_stage_carries_one_status() -> None:
    """No stage list: one stage, so civilians and military people cannot both go."""
    side_a = [person("A-1", status="civilian"), person("A-2")]
    side_b = [person("B-1", status="civilian"), person("B-2")]
    request = exchange(side_a, side_b, civilians_separately=True, parity="total")
    plan = solve(request)
    reference = solve_per_person(request, time_limit_s=30)
    assert plan.status == reference.status == "optimal"
    assert tuple(level.value for level in plan.levels) == reference.levels
    assert plan.objective is not None
    assert plan.objective.released == 2
