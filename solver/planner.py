"""The entry point: an exchange request in, a re-checked plan out."""

from __future__ import annotations

import functools
import gc
import itertools
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from solver.assignment import Assignment, assign
from solver.exchange_model import ExchangeModel
from solver.explanation import not_released, warnings
from solver.levels import Level, levels_for, values_of
from solver.lexicographic import LexicographicRun, LexicographicSolver, SearchStats
from solver.objective import people_sum
from solver.pools import Pool, build_pools
from solver.roster import CATEGORY_BIT, Rosters, build_rosters
from solver.rules import add_all_rules, civilians_separately
from solver.schema import (
    Conflict,
    LevelReport,
    Objective,
    Options,
    Plan,
    PlanStatus,
    Released,
    RequestRecord,
    Side,
    Stage,
    Terms,
)
from solver.validation import ListsRead, read_lists, recheck

logger = logging.getLogger(__name__)

# The conflict search uses what is left of the time limit, but never less than this:
# an infeasible verdict without its reasons helps nobody.
_MIN_CONFLICT_SECONDS = 3.0


class StopSignal(Protocol):
    """Anything with `is_set()`: a threading or multiprocessing Event, for instance."""

    def is_set(self) -> bool: ...


@dataclass(frozen=True)
class Progress:
    """What a long solve has achieved so far, reported after every proven level."""

    levels: list[LevelReport]
    best_plan: Plan | None
    elapsed_s: float


ProgressCallback = Callable[[Progress], None]


class PlanCheckError(RuntimeError):
    """The independent re-check found a broken rule in a plan: a solver bug, never an answer."""


@dataclass
class SolveStats:
    """Where the time of one solve went: for benchmarks and logs, never part of the plan."""

    people: int = 0
    pools: int = 0
    searches: int = 0  # CP-SAT calls, the conflict search excluded
    phases: dict[str, float] = field(default_factory=dict)  # phase -> seconds
    levels: dict[str, float] = field(default_factory=dict)  # level name -> search seconds

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.phases[name] = self.phases.get(name, 0.0) + time.perf_counter() - started


def solve(
    request: RequestRecord,
    *,
    on_progress: ProgressCallback | None = None,
    stop: StopSignal | None = None,
) -> Plan:
    """Plan the exchange: optimal when every level is proven, explained when infeasible.

    `stop` ends the search early; the best plan found so far is returned (`feasible`), or
    `timeout` when there is none. Every returned plan has passed `solver.validation`.
    """
    return solve_with_stats(request, on_progress=on_progress, stop=stop)[0]


def solve_with_stats(
    request: RequestRecord,
    *,
    on_progress: ProgressCallback | None = None,
    stop: StopSignal | None = None,
) -> tuple[Plan, SolveStats]:
    """`solve`, also telling where the time went."""
    with _solving():
        return _solve(request, on_progress, stop)


def _solve(
    request: RequestRecord, on_progress: ProgressCallback | None, stop: StopSignal | None
) -> tuple[Plan, SolveStats]:
    started = time.perf_counter()
    deadline = time.monotonic() + request.options.time_limit_s
    stats = SolveStats()
    with stats.phase("read"):
        rosters = build_rosters(request)
        pools = build_pools(rosters)
    stats.people = rosters.side_a.size + rosters.side_b.size
    stats.pools = len(pools)
    unreleasable_included = sum(
        int((roster.must_include & ~roster.releasable).sum()) for roster in rosters
    )
    levels = levels_for(request.terms)

    def report(run: LexicographicRun) -> None:
        if on_progress is None or run.solution is None:
            return
        best = _plan(request, rosters, levels, run, assign(rosters, pools, run.solution), started)
        # A plan handed out mid-search may be kept as the answer: it is re-checked too.
        _recheck(request, best)
        on_progress(Progress(best.levels, best, time.perf_counter() - started))

    turns = _Turns()
    search = Search(
        pools, levels, request.options, deadline, stop, stats, unreleasable_included, turns
    )
    try:
        with stats.phase("search"):
            ahead = _ReadAhead(request, rosters, turns)
            run = _select_then_schedule(
                request.terms, search, report if on_progress else None, turns.waiting
            )
    finally:
        turns.end()  # from here on, nothing waits for the read-ahead's turn
    logger.debug(
        "solved %d+%d people in %d pools: %s",
        rosters.side_a.size,
        rosters.side_b.size,
        len(pools),
        run.status,
    )
    if run.status == "infeasible":
        with stats.phase("conflicts"):
            seconds = max(_MIN_CONFLICT_SECONDS, deadline - time.monotonic())
            # Imported here: only infeasible terms need it, and every command pays for imports.
            from solver.conflicts import smallest_conflict

            rules = smallest_conflict(rosters, pools, unreleasable_included, seconds)
            plan = _unsolved(request, rosters, "infeasible", rules, started)
        return plan, stats
    if run.solution is None:
        return _unsolved(request, rosters, "timeout", [], started), stats
    with stats.phase("plan"):
        plan = _plan(request, rosters, levels, run, assign(rosters, pools, run.solution), started)
    with stats.phase("check"):
        _recheck(request, plan, ahead.lists())
    # The solve's wall time includes the re-check: it is part of every answer.
    plan = plan.model_copy(update={"solve_seconds": round(time.perf_counter() - started, 3)})
    return plan, stats


