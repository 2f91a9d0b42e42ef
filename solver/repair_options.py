"""Ranked alternatives to a repair: the best few plans that differ in who is released.

For a single change (one dropout, one person listed late) the mediator wants to choose,
not just receive. The first option is the repaired plan itself; each next one is the
best plan, on the same levels in the same order, among those that release someone the
options before it do not, or leave out someone they release ("A-311 replaces A-17"
against "A-312 replaces A-17" against "B-40 leaves stage 2"). Plans that release the
same people at other times are not other options: each option's people are given their
best stages.

Exact, on the pools of the repair (`solver.pools`): a plan is a number of units of each
pool in each stage, and which units of a pool. Every level but captivity days depends
on the numbers only, and the stage orders on the numbers per stage only. So the best
plans with the numbers of an earlier option are that option with other units of some
pools, found by a k-best enumeration of unit sets (each losing a few days held); the
best plan with other numbers is a search on the model with those numbers ruled out.
The next option is the better of the two, level by level.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from solver.cpsat import cp_model
from solver.exchange_model import ExchangeModel
from solver.levels import Level
from solver.lexicographic import LexicographicRun, LexicographicSolver, Solution
from solver.pools import Pool
from solver.roster import IntArray
from solver.schema import OptionLevel, RepairedPlan, RepairOption

if TYPE_CHECKING:
    from solver.repair_planner import RepairFrame

Units = tuple[int, ...]  # unit indices of a pool, ascending


@dataclass(frozen=True)
class RankedOption:
    """One option: its rank and its whole plan (re-checked like the repaired plan),
    labelled honestly against the best one (see `_labelled`)."""

    rank: int
    plan: RepairedPlan

    def summary(self, best: RepairedPlan, levels: list[Level]) -> RepairOption:
        """The option as the plan lists it: its levels next to the best plan's."""
        assert self.plan.objective is not None
        values = [level.value or 0 for level in self.plan.levels]
        bests = [level.value or 0 for level in best.levels]
        return RepairOption(
            rank=self.rank,
            status=self.plan.status,
            objective=self.plan.objective,
            levels=[
                OptionLevel(
                    name=level.name,
                    sense=level.sense,
                    value=value,
                    best=top,
                    proven=report.proven,
                )
                for level, value, top, report in zip(
                    levels, values, bests, self.plan.levels, strict=True
                )
            ],
            comparison=_comparison(levels, values, bests, self.rank),
            changes=self.plan.changes,
            stages=self.plan.stages,
        )


def _labelled(plan: RepairedPlan, best: RepairedPlan) -> RepairedPlan:
    """An option as it stands against the best plan: each level proven optimal as far
    as it equals the best plan's (proven) values, and `optimal` only if it equals them
    at every level; else `feasible`: it meets every term, and is not the optimum."""
    reports = []
    equal_so_far = True
    for mine, top in zip(plan.levels, best.levels, strict=True):
        equal_so_far = equal_so_far and mine.value == top.value and top.proven
        reports.append(mine.model_copy(update={"proven": equal_so_far}))
    return plan.model_copy(
        update={"status": "optimal" if equal_so_far else "feasible", "levels": reports}
    )


def ranked_options(
    frame: RepairFrame,
    solver: LexicographicSolver,
    run: LexicographicRun,
    levels: list[Level],
    wanted: int,
    deadline: float,
    should_stop: Callable[[], bool] | None,
) -> list[RankedOption]:
    """Up to `wanted` options, best first; fewer when no other plan meets the terms, or
    when time runs out before the next one is proven.

    The first is the repaired plan itself, `optimal`. Each other is `optimal` only when
    it equals the first on every level (another optimum), else `feasible`; its levels
    are proven as far as they equal the first's (`_labelled`).
    """
    assert run.solution is not None
    started = time.perf_counter()
    seen = [_Numbers(frame, run.solution, levels, started)]
    options = [RankedOption(1, seen[0].take())]
    other: _Numbers | None = None
    others_left = True
    while len(options) < wanted:
        if other is None and others_left:
            outcome = _other_numbers(frame, solver, seen, levels, deadline, should_stop, started)
            if outcome == "unknown":
                break  # without that search, the next option is not known to be the best
            other = outcome if isinstance(outcome, _Numbers) else None
            others_left = other is not None
        candidates = [numbers for numbers in seen if numbers.peek() is not None]
        if other is not None:
            candidates.append(other)
        if not candidates:
            break
        # The best next plan, level by level; among equals, the earliest numbers.
        best = max(candidates, key=lambda numbers: _key(numbers.peek(), levels))
        if best is other:
            seen.append(other)
            other = None
        options.append(RankedOption(len(options) + 1, _labelled(best.take(), options[0].plan)))
    return options


class _Numbers:
    """The plans with one set of numbers (units per pool and stage), best first: the
    longest-held units, then other units of some pools, losing the fewest days."""

    def __init__(
        self, frame: RepairFrame, solution: Solution, levels: list[Level], started: float
    ) -> None:
        self.solution = solution
        totals = [solution.pool_total(p) for p in range(len(frame.pools))]
        # Labelled as the best plan is; `ranked_options` labels the others against it.
        proven = {level.name for level in levels}
        self._plans = (
            frame.plan_of(frame.assignment(solution, units), levels, "optimal", proven, started)
            for units in _best_unit_sets(frame.pools, totals)
        )
        self._next: RepairedPlan | None = None
        self._peeked = False

    def peek(self) -> RepairedPlan | None:
        """The next plan, without taking it; None when every unit set has been taken."""
        if not self._peeked:
            self._next, self._peeked = next(self._plans, None), True
        return self._next

    def take(self) -> RepairedPlan:
        plan = self.peek()
        assert plan is not None
        self._peeked = False
        return plan


