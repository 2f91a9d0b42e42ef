"""Optimise the levels one after another, each proven before the next is touched.

A level that is proven optimal is frozen as a constraint (its value may not get
worse) and the search moves on. A level that is not proven in time ends the run: the
plan found so far is returned as `feasible`, never as `optimal`.
"""

from __future__ import annotations

import itertools
import math
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Literal, Protocol

from solver.cpsat import cp_model, set_hints
from solver.exchange_model import ExchangeModel
from solver.first_schedule import Schedule, first_schedule
from solver.levels import Level
from solver.objective import CaptivityDays, level_expression
from solver.pools import Pool
from solver.schema import Options, Side


class SearchStats(Protocol):
    """Where a caller wants search counts and level timings recorded."""

    searches: int
    levels: dict[str, float]


_PRESOLVE_PASSES = 1

# A try of the stage orders at their floors ends after this much of CP-SAT's deterministic
# time (work counted, not seconds: the same on any machine, so whether a try succeeds,
# and with it the plan, never depends on the machine's load). Measured at 100,000 a side
# on 27 lists (`benchmarks.variants` and the independent generator's seeds 2-5): 24 tries
# that succeed take at most 0.012; one takes 0.058, and the usual searches then finish
# sooner; the failing ones run on to any limit (about 0.3 s of wall time per 0.1 here),
# while the planner waits for them. See LexicographicSolver._at_floors.
_FLOOR_TRY_DTIME = 0.02

_STATS_LOCK = threading.Lock()

# How often a search checks its stop signal: a stopped search (a cancelled job, or one
# on a guess the proof beside it refuted) ends within this.
_STOP_POLL_S = 0.01

# Weighted objectives of several levels stay below this: exact as integers and as doubles.
_EXACT = 1 << 53


def _weights(spans: list[tuple[int, int]]) -> list[int]:
    """Each level's weight in one lexicographic weighted sum (see LexicographicSolver._batch).

    A level of width 1 has the same value in every plan: it gets weight 0, which keeps
    it out of the sum (its value is read off the plan all the same).
    """
    return [
        0 if width == 1 else math.prod(w for w, _ in spans[i + 1 :])
        for i, (width, _) in enumerate(spans)
    ]


def _weighted_max(spans: list[tuple[int, int]]) -> int:
    """Largest value of the weighted sum of these levels."""
    weights = _weights(spans)
    return sum(w * largest for w, (_, largest) in zip(weights, spans, strict=True))


def _stage_sum_range(people: int, capacities: list[int]) -> tuple[int, int] | None:
    """Smallest and largest sum of stage numbers of `people` released over both sides.

    Each side has the stage capacities; however the people split between the sides,
    their stage sum is at least that of filling each side's earliest stages first, and
    at most that of filling its latest stages first. When every place is taken (a
    floor equal to the total capacity), both are the same number and the level costs
    nothing to fold into a weighted search. None when no split fits.

    Filling the earliest stages first, each further person goes to a stage no earlier
    than the last one's, so that side's sum is convex in its number of people; filling
    the latest first, it is concave. Added over the two sides at a split of `people`,
    the sum is symmetric about the even split, which therefore gives the smallest
    (convex) and the largest (concave) value over all the splits that fit.
    """
    on_side = sum(capacities)
    if people > 2 * on_side:
        return None
    numbers = list(range(1, len(capacities) + 1))
    half, other = people // 2, people - people // 2
    early = list(zip(capacities, numbers, strict=True))
    late = early[::-1]
    lowest = _filled(early, half) + _filled(early, other)
    highest = _filled(late, half) + _filled(late, other)
    return lowest, highest


def _filled(stages: list[tuple[int, int]], people: int) -> int:
    """Stage sum of `people` who fill the (capacity, number) stages in the given order."""
    total = 0
    for capacity, number in stages:
        placed = min(capacity, people)
        total += placed * number
        people -= placed
    return total