_SWITCH_INTERVAL_S = 0.001
"""How often threads take turns at the interpreter lock while a solve runs (Python's
default is every 5 ms)."""

_settings_lock = threading.Lock()
_solves_running = 0
_saved_settings: tuple[bool, float] = (False, 0.0)  # collector on?, switch interval


@contextmanager
def _solving() -> Iterator[None]:
    """The interpreter as a solve wants it: cycle collector off, quick thread switches.

    A solve allocates hundreds of thousands of small objects that form no cycles
    (columns, ids, reasons); every few hundred allocations the collector runs, and its
    passes over the older generations walk the whole heap. At 100,000 people a side
    that cost about 40 ms of writing the plan alone.

    While CP-SAT searches, a helper thread reads ahead (`_ReadAhead`). When the search
    ends, the solve's thread waits for the interpreter lock until the helper lets go,
    which Python asks of it only every switch interval. At the default 5 ms the first
    solve of a process (the command line's only one) spent 42-58 ms at 100,000 people
    a side in such waits (CP-SAT calls' wall time beyond CP-SAT's own); at 1 ms, 18-26.

    Both are settings of the whole process, and solves may run in several threads: the
    first to start changes them, the last to finish puts back what it found.
    """
    global _solves_running, _saved_settings
    with _settings_lock:
        if _solves_running == 0:
            _saved_settings = (gc.isenabled(), sys.getswitchinterval())
            gc.disable()
            sys.setswitchinterval(min(_SWITCH_INTERVAL_S, _saved_settings[1]))
        _solves_running += 1
    try:
        yield
    finally:
        with _settings_lock:
            _solves_running -= 1
            if _solves_running == 0:
                collector_was_on, interval = _saved_settings
                sys.setswitchinterval(interval)
                if collector_was_on:
                    gc.enable()


def solving() -> AbstractContextManager[None]:
    """The interpreter as a solve wants it (see `_solving`): a repair runs in it too."""
    return _solving()


Waiting = Callable[[], AbstractContextManager[object]]


@dataclass(frozen=True)
class Search:
    """Fresh searches of one solve's pools under some terms (see `_solve`)."""

    pools: list[Pool]
    levels: list[Level]
    options: Options
    deadline: float
    stop: StopSignal | None
    stats: SolveStats
    unreleasable_included: int
    turns: _Turns

    def model(self, terms: Terms) -> ExchangeModel:
        """A new model of the pools with every rule of the terms."""
        exchange = ExchangeModel(
            self.pools, terms, unreleasable_included=self.unreleasable_included
        )
        add_all_rules(exchange)
        return exchange

    def __call__(
        self,
        terms: Terms,
        forced: dict[int, int] | None = None,
        abandon: Sequence[StopSignal] = (),
        counts: SearchStats | None = None,
        *,
        exchange: ExchangeModel | None = None,
    ) -> LexicographicSolver:
        """A search on a new model of the terms, or on `exchange`, one built so before
        (by `model`, and copied: a search adds to its model)."""
        signals = [*abandon, *([self.stop] if self.stop is not None else [])]
        return LexicographicSolver(
            self.model(terms) if exchange is None else exchange,
            self.levels,
            self.options,
            deadline=self.deadline,
            should_stop=(lambda: any(s.is_set() for s in signals)) if signals else None,
            stats=self.stats if counts is None else counts,
            forced=forced,
            waiting=self.turns.waiting,
        )