def _other_numbers(
    frame: RepairFrame,
    solver: LexicographicSolver,
    seen: list[_Numbers],
    levels: list[Level],
    deadline: float,
    should_stop: Callable[[], bool] | None,
    started: float,
) -> _Numbers | Literal["none", "unknown"]:
    """The best plan releasing another number of units of some pool than every option so
    far: "none" when no such plan meets the terms, "unknown" when none was proven in time."""
    exchange = frame.model()
    for numbers in seen:
        _other_totals(exchange, numbers.solution)
    search = LexicographicSolver(
        exchange, levels, solver.options, deadline=deadline, should_stop=should_stop
    )
    run = search.run(hint=seen[-1].solution)
    if run.status == "infeasible":
        return "none"
    if run.solution is None or not (run.all_proven and len(run.results) == len(levels)):
        return "unknown"
    return _Numbers(frame, run.solution, levels, started)


def _other_totals(exchange: ExchangeModel, solution: Solution) -> None:
    """Only plans that release another number of units of some pool."""
    model = exchange.model
    differences: list[cp_model.IntVar] = []
    for p, pool in enumerate(exchange.pools):
        total, units = solution.pool_total(p), exchange.pool_units(p)
        if total < pool.n_units:
            more = model.new_bool_var(f"more_p{p}")
            model.add(units >= total + 1).only_enforce_if(more)
            differences.append(more)
        if total > 0:
            fewer = model.new_bool_var(f"fewer_p{p}")
            model.add(units <= total - 1).only_enforce_if(fewer)
            differences.append(fewer)
    # Some pool releases another number of units than in the earlier option.
    model.add_bool_or(differences)


def _best_unit_sets(pools: list[Pool], totals: list[int]) -> Iterator[list[Units]]:
    """Every choice of `totals[p]` units of each pool, by days held lost, fewest first
    (the longest-held units of every pool first); ties in a fixed order."""
    per_pool = [_PoolSets(pool.unit_days, total) for pool, total in zip(pools, totals, strict=True)]
    start = (0,) * len(pools)
    heap: list[tuple[int, tuple[int, ...]]] = [(0, start)]
    seen = {start}
    while heap:
        loss, ranks = heapq.heappop(heap)
        chosen = [sets.at(rank) for sets, rank in zip(per_pool, ranks, strict=True)]
        yield [units for _, units in filter(None, chosen)]
        for p, (rank, current) in enumerate(zip(ranks, chosen, strict=True)):
            following = per_pool[p].at(rank + 1)
            if following is None or current is None:
                continue
            step = (*ranks[:p], rank + 1, *ranks[p + 1 :])
            if step not in seen:
                seen.add(step)
                heapq.heappush(heap, (loss - current[0] + following[0], step))


class _PoolSets:
    """The sets of `size` units of one pool, by days lost against the longest-held
    ones, fewest first, generated as they are asked for.

    Every set is reached from the longest-held by moving a unit to the next one down
    the list, which never gains days (they are sorted, longest first): so popping the
    sets from a heap of such moves yields them best first.
    """

    def __init__(self, unit_days: IntArray, size: int) -> None:
        self._days = unit_days.tolist()
        start = tuple(range(size))
        self._heap: list[tuple[int, Units]] = [(0, start)]
        self._seen = {start}
        self._sets: list[tuple[int, Units]] = []

    def at(self, rank: int) -> tuple[int, Units] | None:
        """The set of this rank (0: the longest-held units) with its days lost, or None
        when the pool has fewer sets."""
        while len(self._sets) <= rank and self._heap:
            loss, units = heapq.heappop(self._heap)
            self._sets.append((loss, units))
            for k, unit in enumerate(units):
                down = unit + 1
                if down < len(self._days) and (k + 1 == len(units) or units[k + 1] != down):
                    moved = (*units[:k], down, *units[k + 1 :])
                    if moved not in self._seen:
                        self._seen.add(moved)
                        lost = loss + self._days[unit] - self._days[down]
                        heapq.heappush(self._heap, (lost, moved))
        return self._sets[rank] if rank < len(self._sets) else None


def _key(plan: RepairedPlan | None, levels: list[Level]) -> tuple[int, ...]:
    """Larger is better at every level, read in order."""
    assert plan is not None
    return tuple(
        (lv.value or 0) if level.sense == "max" else -(lv.value or 0)
        for level, lv in zip(levels, plan.levels, strict=True)
    )


def _comparison(levels: list[Level], values: list[int], bests: list[int], rank: int) -> str:
    if rank == 1:
        return "the repaired plan itself"
    for level, value, best in zip(levels, values, bests, strict=True):
        if value != best:
            return f"first differs at {level.name}: {value:,} against {best:,}"
    return "equal to the repaired plan on every level; it releases other people"


__all__ = ["RankedOption", "ranked_options"]