def _tied_at_the_margin(pools: Sequence[Pool], totals: Sequence[int]) -> set[int]:
    """Pools of one side and one kind of member that can swap people at equal days.

    Two such pools (single people, say, and families of four of the same kind) count
    the same in every level but captivity days; releasing k more units of one and the
    same number of people fewer of the other keeps the days when the units gained and
    the units given up were held equally long. Only the swaps at the current totals
    are looked at, in both directions: a guess, not a proof.
    """
    kinds: dict[tuple[Side, int], list[int]] = {}
    for p, pool in enumerate(pools):
        if len(pool.members) == 1:
            kinds.setdefault((pool.side, pool.members[0][0].code), []).append(p)
    tied: set[int] = set()
    for same in kinds.values():
        for a, b in itertools.permutations(same, 2):
            size_a, size_b = pools[a].unit_size, pools[b].unit_size
            people = math.lcm(size_a, size_b)
            more, fewer = people // size_a, people // size_b
            gained = pools[a].unit_days[totals[a] : totals[a] + more]
            given_up = pools[b].unit_days[max(0, totals[b] - fewer) : totals[b]]
            if (
                len(gained) == more
                and len(given_up) == fewer
                and int(gained.sum()) == int(given_up.sum())
            ):
                tied.update((a, b))
    return tied | _split_at_the_margin(pools, totals)


def _split_at_the_margin(pools: Sequence[Pool], totals: Sequence[int]) -> set[int]:
    """Pools of one side where one unit trades for one unit each of two others with the
    same people between them (a family of three for a pair and a single, a mixed couple
    for one single of each kind), in either direction, at equal days. A guess too.

    A side has one pool per make-up (member kinds and counts, listed by kind), so the
    two others of a unit are found by splitting its make-up, not by pairing pools.
    """
    makeups = [tuple((m.code, n) for m, n in pool.members) for pool in pools]
    pool_of = {(pool.side, makeups[p]): p for p, pool in enumerate(pools)}
    last = [
        int(pool.unit_days[t - 1]) if t > 0 else None for pool, t in zip(pools, totals, strict=True)
    ]
    following = [
        int(pool.unit_days[t]) if t < pool.n_units else None
        for pool, t in zip(pools, totals, strict=True)
    ]
    tied: set[int] = set()
    for whole, pool in enumerate(pools):
        makeup = makeups[whole]
        if pool.unit_size < 2 or math.prod(n + 1 for _, n in makeup) > _MAX_SPLITS:
            continue
        for taken in itertools.product(*(range(n + 1) for _, n in makeup)):
            one = tuple((c, k) for (c, _), k in zip(makeup, taken, strict=True) if k)
            two = tuple((c, n - k) for (c, n), k in zip(makeup, taken, strict=True) if n > k)
            # Each split once; halves alike trade within one pool (`_tied_at_the_margin`).
            if not one or not two or one >= two:
                continue
            part, other = pool_of.get((pool.side, one)), pool_of.get((pool.side, two))
            if part is None or other is None:
                continue
            for given, parts in ((last, following), (following, last)):
                if given[whole] is not None and given[whole] == _sum_known(
                    parts[part], parts[other]
                ):
                    tied.update((whole, part, other))
    return tied


# Units whose make-up splits more ways than this are left out of the guess.
_MAX_SPLITS = 64