def _select_then_schedule(
    terms: Terms,
    search: Search,
    on_level: Callable[[LexicographicRun], None] | None,
    waiting: Waiting = nullcontext,
) -> LexicographicRun:
    """Choose who goes on a one-stage relaxation, then fit them into the stages.

    Merging the stages into one (capacities added up, civilians allowed beside military
    people) can only loosen the terms, so the relaxation's optimum for the selection
    levels bounds every real plan's. A staged plan that reaches those values is
    therefore optimal for them; the stage order is then optimised on the staged model.
    Only when no staged plan reaches them does the search start over on the staged
    model, level by level. The relaxation is much easier: the stages multiply the
    symmetric ways of writing down the same selection.

    `waiting()` marks where this thread waits for other threads' searches.
    """
    stages = terms.stages or []
    if len(stages) <= 1 and not terms.civilians_separately:
        return search(terms, None).run(on_level)
    merged = terms.model_copy(
        update={"stages": [sum(stages)] if stages else None, "civilians_separately": False}
    )
    relaxation = search(merged, None)
    if terms.civilians_separately:
        civilians_separately.add_to_merged_stages(relaxation.exchange, terms.stages)
    relaxation.levels = [lv for lv in relaxation.levels if lv.kind in _SELECTION_LEVELS]
    selection = relaxation.run()
    if selection.status == "infeasible":
        return selection
    if selection.all_proven and len(selection.results) == len(relaxation.levels):
        scheduled = _schedule_while_proving(terms, search, relaxation, selection, on_level, waiting)
        if scheduled.status != "infeasible":
            return scheduled
    return search(terms, None).run(on_level)


def _schedule_while_proving(
    terms: Terms,
    search: Search,
    relaxation: LexicographicSolver,
    selection: LexicographicRun,
    on_level: Callable[[LexicographicRun], None] | None,
    waiting: Waiting,
) -> LexicographicRun:
    """Fit the relaxation's selection into the stages while a thread proves the guess
    they are searched on.

    Pools whose totals every optimal selection shares are fixed for the stages, which
    then mostly only have to order the people already chosen. Proving which totals are
    forced is one more CP-SAT search on the relaxation, whose first question nearly
    always confirms a guess (`forced_guess`); so the stages are searched on the guess
    while the proof runs beside them (see `_stages`). The plan never depends on which
    of the two ends first, nor on the number of cores.

    Nothing from the guess counts, and no progress is reported, until the proof
    confirms it; a proof that disagrees stops the stages' search, and the stages are
    searched again on what the proof found.
    """
    assert selection.solution is not None
    frozen, hint = selection.results, selection.solution
    guess = relaxation.forced_guess(hint)
    wrong_guess = threading.Event()

    def proven(proof: Future[dict[int, int]]) -> None:
        if proof.exception() is not None or proof.result() != guess:
            wrong_guess.set()

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="forced-totals") as beside:
        proof = beside.submit(relaxation.forced_totals, hint, guess=guess)
        proof.add_done_callback(proven)
        try:
            scheduled, kept = _stages(terms, search, guess, selection, (wrong_guess,), waiting)
            with waiting():
                forced = proof.result()
        except BaseException:
            wrong_guess.set()  # nothing of it will count: stop the searches at once
            raise
    # Searches on a wrong guess are counted, but none of their levels' seconds.
    _record_counts(relaxation.stats, kept if forced == guess else _SearchCounts(kept.searches))
    if forced == guess:
        if on_level is not None and scheduled.results[len(frozen) :]:
            on_level(scheduled)
        return scheduled
    again, kept = _stages(terms, search, forced, selection, (), waiting)
    _record_counts(relaxation.stats, kept)
    if again.solution is None and scheduled.solution is not None:
        # Out of time (or stopped) before the stages were searched again: the plan found
        # on the guess keeps every term and the selection's proven levels, but its stage
        # orders were only optimal for the guess.
        for result in scheduled.results[len(frozen) :]:
            result.proven = False
        return scheduled
    if on_level is not None and again.results[len(frozen) :]:
        on_level(again)
    return again


