"""Where a solve spends its time: phase and per-level timings of one instrumented run.

`solver.solve` reports only its total (`plan.solve_seconds`) and, per level, the value
and whether it was proven. To see more without changing the solver, this module wraps
the functions `solver.planner` calls, for the duration of one run, with timers; the
lexicographic runs' own per-level seconds (`LevelResult.seconds`) are collected the same
way. The timed runs of the benchmark never go through here.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import solver.planner as planner
from solver.lexicographic import LexicographicRun, LexicographicSolver
from solver.schema import ExchangeRequest, Plan

PHASES: tuple[tuple[str, str], ...] = (
    ("build_rosters", "read the lists into columns"),
    ("build_pools", "pool interchangeable people"),
    ("ExchangeModel", "build the CP-SAT model"),
    ("add_all_rules", "add the rules"),
    ("search", "lexicographic search (all runs)"),
    ("assign", "pool counts back to people"),
    ("_plan", "write the plan"),
    ("not_released", "  of which: reasons for the others"),
    ("warnings", "  of which: warnings"),
    ("_recheck", "independent re-check"),
    ("check_plan", "  of which: rule checks"),
    ("level_values", "  of which: objective recomputed"),
    ("smallest_conflict", "conflict search (infeasible only)"),
)
"""The planner's functions that are timed, with what each does, in call order."""


@dataclass(frozen=True)
class LevelTiming:
    """One level searched in one lexicographic run."""

    run: int
    level: str
    value: int | None
    proven: bool
    seconds: float


@dataclass
class Probe:
    """Seconds per phase and per searched level, from one solve."""

    phases: dict[str, float] = field(default_factory=dict)
    levels: list[LevelTiming] = field(default_factory=list)
    runs: list[list[str]] = field(default_factory=list)  # levels searched, per run
    total_seconds: float = 0.0

    def add(self, phase: str, seconds: float) -> None:
        self.phases[phase] = self.phases.get(phase, 0.0) + seconds


def probe_solve(request: ExchangeRequest) -> tuple[Probe, Plan]:
    """Solve once with timers around the planner's phases; return them with the plan."""
    probe = Probe()
    with _instrumented(probe):
        started = time.perf_counter()
        plan = planner.solve(request)
        probe.total_seconds = time.perf_counter() - started
    return probe, plan


@contextmanager
def _instrumented(probe: Probe) -> Iterator[None]:
    originals: dict[str, Any] = {}
    for name, _ in PHASES:
        if name != "search" and hasattr(planner, name):
            originals[name] = getattr(planner, name)
            setattr(planner, name, _timed(probe, name, originals[name]))
    original_run = LexicographicSolver.run

    def run(
        self: LexicographicSolver, *args: Any, **kwargs: Any
    ) -> LexicographicRun:
        started = time.perf_counter()
        result = original_run(self, *args, **kwargs)
        probe.add("search", time.perf_counter() - started)
        index = len(probe.runs)
        frozen = {r.level.name for r in kwargs.get("frozen", ())}
        searched = [r for r in result.results if r.level.name not in frozen]
        probe.runs.append([r.level.name for r in searched])
        probe.levels.extend(
            LevelTiming(index, r.level.name, r.value, r.proven, r.seconds) for r in searched
        )
        return result

    LexicographicSolver.run = run  # type: ignore[method-assign]
    try:
        yield
    finally:
        LexicographicSolver.run = original_run  # type: ignore[method-assign]
        for name, function in originals.items():
            setattr(planner, name, function)


def _timed(probe: Probe, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            probe.add(name, time.perf_counter() - started)

    return timed
