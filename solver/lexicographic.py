"""Optimise the levels one after another, each proven before the next is touched.

A level that is proven optimal is frozen as a constraint (its value may not get
worse) and the search moves on. A level that is not proven in time ends the run: the
plan found so far is returned as `feasible`, never as `optimal`.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Literal, Protocol

from solver.cpsat import cp_model
from solver.exchange_model import ExchangeModel
from solver.levels import Level
from solver.objective import CaptivityDays, level_expression
from solver.schema import Options


class SearchStats(Protocol):
    """Where a caller wants search counts and level timings recorded."""

    searches: int
    levels: dict[str, float]


# Largest weight in a combined stage-order objective: far below where CP-SAT's 64-bit
# arithmetic could overflow, even multiplied by stage sums of 100,000s of people.
_MAX_WEIGHT = 1 << 31


def _weighted(expressions: list[cp_model.LinearExprT], weights: list[int]) -> cp_model.LinearExprT:
    if len(expressions) == 1:
        return expressions[0]
    return sum(w * e for w, e in zip(weights, expressions, strict=True))


# What a run ended with: a proof that no plan exists, no plan in time, or a plan.
RunStatus = Literal["infeasible", "timeout", "solved"]
StopCheck = Callable[[], bool]


@dataclass
class Solution:
    """Units released per pool and stage (pool index -> counts for stages 1..S)."""

    units: list[list[int]]

    def pool_total(self, p: int) -> int:
        return sum(self.units[p])


@dataclass
class LevelResult:
    level: Level
    value: int | None
    proven: bool
    seconds: float


@dataclass
class LexicographicRun:
    status: RunStatus
    solution: Solution | None
    results: list[LevelResult] = field(default_factory=list)

    @property
    def all_proven(self) -> bool:
        return self.status == "solved" and all(r.proven for r in self.results)


class LexicographicSolver:
    """Drives CP-SAT through the levels of one exchange model."""

    def __init__(
        self,
        exchange: ExchangeModel,
        levels: list[Level],
        options: Options,
        *,
        deadline: float,
        should_stop: StopCheck | None = None,
        stats: SearchStats | None = None,
    ):
        self.exchange = exchange
        self.levels = levels
        self.options = options
        self.deadline = deadline
        self.should_stop = should_stop
        self.stats = stats
        self.days = CaptivityDays(exchange)
        self.stopped = False
        self._days_frozen = False

    def run(
        self,
        on_level: Callable[[LexicographicRun], None] | None = None,
        *,
        frozen: Sequence[LevelResult] = (),
        hint: Solution | None = None,
    ) -> LexicographicRun:
        """Optimise every level in turn.

        `frozen` levels (proven elsewhere, on a relaxation) are imposed from the start; if
        no plan reaches them the run ends `infeasible`, which then means "the relaxation's
        optimum is out of reach", not "no plan at all". `hint` seeds the first search.
        """
        run = LexicographicRun(status="solved", solution=None)
        model = self.exchange.model
        for result in frozen:
            expression = level_expression(self.exchange, result.level, self.days)
            assert result.value is not None
            self._freeze(result.level, expression, result.value)
            run.results.append(result)
        frozen_names = {result.level.name for result in frozen}
        pending = [level for level in self.levels if level.name not in frozen_names]
        while pending:
            level = pending[0]
            started = time.perf_counter()
            expression = level_expression(self.exchange, level, self.days)
            fixed = self._value_without_search(level, run)
            if fixed is not None:
                pending.pop(0)
                run.results.append(LevelResult(level, fixed, True, 0.0))
                model.add(expression == fixed)
                continue
            batch = self._stage_order_batch(pending, run)
            pending = pending[len(batch) :]
            expressions = [level_expression(self.exchange, lv, self.days) for lv, _ in batch]
            combined = _weighted(expressions, [w for _, w in batch])
            outcome = self._optimise(level, combined, run.solution or hint)
            seconds = time.perf_counter() - started
            if outcome is None:
                if run.solution is None:
                    run.status = "timeout"
                break
            status, solution, value, solver = outcome
            if status == cp_model.INFEASIBLE:
                # Only the first search can be infeasible: later ones start from a plan.
                run.status = "infeasible"
                break
            run.solution = solution
            proven = status == cp_model.OPTIMAL
            for (lv, _), expr in zip(batch, expressions, strict=True):
                lv_value = value if len(batch) == 1 else int(solver.value(expr))
                run.results.append(LevelResult(lv, lv_value, proven, seconds / len(batch)))
                if self.stats is not None:
                    spent = self.stats.levels.get(lv.name, 0.0) + seconds / len(batch)
                    self.stats.levels[lv.name] = spent
                if proven:
                    self._freeze(lv, expr, lv_value)
            if not proven:
                break
            if on_level is not None:
                on_level(run)
        return run

    def _stage_order_batch(
        self, pending: list[Level], run: LexicographicRun
    ) -> list[tuple[Level, int]]:
        """The next level, with the stage-order levels after it that one search can settle.

        Once the selection is fixed, a stage-order level of n people can only take values
        n..S*n. Weighting each level by the product of the value ranges of the levels
        after it makes one minimisation lexicographic over all of them; levels are taken
        while those weights stay small enough for CP-SAT's integer arithmetic.
        """
        first = pending[0]
        if first.kind not in ("stage_order", "stage_order_all"):
            return [(first, 1)]
        released = {r.level.name: r.value for r in run.results}
        stages = len(self.exchange.capacities)
        ranges: list[int] = []
        for level in pending:
            if level.kind not in ("stage_order", "stage_order_all"):
                break
            source = "released" if level.kind == "stage_order_all" else f"priority:{level.category}"
            count = released.get(source)
            if count is None:
                break
            ranges.append((stages - 1) * count + 1)
        batch: list[Level] = [first]
        while len(batch) < len(ranges) and math.prod(ranges[1 : len(batch) + 1]) <= _MAX_WEIGHT:
            batch.append(pending[len(batch)])
        weights = [math.prod(ranges[i + 1 : len(batch)]) for i in range(len(batch))]
        return list(zip(batch, weights, strict=True))

    def _freeze(self, level: Level, expression: cp_model.LinearExprT, value: int) -> None:
        """Hold a proven level at its optimum: later levels may not make it worse."""
        self._days_frozen |= level.kind == "captivity_days"
        model = self.exchange.model
        model.add(expression >= value if level.sense == "max" else expression <= value)

    def _value_without_search(self, level: Level, run: LexicographicRun) -> int | None:
        """With a single stage, stage order equals the counts already fixed above."""
        if len(self.exchange.capacities) != 1 or run.solution is None:
            return None
        if level.kind not in ("stage_order", "stage_order_all"):
            return None
        wanted = "priority" if level.kind == "stage_order" else "released"
        for result in run.results:
            if result.level.kind == wanted and result.level.category == level.category:
                return result.value
        return None

    def _optimise(
        self,
        level: Level,
        expression: cp_model.LinearExprT,
        hint: Solution | None,
    ) -> tuple[cp_model.CpSolverStatus, Solution, int, cp_model.CpSolver] | None:
        """Solve one level: (CP-SAT status, solution, true value, solver), or None (no plan)."""
        model = self.exchange.model
        if level.sense == "max":
            model.maximize(expression)
        else:
            model.minimize(expression)
        while True:
            if hint is not None:
                self._hint(hint)
                self.days.tighten(*self._days_claims(hint, None))
            status, solver = self._solve()
            if status == cp_model.INFEASIBLE:
                return status, Solution([]), 0, solver
            if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                return None
            solution = self._read(solver)
            units, claimed = self._days_claims(solution, solver)
            # A days bound above the true days is cut off by a new tangent line, and the
            # level is solved again: the loop ends when every bound is exact.
            if status == cp_model.OPTIMAL and self.days.tighten(units, claimed):
                hint = solution
                continue
            if (
                status == cp_model.FEASIBLE
                and self._days_frozen
                and any(claimed[p] > self.days.exact(p, units[p]) for p in claimed)
            ):
                # An unproven plan that only seems to keep the frozen captivity days: drop it.
                return None
            value = self._true_value(level, expression, solver, solution)
            return status, solution, value, solver

    def _true_value(
        self,
        level: Level,
        expression: cp_model.LinearExprT,
        solver: cp_model.CpSolver,
        solution: Solution,
    ) -> int:
        if level.kind == "captivity_days":
            return sum(self.days.exact(p, solution.pool_total(p)) for p in self.days.days)
        return int(solver.value(expression))

    def _days_claims(
        self, solution: Solution, solver: cp_model.CpSolver | None
    ) -> tuple[dict[int, int], dict[int, int]]:
        units = {p: solution.pool_total(p) for p in self.days.days}
        if solver is None:
            # Before a search: make the lines at the hinted point exist (claims = +inf).
            return units, {p: 1 << 62 for p in self.days.days}
        claimed = {p: int(solver.value(var)) for p, var in self.days.days.items()}
        return units, claimed

    def _hint(self, solution: Solution) -> None:
        """Seed the search; a solution of a one-stage relaxation seeds only the totals."""
        model = self.exchange.model
        model.clear_hints()  # type: ignore[no-untyped-call]
        staged = all(
            len(counts) == len(per_stage)
            for per_stage, counts in zip(self.exchange.units, solution.units, strict=True)
        )
        for p, counts in enumerate(solution.units):
            if staged:
                for var, count in zip(self.exchange.units[p], counts, strict=True):
                    model.add_hint(var, count)
            if not staged or len(counts) > 1:
                model.add_hint(self.exchange.released_units[p], sum(counts))
        for p, var in self.days.days.items():
            model.add_hint(var, self.days.exact(p, solution.pool_total(p)))

    def _read(self, solver: cp_model.CpSolver) -> Solution:
        units = self.exchange.units
        return Solution([[int(solver.value(v)) for v in per_stage] for per_stage in units])

    def _solve(self) -> tuple[cp_model.CpSolverStatus, cp_model.CpSolver]:
        solver = cp_model.CpSolver()
        remaining = self.deadline - time.monotonic()
        if self.should_stop is not None and self.should_stop():
            self.stopped = True
        if remaining <= 0 or self.stopped:
            return cp_model.UNKNOWN, solver
        solver.parameters.max_time_in_seconds = remaining
        solver.parameters.num_workers = self.options.workers
        solver.parameters.random_seed = self.options.seed
        with self._watch_stop(solver):
            status = solver.solve(self.exchange.model)
        if self.stats is not None:
            self.stats.searches += 1
        return status, solver

    @contextmanager
    def _watch_stop(self, solver: cp_model.CpSolver) -> Iterator[None]:
        """Stop the search within a fraction of a second once `should_stop` says so."""
        if self.should_stop is None:
            yield
            return
        done = threading.Event()
        check = self.should_stop

        def watch() -> None:
            while not done.wait(0.05):
                if check():
                    self.stopped = True
                    solver.stop_search()
                    return

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        try:
            yield
        finally:
            done.set()
            watcher.join()