def _sum_known(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a + b


def _weighted(expressions: list[cp_model.LinearExprT], weights: list[int]) -> cp_model.LinearExprT:
    if len(expressions) == 1:
        return expressions[0]
    return sum(w * e for w, e in zip(weights, expressions, strict=True) if w)


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
        forced: Mapping[int, int] | None = None,
        waiting: Callable[[], AbstractContextManager[object]] = nullcontext,
    ):
        """`forced` (pool -> units released) are totals every plan worth finding has (see
        `forced_totals`): they are fixed, which leaves a much smaller search. Each
        CP-SAT search runs inside `waiting()`: the caller's thread is idle meanwhile."""
        self.waiting = waiting
        self.exchange = exchange
        self.levels = levels
        self.options = options
        self.deadline = deadline
        self.should_stop = should_stop
        self.stats = stats
        self.forced = dict(forced or {})
        for p, total in self.forced.items():
            exchange.fix_total(p, total)
        self.days = CaptivityDays(exchange, self.forced)
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
        When every pool's total is forced, the frozen levels' values are fixed already.
        """
        run = LexicographicRun(status="solved", solution=None)
        model = self.exchange.model
        all_forced = len(self.forced) == len(self.exchange.pools)
        for result in frozen:
            if not all_forced:
                expression = level_expression(self.exchange, result.level, self.days)
                assert result.value is not None
                self._freeze(result.level, expression, result.value)
            run.results.append(result)
        frozen_names = {result.level.name for result in frozen}
        pending = [level for level in self.levels if level.name not in frozen_names]
        tried = False
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
            floors: list[tuple[Level, int]] = []
            if not tried and (run.solution or hint) is not None:
                tried = True
                floors = self._stage_order_floors(pending, run)
            if floors:
                # Try the leading stage orders at their floors (everybody as early as the
                # capacities allow): reached, they are proven without a search of their own.
                reached = self._at_floors(floors, pending[len(floors) :], run, hint, started)
                if reached is not None:
                    pending = reached
                    if on_level is not None:
                        on_level(run)
                    continue
            batch = self._batch(pending, run)
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
            self._record(run, batch, expressions, (value, solver), proven, seconds)
            if not proven:
                break
            if on_level is not None:
                on_level(run)
        return run

    def forced_totals(
        self, solution: Solution, rounds: int = 4, guess: Mapping[int, int] | None = None
    ) -> dict[int, int]:
        """Pools whose released units are the same in every plan that keeps the proven levels.

        Called after `run` on the one-stage relaxation, whose model then holds every
        proven level as a constraint. Each round asks CP-SAT for a plan that keeps them
        all and releases other totals in a pool not yet known to vary; "infeasible"
        proves every other pool's total forced. Pools seen to vary are left free and the
        question is asked again, for at most `rounds` rounds; {} when not settled.
        """
        model = self.exchange.model
        model.clear_objective()  # type: ignore[no-untyped-call]
        model.clear_hints()  # type: ignore[no-untyped-call]
        totals = self._totals(solution)
        moves: list[list[cp_model.IntVar]] = []
        for p, var in enumerate(self.exchange.released_units):
            pool_moves = []
            if totals[p] < self.exchange.pools[p].n_units:
                more = model.new_bool_var(f"more_p{p}")
                model.add(var >= totals[p] + 1).only_enforce_if(more)
                pool_moves.append(more)
            if totals[p] > 0:
                fewer = model.new_bool_var(f"fewer_p{p}")
                model.add(var <= totals[p] - 1).only_enforce_if(fewer)
                pool_moves.append(fewer)
            moves.append(pool_moves)
        # Pools that trade at equal value at the margin are guessed to vary: when the guess
        # is right, one search proves every other pool forced. A wrong guess costs only
        # a round (the search finds more) or a pool left open that need not be.
        # (`guess`: `forced_guess(solution)`, when the caller has it already.)
        varying = set(totals) - set(self.forced_guess(solution) if guess is None else guess)
        for r in range(rounds):
            asked = model.new_bool_var(f"ask_{r}")
            others = [
                m for p, pool_moves in enumerate(moves) if p not in varying for m in pool_moves
            ]
            model.add_bool_or(others).only_enforce_if(asked)
            model.clear_assumptions()
            model.add_assumption(asked)
            while True:
                status, solver = self._solve()
                if status == cp_model.INFEASIBLE:
                    return {p: t for p, t in totals.items() if p not in varying}
                if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                    return {}
                other = self._read(solver)
                units, claimed = self._days_claims(other, solver)
                # Totals that only seem to keep the captivity days: cut them off, ask again.
                if not (self._days_frozen and self.days.tighten(units, claimed)):
                    break
            varying.update(p for p, t in totals.items() if other.pool_total(p) != t)
        return {}

    def forced_guess(self, solution: Solution) -> dict[int, int]:
        """What `forced_totals` returns when its first search settles it: every pool's
        total but those of pools tied at the margin (a guess until that search proves it)."""
        totals = self._totals(solution)
        tied = _tied_at_the_margin(self.exchange.pools, list(totals.values()))
        return {p: t for p, t in totals.items() if p not in tied}

    def _totals(self, solution: Solution) -> dict[int, int]:
        return {p: solution.pool_total(p) for p in range(len(self.exchange.pools))}

    def _stage_order_floors(
        self, pending: list[Level], run: LexicographicRun
    ) -> list[tuple[Level, int]]:
        """As few leading per-category stage orders as let one search settle the rest,
        with their floors; [] when one search settles everything anyway, or none can.

        A floor is the smallest stage sum the capacities allow for the people a level
        above fixed (see `_stage_sum_range`): no plan does better. Assuming the fewest
        floors makes the try most likely to succeed (the most urgent category first in
        the first stage is what the terms usually make possible).
        """
        floors: list[tuple[Level, int]] = []
        if len(self.exchange.capacities) < 2:
            return []
        for level in pending:
            if level.kind != "stage_order":
                break
            bounds = self._stage_sum_bounds(level, run)
            if bounds is None:
                break
            floors.append((level, bounds[0]))
        if len(self._batch(pending, run)) == len(pending):
            return []
        for k in range(1, min(len(floors), len(pending) - 1) + 1):
            rest = pending[k:]
            if len(self._batch(rest, run)) == len(rest):
                return floors[:k]
        return []

    def _at_floors(
        self,
        floors: list[tuple[Level, int]],
        rest: list[Level],
        run: LexicographicRun,
        hint: Solution | None,
        started: float,
    ) -> list[Level] | None:
        """Search the levels after `floors` with those held at their floors.

        When a plan reaches every floor, those levels are optimal (nothing is below a
        floor) and are frozen; the search's own levels are recorded as usual, and the
        levels still pending are returned. None, with nothing changed, when the floors
        cannot all be reached (or that is not known within a short time).
        """
        model = self.exchange.model
        at_floor = model.new_bool_var("stage_orders_at_their_floors")
        floor_expressions = [level_expression(self.exchange, lv, self.days) for lv, _ in floors]
        for expression, (_, floor) in zip(floor_expressions, floors, strict=True):
            model.add(expression <= floor).only_enforce_if(at_floor)
        model.add_assumption(at_floor)
        batch = self._batch(rest, run)
        expressions = [level_expression(self.exchange, lv, self.days) for lv, _ in batch]
        combined = _weighted(expressions, [w for _, w in batch])
        # A try, not the search itself: only a proven answer is kept (anything else is
        # searched again the usual way). A try that neither reaches the floors nor proves
        # them out of reach can run long (with families of many sizes at 100,000 a side,
        # 2.3 s for nothing, where the usual search then took 0.3 s): it is cut off after
        # a fixed amount of work, and never takes more than a quarter of the time left.
        limit = (self.deadline - time.monotonic()) / 4
        try:
            outcome = self._optimise(
                batch[0][0], combined, run.solution or hint, limit, _FLOOR_TRY_DTIME
            )
        finally:
            model.clear_assumptions()
        if outcome is None or outcome[0] != cp_model.OPTIMAL:
            return None
        _, solution, value, solver = outcome
        run.solution = solution
        seconds = time.perf_counter() - started
        for (lv, floor), expression in zip(floors, floor_expressions, strict=True):
            run.results.append(LevelResult(lv, floor, True, 0.0))
            self._freeze(lv, expression, floor)
        self._record(run, batch, expressions, (value, solver), True, seconds)
        return rest[len(batch) :]

    def _record(
        self,
        run: LexicographicRun,
        batch: list[tuple[Level, int]],
        expressions: list[cp_model.LinearExprT],
        answer: tuple[int, cp_model.CpSolver],
        proven: bool,
        seconds: float,
    ) -> None:
        """Note each level a search settled (its value, its share of the time); freeze it
        when proven. `answer` is the search's true value and its solver."""
        value, solver = answer
        for (lv, _), expression in zip(batch, expressions, strict=True):
            lv_value = value if len(batch) == 1 else int(solver.value(expression))
            run.results.append(LevelResult(lv, lv_value, proven, seconds / len(batch)))
            if self.stats is not None:
                spent = self.stats.levels.get(lv.name, 0.0) + seconds / len(batch)
                self.stats.levels[lv.name] = spent
            if proven:
                self._freeze(lv, expression, lv_value)

    def _batch(self, pending: list[Level], run: LexicographicRun) -> list[tuple[Level, int]]:
        """The next level, with the levels after it that one weighted search settles exactly.

        When every value of a level lies in a range of known width, weighting each level
        by the product of the widths of the levels after it makes a single search
        lexicographic over all of them. Levels are taken while they share a sense, their
        ranges are known and the weighted objective stays below 2**53, where CP-SAT's
        integers and its LP's doubles are both exact.
        """
        spans: list[tuple[int, int]] = []  # (width of the range, largest value)
        for level in pending:
            span = self._span(level, run)
            if level.sense != pending[0].sense or span is None:
                break
            spans.append(span)
        if not spans:
            return [(pending[0], 1)]
        size = 1
        while size < len(spans) and _weighted_max(spans[: size + 1]) < _EXACT:
            size += 1
        return list(zip(pending[:size], _weights(spans[:size]), strict=True))

    def _span(self, level: Level, run: LexicographicRun) -> tuple[int, int] | None:
        """(width, largest value) of the values a level can take, or None if not known."""
        pools = self.exchange.pools
        if level.kind == "priority":
            assert level.category is not None
            most = sum(pool.n_units * pool.count_in(level.category) for pool in pools)
            return most + 1, most
        if level.kind in ("released", "changes"):
            # A repair changes each person of the pools at most once.
            most = sum(pool.n_units * pool.unit_size for pool in pools)
            return most + 1, most
        if level.kind == "captivity_days":
            return None
        # Stage order of n people fixed by a level above: within what the capacities
        # allow when they are known, else between n and S * n.
        bounds = self._stage_sum_bounds(level, run)
        if bounds is not None:
            lowest, highest = bounds
            return highest - lowest + 1, highest
        count = self._ranked_people(level, run)
        if count is None:
            return None
        stages = len(self.exchange.capacities)
        return (stages - 1) * count + 1, stages * count

    def _ranked_people(self, level: Level, run: LexicographicRun) -> int | None:
        """How many people a stage order ranks, as a level above fixed it (None: not yet)."""
        source = "released" if level.kind == "stage_order_all" else f"priority:{level.category}"
        return next((r.value for r in run.results if r.level.name == source), None)

    def _stage_sum_bounds(self, level: Level, run: LexicographicRun) -> tuple[int, int] | None:
        """Smallest and largest value of a stage order the capacities allow, if known."""
        count = self._ranked_people(level, run)
        capacities = [c for c in self.exchange.capacities if c is not None]
        if count is None or len(capacities) != len(self.exchange.capacities):
            return None
        return _stage_sum_range(count, capacities)

    def _freeze(self, level: Level, expression: cp_model.LinearExprT, value: int) -> None:
        """Hold a proven level at its optimum: later levels may not make it worse."""
        self._days_frozen |= level.kind == "captivity_days"
        model = self.exchange.model
        model.add(expression >= value if level.sense == "max" else expression <= value)

    def _value_without_search(self, level: Level, run: LexicographicRun) -> int | None:
        """A value the levels above already fix: no search needed to prove it.

        With a single stage, stage order equals the counts fixed above; with every place
        of every stage taken, the stage order of everybody is one number.
        """
        if run.solution is None:
            return None
        if level.kind == "stage_order_all":
            span = self._span(level, run)
            if span is not None and span[0] == 1:
                return span[1]
        if len(self.exchange.capacities) != 1:
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
        limit_s: float | None = None,
        dtime: float | None = None,
    ) -> tuple[cp_model.CpSolverStatus, Solution, int, cp_model.CpSolver] | None:
        """Solve one level: (CP-SAT status, solution, true value, solver), or None (no plan).

        `limit_s` caps each CP-SAT call below what is left of the time limit; `dtime`, if
        given, caps its deterministic time.
        """
        model = self.exchange.model
        if level.sense == "max":
            model.maximize(expression)
        else:
            model.minimize(expression)
        while True:
            if hint is not None:
                self._hint(hint)
                self.days.tighten(*self._days_claims(hint, None))
            status, solver = self._solve(limit_s, level, dtime)
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
            return self.days.true_total(solution.pool_total)
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
        staged = all(
            len(counts) == len(per_stage)
            for per_stage, counts in zip(self.exchange.units, solution.units, strict=True)
        )
        schedule = solution.units if staged else self._first_schedule(solution)
        hints: list[tuple[cp_model.IntVar, int]] = []
        for p, counts in enumerate(solution.units):
            if schedule is not None:
                hints.extend(zip(self.exchange.units[p], schedule[p], strict=True))
            if not staged or len(counts) > 1:
                hints.append((self.exchange.released_units[p], sum(counts)))
        for p, var in self.days.days.items():
            hints.append((var, self.days.exact(p, solution.pool_total(p))))
        set_hints(self.exchange.model, hints)

    def _first_schedule(self, selection: Solution) -> Schedule | None:
        """Stages for a one-stage selection's units, when a quick greedy can guess them."""
        capacities = [c for c in self.exchange.capacities if c is not None]
        if (
            len(capacities) < 2
            or len(capacities) != len(self.exchange.capacities)
            or self.exchange.terms.civilians_separately
        ):
            return None
        totals = list(self._totals(selection).values())
        return first_schedule(self.exchange.pools, totals, capacities, self.levels)

    def _read(self, solver: cp_model.CpSolver) -> Solution:
        units = self.exchange.units
        return Solution([[int(solver.value(v)) for v in per_stage] for per_stage in units])

    def _solve(
        self, limit_s: float | None = None, level: Level | None = None, dtime: float | None = None
    ) -> tuple[cp_model.CpSolverStatus, cp_model.CpSolver]:
        """One CP-SAT call on the model as it stands, tuned to the `level` it optimises.

        Captivity days branch on the LP's reduced costs: a sum of concave curves bounded
        by tangent lines, whose LP optimum is close to the answer. With the exact lines
        of small pools (`solver.objective`) that took 8% off the search time over seven
        synthetic requests of 1,000 to 100,000 people a side (some slower, most faster).
        Stage orders skip probing in presolve: it tries each of the staged model's many
        yes/no choices (which stage holds civilians, say) again at every call. Over 11
        requests of 100,000 a side under various terms that took 12% off the search time
        in all (28% over 4 more), and a third or more off the slowest (the mediated
        swap: civilians separately, the seriously ill outside parity); a few got slower,
        by up to 0.4 s.
        """
        solver = cp_model.CpSolver()
        remaining = self.deadline - time.monotonic()
        if self.should_stop is not None and self.should_stop():
            self.stopped = True
        if remaining <= 0 or self.stopped:
            return cp_model.UNKNOWN, solver
        solver.parameters.max_time_in_seconds = min(remaining, limit_s or remaining)
        if dtime is not None:
            solver.parameters.max_deterministic_time = dtime
        solver.parameters.num_workers = self.options.workers
        solver.parameters.random_seed = self.options.seed
        # One presolve pass: the pooled models are small and already tight, and more
        # passes cost more than they save (searches 20-25% faster from 1,400 to 100,000
        # people a side; proofs are CP-SAT's either way).
        solver.parameters.max_presolve_iterations = _PRESOLVE_PASSES
        if level is not None and level.kind == "captivity_days":
            solver.parameters.search_branching = solver.parameters.LP_SEARCH
        if level is not None and level.kind in ("stage_order", "stage_order_all"):
            solver.parameters.cp_model_probing_level = 0
        with self._watch_stop(solver), self.waiting():
            status = solver.solve(self.exchange.model)
        if self.stats is not None:
            with _STATS_LOCK:  # the forced-totals proof counts from its own thread
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
            while not done.wait(_STOP_POLL_S):
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