def _stages(
    terms: Terms,
    search: Search,
    forced: dict[int, int],
    selection: LexicographicRun,
    abandon: Sequence[StopSignal],
    waiting: Waiting,
) -> tuple[LexicographicRun, _SearchCounts]:
    """The stages searched on `forced` totals: the run and its counts.

    The run starts with the try of the stage orders at their floors, one short search
    (`_FLOOR_TRY_DTIME`) that settles them at once when it succeeds, as it does on most
    lists; the usual searches follow only when it fails. The try used to run beside
    them on the second core, each on its own model, but it then slowed them (and the
    forced-totals proof) more than it saved: over the 14 variant requests, in turn is
    3% faster in all, 7-8% on the lists shaped like the benchmark's.
    """
    assert selection.solution is not None
    frozen, hint = selection.results, selection.solution

    patterns = _stage_patterns(search.pools, forced, terms)
    if patterns is None:
        counts = _SearchCounts()
        return search(terms, forced, abandon, counts).run(None, frozen=frozen, hint=hint), counts
    # What every pattern's search starts from is built once, then copied: the model and
    # its rules, the forced totals, and the sums the levels optimise.
    built = search.model(terms)
    for p, total in forced.items():
        built.fix_total(p, total)
    for level in search.levels:
        if level.kind != "captivity_days":
            people_sum(built, level)
    models = {pattern: built.copy() for pattern in patterns}

    def searched(pattern: Pattern, counts: _SearchCounts) -> LexicographicRun:
        exchange = models[pattern]
        for stage, civilian in zip(exchange.stages, pattern, strict=True):
            exchange.model.add(exchange.people(stage=stage, civilian=not civilian) == 0)
        solver = search(terms, forced, abandon, counts, exchange=exchange)
        return solver.run(None, frozen=frozen, hint=hint)

    return _stages_by_pattern(patterns, searched, len(frozen), waiting)


# Stage patterns searched one by one, at most (see _stage_patterns).
_MAX_PATTERNS = 8

Pattern = tuple[bool, ...]  # per stage: True for a civilian stage


def _stage_patterns(
    pools: Sequence[Pool], forced: dict[int, int], terms: Terms
) -> list[Pattern] | None:
    """The ways of making each stage civilian or military that the forced totals leave
    room for, when civilians travel separately and there are few enough of them.

    A pattern is ruled out when the civilians (or military people) that the forced
    totals release on one side alone outnumber the places of the stages it gives them.
    None: the stages are searched with the pattern left to CP-SAT.
    """
    if not terms.civilians_separately or not terms.stages:
        return None
    capacities = terms.stages
    at_least = {
        (side, civilian): sum(
            units * pools[p].count(civilian=civilian)
            for p, units in forced.items()
            if pools[p].side is side
        )
        for side in Side
        for civilian in (True, False)
    }
    fitting: list[Pattern] = []
    for pattern in itertools.product((False, True), repeat=len(capacities)):
        places = {
            civilian: sum(
                c for c, is_civ in zip(capacities, pattern, strict=True) if is_civ == civilian
            )
            for civilian in (True, False)
        }
        if all(people <= places[civilian] for (_, civilian), people in at_least.items()):
            fitting.append(pattern)
            if len(fitting) > _MAX_PATTERNS:
                return None
    return fitting


def _stages_by_pattern(
    patterns: list[Pattern],
    searched: Callable[[Pattern, _SearchCounts], LexicographicRun],
    frozen: int,
    waiting: Waiting,
) -> tuple[LexicographicRun, _SearchCounts]:
    """Civilians separately: the stages searched once per stage pattern, the best kept.

    Left to CP-SAT, which stage carries which status is a handful of yes/no choices on
    top of the schedule, and proving the stage orders optimal means ruling out every
    other choice, in one search that is slow to do so (0.4-0.9 s of the staged search
    at 100,000 a side). With the pattern held, each search only orders people, as
    without the rule. Every plan keeps some pattern (an empty stage keeps both), so the
    best of the patterns' optima is the optimum; the same input gives the same plan,
    whatever the order the searches end in (ties go to the first pattern). `frozen`:
    how many of a run's levels the selection proved.
    """
    counts = [_SearchCounts() for _ in patterns]
    with (
        ThreadPoolExecutor(
            max_workers=2 if _spare_core() else 1, thread_name_prefix="stage-pattern"
        ) as beside,
        waiting(),
    ):
        runs = list(beside.map(searched, patterns, counts))
    best = _best_of_patterns(runs, frozen)
    kept = _SearchCounts(levels=counts[best].levels if best is not None else {})
    kept.searches = sum(c.searches for c in counts)
    if best is None:
        timed_out = any(run.status == "timeout" for run in runs)
        return LexicographicRun("timeout" if timed_out else "infeasible", None), kept
    return runs[best], kept


