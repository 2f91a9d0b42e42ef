"""Civilians separately: the stages searched once per civilian/military stage pattern.

Every plan under the rule gives each stage one status (an empty stage fits either), so
the best of the patterns' optima is the optimum. These tests hold that search to the
per-person model, check which patterns the forced totals rule out, and check that the
best run is only called proven when every pattern was settled.
"""

from __future__ import annotations

from typing import Any
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, event, given, settings

from solver import planner, pools, solve
from solver.levels import Level
from solver.lexicographic import LevelResult, LexicographicRun, Solution
from solver.per_person import solve_per_person
from solver.pools import MemberClass, Pool
from solver.schema import ExchangeRequest, Side
from tests.handmade import exchange, person
from tests.strategies import requests

_SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def _separately(request: ExchangeRequest) -> ExchangeRequest:
    terms = request.terms.model_copy(update={"civilians_separately": True})
    return request.model_copy(update={"terms": terms})


@pytest.fixture
def pattern_searches(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many patterns each pattern-by-pattern search was given."""
    seen: list[int] = []
    original = planner._stages_by_pattern

    def counted(*args: Any, **kwargs: Any) -> Any:
        seen.append(len(args[0]))
        return original(*args, **kwargs)

    monkeypatch.setattr(planner, "_stages_by_pattern", counted)
    return seen


@_SETTINGS
@given(request=requests(max_people_per_side=8, max_stages=3, max_min_per_side=4))
def test_patterns_match_the_per_person_model(request: ExchangeRequest) -> None:
    assume(request.terms.stages is not None and len(request.terms.stages) >= 2)
    request = _separately(request)
    reference = solve_per_person(request, time_limit_s=30)
    assert reference.status in ("optimal", "infeasible")
    with mock.patch.object(
        planner, "_stages_by_pattern", wraps=planner._stages_by_pattern
    ) as by_pattern:
        plan = solve(request)
    event(f"searched pattern by pattern: {by_pattern.called}")
    if reference.status == "infeasible":
        assert plan.status == "infeasible"
        return
    assert plan.status == "optimal"
    assert tuple(level.value for level in plan.levels) == reference.levels


def test_patterns_searched_and_the_best_kept(pattern_searches: list[int]) -> None:
    """Side A holds 2 civilians and 2 military people, side B likewise; stages of 2: the
    civilians go first or second, and the young civilians make the first stage theirs."""
    side_a = [
        person("A-1", status="civilian", age=10),
        person("A-2", status="civilian", age=12),
        person("A-3"),
        person("A-4"),
    ]
    side_b = [
        person("B-1", status="civilian"),
        person("B-2", status="civilian"),
        person("B-3"),
        person("B-4"),
    ]
    request = exchange(side_a, side_b, min_per_side=4, stages=[2, 2], civilians_separately=True)
    plan = solve(request)
    assert plan.status == "optimal"
    assert pattern_searches  # the stages were searched pattern by pattern
    first = plan.stages[0]
    assert sorted(first.side_a) == ["A-1", "A-2"]
    assert sorted(first.side_b) == ["B-1", "B-2"]
    reference = solve_per_person(request, time_limit_s=30)
    assert tuple(level.value for level in plan.levels) == reference.levels


def _pool(side: Side, civilian: bool, units: int) -> Pool:
    """`units` single people of one status, held 1 day each."""
    member = MemberClass(pools._CIVILIAN if civilian else 0)
    everyone = np.arange(units, dtype=np.int64)
    return Pool(side, ((member, 1),), people=everyone, unit_days=np.ones(units, dtype=np.int64))


def test_patterns_the_forced_totals_rule_out() -> None:
    request = exchange([person("A-1")], [person("B-1")], stages=[3, 2], civilians_separately=True)
    listed = [_pool(Side.A, True, 3), _pool(Side.A, False, 2), _pool(Side.B, False, 1)]
    # Three civilians need the stage of 3; the two military people then take the other.
    patterns = planner._stage_patterns(listed, {0: 3, 1: 2}, request.terms)
    assert patterns == [(True, False)]
    # Nothing forced: every pattern is open.
    assert planner._stage_patterns(listed, {}, request.terms) == [
        (False, False),
        (False, True),
        (True, False),
        (True, True),
    ]


def test_patterns_not_used_without_the_rule_or_with_too_many() -> None:
    listed = [_pool(Side.A, True, 1)]
    plain = exchange([person("A-1")], [person("B-1")], stages=[1, 1])
    assert planner._stage_patterns(listed, {}, plain.terms) is None
    many = exchange(
        [person("A-1")], [person("B-1")], stages=[1, 1, 1, 1], civilians_separately=True
    )
    assert planner._stage_patterns(listed, {}, many.terms) is None  # 16 > 8 patterns


_LEVELS = [Level("stage_order:all", "stage_order_all", "min")]


def _run(status: str, value: int | None, proven: bool = True) -> LexicographicRun:
    if status != "solved":
        return LexicographicRun(status, None)  # type: ignore[arg-type]
    return LexicographicRun(
        "solved", Solution([[1]]), [LevelResult(_LEVELS[0], value, proven, 0.0)]
    )


def test_best_of_patterns_smallest_first_of_equals_and_proven_when_settled() -> None:
    runs = [_run("infeasible", None), _run("solved", 7), _run("solved", 5), _run("solved", 5)]
    assert planner._best_of_patterns(runs, 0) == 2
    assert runs[2].results[0].proven


def test_best_of_patterns_unproven_when_a_pattern_is_not_settled() -> None:
    timed_out = [_run("solved", 5), _run("timeout", None)]
    assert planner._best_of_patterns(timed_out, 0) == 0
    assert not timed_out[0].results[0].proven
    unproven = [_run("solved", 5), _run("solved", 6, proven=False)]
    assert planner._best_of_patterns(unproven, 0) == 0
    assert not unproven[0].results[0].proven
    assert planner._best_of_patterns([_run("infeasible", None)], 0) is None
