"""Fitting the selection into the stages: a search and a proof side by side, one answer.

After the one-stage relaxation proves the selection, the planner searches the stages
on guessed forced totals while a thread proves them (the try of the stage orders at
their floors first, the usual searches if it fails; civilians separately, pattern by
pattern). None of that may show in the plan: it must be the one the searches would
give one after the other, on any number of cores, and a wrong guess must cost time
only.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings

from solver import lexicographic, planner, solve
from solver.cpsat import cp_model
from solver.levels import Level
from solver.lexicographic import LexicographicSolver, Solution
from solver.per_person import solve_per_person
from solver.schema import ExchangeRequest, Plan
from solver.synthetic import generate_request
from tests.strategies import requests

_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.filter_too_much,
    ],
)


@pytest.fixture
def floors_tried(monkeypatch: pytest.MonkeyPatch) -> None:
    """Weighted searches of a level or two, so that small requests try the floors too."""
    monkeypatch.setattr(lexicographic, "_EXACT", 64)


def _plan_bytes(plan: Plan) -> str:
    return plan.model_copy(update={"solve_seconds": None}).model_dump_json()


def _guess_wrong(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the guess of the forced totals give one pool another total than it found."""
    original = LexicographicSolver.forced_guess

    def wrong(self: LexicographicSolver, solution: Solution) -> dict[int, int]:
        guess = original(self, solution)
        p = next(p for p in guess if self.exchange.pools[p].n_units > 0)
        guess[p] = self.exchange.pools[p].n_units - guess[p] if guess[p] else 1
        return guess

    monkeypatch.setattr(LexicographicSolver, "forced_guess", wrong)


def _solve_on(cores: int, request: ExchangeRequest, monkeypatch: pytest.MonkeyPatch) -> Plan:
    with monkeypatch.context() as patch:
        patch.setattr(planner, "_spare_core", lambda: cores >= 2)
        return solve(request)


@_SETTINGS
@given(request=requests(max_people_per_side=7, max_stages=3, max_min_per_side=4))
def test_schedule_same_plan_on_one_core_and_on_two(
    floors_tried: None, monkeypatch: pytest.MonkeyPatch, request: ExchangeRequest
) -> None:
    assume(len(request.terms.stages or []) >= 2)
    one = _solve_on(1, request, monkeypatch)
    two = _solve_on(2, request, monkeypatch)
    assert _plan_bytes(one) == _plan_bytes(two)


def test_schedule_takes_the_try_when_it_wins(
    floors_tried: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On synthetic lists the floors are reached; the try's plan is the answer."""
    outcomes: list[bool] = []
    original = LexicographicSolver._at_floors

    def watched(self: LexicographicSolver, *args: Any) -> list[Level] | None:
        outcome = original(self, *args)
        outcomes.append(outcome is not None)
        return outcome

    monkeypatch.setattr(LexicographicSolver, "_at_floors", watched)
    request = ExchangeRequest.model_validate(generate_request(150, seed=1))
    two = _solve_on(2, request, monkeypatch)
    one = _solve_on(1, request, monkeypatch)
    assert outcomes == [True, True]
    assert two.status == "optimal"
    assert _plan_bytes(one) == _plan_bytes(two)
    reference = solve_per_person(request, time_limit_s=60)
    assert tuple(level.value for level in two.levels) == reference.levels


@pytest.mark.parametrize("cores", [1, 2])
def test_schedule_wrong_guess_is_searched_again(
    cores: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A guessed total no optimal plan has: the proof disagrees, nothing of the guess
    is kept, and the answer is the one a right guess gives."""
    request = ExchangeRequest.model_validate(generate_request(300, seed=5))
    built: list[dict[int, int] | None] = []

    def counting(*args: Any, **kwargs: Any) -> LexicographicSolver:
        built.append(kwargs.get("forced"))
        return LexicographicSolver(*args, **kwargs)

    monkeypatch.setattr(planner, "LexicographicSolver", counting)
    expected = _solve_on(cores, request, monkeypatch)
    assert expected.status == "optimal"
    right_guess = built[1]
    built.clear()
    _guess_wrong(monkeypatch)
    again = _solve_on(cores, request, monkeypatch)
    assert again.status == "optimal"
    assert built[1] != right_guess  # the stages were first searched on the wrong guess,
    assert built[-1] == right_guess  # then on what the proof found
    assert [level.value for level in again.levels] == [level.value for level in expected.levels]


def test_turns_helper_works_only_while_the_solve_waits() -> None:
    turns = planner._Turns()
    steps: list[str] = []

    def helper() -> None:
        turns.wait_for_turn()
        steps.append("helper")

    thread = threading.Thread(target=helper)
    thread.start()
    time.sleep(0.05)
    assert steps == []  # the solve has not waited yet
    with turns.waiting():
        thread.join(timeout=5)
    assert steps == ["helper"]


def test_turns_another_threads_wait_is_not_the_solves() -> None:
    turns = planner._Turns()
    released = threading.Event()

    def other() -> None:
        with turns.waiting():
            released.set() if turns._solve_waits.is_set() else None

    thread = threading.Thread(target=other)
    thread.start()
    thread.join(timeout=5)
    assert not released.is_set()
    turns.end()
    turns.wait_for_turn()  # after the end, nobody waits for a turn


@pytest.mark.parametrize("guess", ["right", "wrong"])
@pytest.mark.parametrize("cores", [1, 2])
def test_schedule_counts_every_search_and_the_kept_runs_levels(
    cores: int, guess: str, floors_tried: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if guess == "wrong":
        _guess_wrong(monkeypatch)
    calls: list[int] = []
    original = cp_model.CpSolver.solve

    def counted(self: cp_model.CpSolver, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)  # from any thread: list.append holds the GIL
        return original(self, *args, **kwargs)

    monkeypatch.setattr(cp_model.CpSolver, "solve", counted)
    monkeypatch.setattr(planner, "_spare_core", lambda: cores >= 2)
    request = ExchangeRequest.model_validate(generate_request(150, seed=1))
    plan, stats = planner.solve_with_stats(request)
    assert plan.status == "optimal"
    assert stats.searches == len(calls)
    searched = {name for name, seconds in stats.levels.items() if seconds > 0}
    assert searched <= {level.name for level in plan.levels}
    assert sum(stats.levels.values()) <= stats.phases["search"]


def test_schedule_record_counts_adds_a_runs_searches_and_levels() -> None:
    stats = planner._SearchCounts(searches=3, levels={"released": 0.5})
    planner._record_counts(stats, planner._SearchCounts(6, {"stage_order:all": 0.25}))
    assert stats.searches == 9
    assert stats.levels == {"released": 0.5, "stage_order:all": 0.25}


@pytest.mark.parametrize(
    ("files", "quota"),
    [
        ({"cpu.max": "max 100000\n"}, None),
        ({"cpu.max": "150000 100000\n"}, 1.5),
        ({"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"}, None),
        ({"cpu/cpu.cfs_quota_us": "200000\n", "cpu/cpu.cfs_period_us": "100000\n"}, 2.0),
        ({}, None),
    ],
)
def test_schedule_cpu_quota_read_from_the_control_group(
    tmp_path: Path, files: dict[str, str], quota: float | None
) -> None:
    """A container run with `--cpus=1.5` has no spare core, whatever the host has."""
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert planner._cpu_quota(tmp_path) == quota