def _best_of_patterns(runs: list[LexicographicRun], frozen: int) -> int | None:
    """The run with the smallest stage orders, level after level (all are minimised),
    the first of equals; None when no pattern has a plan.

    Its stage orders stay proven only when every pattern was settled: its run proven
    to the last level, or its pattern proven out of reach of the selection.
    """
    planned = [
        k for k, run in enumerate(runs) if run.status == "solved" and run.solution is not None
    ]
    if not planned:
        return None
    best = min(planned, key=lambda k: [_unknown_last(r.value) for r in runs[k].results[frozen:]])
    levels = len(runs[best].results)
    settled = all(
        run.status == "infeasible" or (run.all_proven and len(run.results) == levels)
        for run in runs
    )
    if not settled:
        for result in runs[best].results[frozen:]:
            result.proven = False
    return best


def _unknown_last(value: int | None) -> float:
    return float("inf") if value is None else value


@dataclass
class _SearchCounts:
    """One run's searches and level seconds, kept apart until it is known whether it counts."""

    searches: int = 0
    levels: dict[str, float] = field(default_factory=dict)


def _record_counts(stats: SearchStats | None, kept: _SearchCounts) -> None:
    """Add a run's searches and its level seconds to the solve's."""
    if stats is None:
        return
    stats.searches += kept.searches
    for name, seconds in kept.levels.items():
        stats.levels[name] = stats.levels.get(name, 0.0) + seconds


@functools.cache
def _spare_core() -> bool:
    """Whether a second search can run beside the first without slowing it: two cores
    this process may run on, and no CPU quota below two (a container's `--cpus`)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    quota = _cpu_quota()
    return (cores or 1) >= 2 and (quota is None or quota >= 2)


def _cpu_quota(cgroup: Path = Path("/sys/fs/cgroup")) -> float | None:
    """CPUs' worth of time the control group allows (cgroup v2 or v1), None if no limit."""
    try:
        if (cgroup / "cpu.max").is_file():
            quota, period = (cgroup / "cpu.max").read_text().split()[:2]
        else:
            quota = (cgroup / "cpu" / "cpu.cfs_quota_us").read_text().strip()
            period = (cgroup / "cpu" / "cpu.cfs_period_us").read_text().strip()
        if quota in ("max", "-1"):
            return None
        return int(quota) / int(period)
    except (OSError, ValueError):
        return None


_SELECTION_LEVELS = ("priority", "released", "captivity_days")


def _plan(
    request: RequestRecord,
    rosters: Rosters,
    levels: list[Level],
    run: LexicographicRun,
    assignment: Assignment,
    started: float,
) -> Plan:
    stage_count = len(request.terms.stages or [1])
    proven_all = run.all_proven and len(run.results) == len(levels)
    status: PlanStatus = "optimal" if proven_all else "feasible"
    objective = plan_objective(rosters, assignment)
    values = values_of(objective, levels)
    proven = {r.level.name for r in run.results if r.proven}
    return Plan(
        status=status,
        reference_date=rosters.reference_date,
        released=Released(
            side_a=assignment.released_ids(rosters.side_a),
            side_b=assignment.released_ids(rosters.side_b),
        ),
        stages=[
            Stage(
                number=s,
                side_a=assignment.stage_ids(rosters.side_a, s),
                side_b=assignment.stage_ids(rosters.side_b, s),
            )
            for s in range(1, stage_count + 1)
        ],
        objective=objective,
        not_released=not_released(rosters, assignment),
        warnings=warnings(rosters, assignment),
        levels=[
            LevelReport(name=lv.name, sense=lv.sense, value=v, proven=lv.name in proven)
            for lv, v in zip(levels, values, strict=True)
        ],
        solve_seconds=round(time.perf_counter() - started, 3),
    )


def plan_objective(rosters: Rosters, assignment: Assignment) -> Objective:
    """Every level's value for the plan, computed from who goes when."""
    priorities = list(dict.fromkeys(rosters.terms.priorities))
    counts = dict.fromkeys((c.value for c in priorities), 0)
    stage_order = dict.fromkeys((c.value for c in priorities), 0)
    released = days = stage_sum = 0
    for roster in rosters:
        stage = assignment.of(roster.side)
        going = stage > 0
        released += int(going.sum())
        days += int(roster.days[going].sum())
        stage_sum += int(stage.sum())
        for category in priorities:
            member = (roster.categories & CATEGORY_BIT[category]) != 0
            counts[category.value] += int((member & going).sum())
            stage_order[category.value] += int(stage[member].sum())
    return Objective(
        priorities=counts,
        released=released,
        captivity_days=days,
        stage_order={**stage_order, "all": stage_sum},
    )


def _unsolved(
    request: RequestRecord,
    rosters: Rosters,
    status: PlanStatus,
    rules: list[str],
    started: float,
) -> Plan:
    return Plan(
        status=status,
        reference_date=rosters.reference_date,
        not_released=not_released(rosters, None),
        conflicts=_explain(rules, rosters),
        warnings=warnings(rosters, None),
        levels=[
            LevelReport(name=lv.name, sense=lv.sense, value=None, proven=False)
            for lv in levels_for(request.terms)
        ],
        solve_seconds=round(time.perf_counter() - started, 3),
    )


class _Turns:
    """Whose turn it is to run Python: a helper thread's only while the solve waits.

    Threads share one interpreter lock, and a thread that reads the lists while the
    solve builds its next model slows the solve as much as it gains. So the solve's
    thread marks where it waits (`waiting()`: CP-SAT searches and the searches it waits
    for in other threads), and a helper works in steps of a few milliseconds, each
    begun only during such a wait (`wait_for_turn`). After `end()` helpers run freely.
    """

    def __init__(self) -> None:
        self._owner = threading.current_thread()
        self._solve_waits = threading.Event()
        self._over = False

    @contextmanager
    def waiting(self) -> Iterator[None]:
        if threading.current_thread() is not self._owner or self._over:
            yield  # another thread's wait leaves the solve's thread busy
            return
        self._solve_waits.set()
        try:
            yield
        finally:
            if not self._over:
                self._solve_waits.clear()

    def wait_for_turn(self) -> None:
        self._solve_waits.wait()

    def end(self) -> None:
        self._over = True
        self._solve_waits.set()


class _ReadAhead:
    """What needs no plan, done in a thread while the solve waits on CP-SAT.

    CP-SAT releases the GIL and searches on one core; meanwhile the re-check reads the
    lists (on its own, as an independent check must) and the ids are sorted for the
    plan, which lists every id in order. The thread takes its turns (`_Turns`): it
    starts with the search and reads only while the solve's thread waits.
    """

    def __init__(self, request: RequestRecord, rosters: Rosters, turns: _Turns):
        self._turns = turns
        background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="read-ahead")
        self._lists = background.submit(
            read_lists, request, rosters.reference_date, turns.wait_for_turn
        )
        background.submit(_sort_ids, rosters, turns)
        background.shutdown(wait=False)

    def lists(self) -> ListsRead:
        self._turns.end()
        return self._lists.result()


def _explain(rules: list[str], rosters: Rosters) -> list[Conflict]:
    from solver.conflicts import explain

    return explain(rules, rosters)


def _sort_ids(rosters: Rosters, turns: _Turns) -> None:
    for roster in rosters:
        turns.wait_for_turn()
        _ = roster.by_id


def _recheck(request: RequestRecord, plan: Plan, lists: ListsRead | None = None) -> None:
    """Re-check the plan with the independent validation module before anyone sees it."""
    violations, recomputed = recheck(request, plan, lists)
    if violations:
        raise PlanCheckError(
            f"plan breaks {len(violations)} rule(s), first: {violations[0].rule}: "
            f"{violations[0].message}"
        )
    claimed = tuple(level.value for level in plan.levels)
    if recomputed != claimed:
        raise PlanCheckError(f"objective mismatch: plan says {claimed}, re-check says {recomputed}")


__all__ = ["PlanCheckError", "Progress", "StopSignal", "solve"]
