"""Repair: an agreed plan changed as little as the terms allow, after the day's events.

A re-solve is no repair: a lexicographic optimum has many ties, and a fresh solve picks
among them without regard for the names both sides verified. Here the agreed plan is
the reference, and the number of people whose assignment differs from it (`changes`)
is a level of its own, proven like every other (see `solver.levels.repair_levels_for`
for where it goes under each policy).

The model is the planner's own, on what is left to decide:

- Executed stages are facts. Only the remaining stages are modelled; who was handed
  over counts for the floor and cap (`Executed`), and the first remaining stage carries
  the executed stages' imbalance so that counted releases balance once it is over.
  The same people count for every level of the objective, which the plan reports for
  the whole exchange.
- Who dropped out, and who was handed over, is not releasable from now on; a dropout
  lifts a `must_include`.
- People are also told apart by their agreed assignment (`solver.pools`): a pool's
  units then all differ from the agreed plan in the same way in a given stage, so
  `changes` is a sum over the pools' counts, as exact as the other levels.

The repaired plan goes through `solver.validation.recheck_repair`, which re-applies the
events itself, checks every rule with the day's exceptions, that executed stages are
exactly as handed over, and that `changes` is what the plan differs by.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from solver.assignment import Assignment, assign
from solver.events import DayOfExchange, apply_events
from solver.exchange_model import ExchangeModel, Executed
from solver.explanation import not_released, warnings
from solver.levels import Level, repair_levels_for, values_of
from solver.lexicographic import LexicographicRun, LexicographicSolver, Solution
from solver.planner import (
    PlanCheckError,
    Progress,
    SolveStats,
    StopSignal,
    plan_objective,
    solving,
)
from solver.pools import AgreedStages, Pool, build_pools
from solver.roster import CATEGORY_BIT, BoolArray, IntArray, Roster, Rosters, build_rosters
from solver.rules import add_all_rules
from solver.schema import (
    Added,
    Changes,
    Conflict,
    LevelReport,
    Moved,
    NotReleased,
    PlanStatus,
    PlanWarning,
    Released,
    Removed,
    RepairedPlan,
    RepairedStage,
    RepairObjective,
    RepairRequest,
    Side,
)
from solver.validation import recheck_repair

logger = logging.getLogger(__name__)

SIDES: tuple[Side, Side] = (Side.A, Side.B)

# As for a plan: the conflict search gets at least this long, whatever is left.
_MIN_CONFLICT_SECONDS = 3.0

# Progress is reported (a plan built and re-checked after a proven level) only once a
# repair has run this long: most repairs end well before, and the reports would cost
# them a third of their time (the 1,000-for-1,000 day: about 60 ms of 150 in a worker).
_PROGRESS_AFTER_S = 0.5

RepairProgress = Callable[[Progress], None]


def repair(
    request: RepairRequest,
    *,
    on_progress: RepairProgress | None = None,
    stop: StopSignal | None = None,
    events_checked: bool = False,
) -> RepairedPlan:
    """Repair the agreed plan after the events: `optimal` when every level is proven.

    Raises `InvalidRequest` when the plan or an event cannot be applied. `stop` ends the
    search early with the best plan found so far (`feasible`), or `timeout`. Every
    returned plan, and every option, has passed `solver.validation.recheck_repair`.
    `events_checked`: the request was read by `solver.repair_request` before, which
    checked its plan and events (see `apply_events`).
    """
    return repair_with_stats(
        request, on_progress=on_progress, stop=stop, events_checked=events_checked
    )[0]


def repair_with_stats(
    request: RepairRequest,
    *,
    on_progress: RepairProgress | None = None,
    stop: StopSignal | None = None,
    events_checked: bool = False,
) -> tuple[RepairedPlan, SolveStats]:
    """`repair`, also telling where the time went."""
    with solving():
        return _repair(request, on_progress, stop, events_checked)


def _repair(
    request: RepairRequest,
    on_progress: RepairProgress | None,
    stop: StopSignal | None,
    events_checked: bool,
) -> tuple[RepairedPlan, SolveStats]:
    started = time.perf_counter()
    deadline = time.monotonic() + request.options.time_limit_s
    stats = SolveStats()
    with stats.phase("read"):
        frame = RepairFrame.of(apply_events(request, checked=events_checked))
    stats.people = sum(roster.size for roster in frame.rosters)
    stats.pools = len(frame.pools)
    levels = repair_levels_for(request.terms, request.repair.policy)

    def report(run: LexicographicRun) -> None:
        if on_progress is None or run.solution is None:
            return
        if time.perf_counter() - started < _PROGRESS_AFTER_S:
            return
        best = frame.plan(levels, run, started)
        _recheck(request, best)
        on_progress(Progress(best.levels, best, time.perf_counter() - started))

    should_stop = (lambda: stop.is_set()) if stop is not None else None
    with stats.phase("search"):
        solver = LexicographicSolver(
            frame.model(),
            levels,
            request.options,
            deadline=deadline,
            should_stop=should_stop,
            stats=stats,
        )
        run = solver.run(report if on_progress else None, hint=frame.agreed_hint())
    logger.debug("repaired %d people in %d pools: %s", stats.people, stats.pools, run.status)
    if run.status == "infeasible":
        with stats.phase("conflicts"):
            seconds = max(_MIN_CONFLICT_SECONDS, deadline - time.monotonic())
            return frame.unsolved("infeasible", levels, frame.conflicts(seconds), started), stats
    if run.solution is None:
        return frame.unsolved("timeout", levels, [], started), stats
    with stats.phase("plan"):
        plan = frame.plan(levels, run, started)
    with stats.phase("check"):
        _recheck(request, plan)
    wanted = request.repair.ranked
    chosen = request.repair.choose
    if wanted and plan.status == "optimal":
        # Imported here: most repairs want no alternatives.
        from solver.repair_options import ranked_options

        with stats.phase("options"):
            options = ranked_options(frame, solver, run, levels, wanted, deadline, should_stop)
            for option in options:
                _recheck(request, option.plan)
            summaries = [option.summary(plan, levels) for option in options]
            if chosen <= len(options):
                # As ranked: `optimal` only if it is as good as the best at every level.
                plan = options[chosen - 1].plan
            plan = plan.model_copy(update={"options": summaries})
    if chosen > 1 and (not plan.options or chosen > len(plan.options)):
        plan = plan.model_copy(update={"warnings": [*plan.warnings, _unavailable(plan, chosen)]})
    plan = plan.model_copy(update={"solve_seconds": round(time.perf_counter() - started, 3)})
    return plan, stats


@dataclass(frozen=True)
class RepairFrame:
    """What is left to decide after the events, as the planner's pools and model see it.

    `rosters` are the lists after the events, dropouts made unreleasable; `remaining`
    the same with everyone handed over taken out too, which is what the pools are made
    of. Stage k of the model is stage k + `offset` of the plan.
    """

    day: DayOfExchange
    rosters: Rosters
    remaining: Rosters
    handed: dict[Side, IntArray]  # executed stage per list position, 0 for nobody
    dropped: dict[Side, BoolArray]
    agreed: dict[Side, IntArray]  # agreed stage per list position, 0 for not agreed
    pools: list[Pool]
    executed: Executed
    capacities: list[int | None]
    unreleasable_included: int

    @property
    def offset(self) -> int:
        return self.day.first_remaining - 1

    @classmethod
    def of(cls, day: DayOfExchange) -> RepairFrame:
        listed = build_rosters(day.request)
        handed, dropped, agreed = {}, {}, {}
        for roster in listed:
            side, index = roster.side, roster.index_of()
            handed[side] = _stages_of(roster.size, index, day.handed_over(side))
            dropped[side] = _stages_of(roster.size, index, dict.fromkeys(day.dropouts[side], 1)) > 0
            agreed[side] = _stages_of(roster.size, index, day.agreed[side])
        rosters = _with(listed, lambda r: {"eligible": r.eligible & ~dropped[r.side]})
        remaining = _with(
            rosters,
            lambda r: {
                "eligible": r.eligible & (handed[r.side] == 0),
                # Handed over, a person named in must_include is released; dropped out,
                # the requirement is lifted.
                "must_include": r.must_include & (handed[r.side] == 0) & ~dropped[r.side],
            },
        )
        offset = day.first_remaining - 1
        codes: AgreedStages = {
            side: _agreed_codes(agreed[side], offset, day.stage_count) for side in SIDES
        }
        stages = day.request.terms.stages
        # Terms without stages: one stage without capacity, unless it is executed.
        capacities: list[int | None] = [None] if offset == 0 else []
        if stages is not None:
            capacities = list(stages[offset:])
        unreleasable = sum(int((r.must_include & ~r.releasable).sum()) for r in remaining)
        return cls(
            day=day,
            rosters=rosters,
            remaining=remaining,
            handed=handed,
            dropped=dropped,
            agreed=agreed,
            pools=build_pools(remaining, codes),
            executed=_executed_counts(listed, handed),
            capacities=capacities,
            unreleasable_included=unreleasable,
        )

    def model(self) -> ExchangeModel:
        """The model of the remaining stages, with every rule."""
        exchange = ExchangeModel(
            self.pools,
            self.rosters.terms,
            unreleasable_included=self.unreleasable_included,
            capacities=self.capacities,
            executed=self.executed,
        )
        add_all_rules(exchange)
        return exchange

    def agreed_hint(self) -> Solution:
        """The agreed plan as unit counts: where the search starts."""
        stages = len(self.capacities)
        units = []
        for pool in self.pools:
            counts = [0] * stages
            where = _agreed_stage(pool)
            if 1 <= where <= stages:
                counts[where - 1] = pool.n_units
            units.append(counts)
        return Solution(units)

    # ------------------------------------------------------------------ the plan

    def assignment(
        self, solution: Solution, units: list[tuple[int, ...]] | None = None
    ) -> Assignment:
        """Each listed person's stage in the whole plan: executed stages as handed over.
        `units`: other units of each pool than the longest-held (see `assign`)."""
        chosen = assign(self.remaining, self.pools, solution, units)
        stage_of = {}
        for side in SIDES:
            model_stage = chosen.of(side)
            plan_stage = np.where(model_stage > 0, model_stage + self.offset, 0)
            stage_of[side] = np.where(self.handed[side] > 0, self.handed[side], plan_stage)
        return Assignment(side_a=stage_of[Side.A], side_b=stage_of[Side.B])

    def plan(self, levels: list[Level], run: LexicographicRun, started: float) -> RepairedPlan:
        """The repaired plan of a run's solution, with every level's value and proof."""
        assert run.solution is not None
        assignment = self.assignment(run.solution)
        proven = {r.level.name for r in run.results if r.proven}
        proven_all = run.all_proven and len(run.results) == len(levels)
        status: PlanStatus = "optimal" if proven_all else "feasible"
        return self.plan_of(assignment, levels, status, proven, started)

    def plan_of(
        self,
        assignment: Assignment,
        levels: list[Level],
        status: PlanStatus,
        proven: set[str],
        started: float,
    ) -> RepairedPlan:
        changes = self.changes(assignment)
        objective = RepairObjective(
            **plan_objective(self.rosters, assignment).model_dump(), changes=changes.count
        )
        values = values_of(objective, levels)
        executed = {stage.number for stage in self.day.executed}
        return RepairedPlan(
            status=status,
            reference_date=self.rosters.reference_date,
            released=Released(
                side_a=assignment.released_ids(self.rosters.side_a),
                side_b=assignment.released_ids(self.rosters.side_b),
            ),
            stages=[
                RepairedStage(
                    number=s,
                    side_a=assignment.stage_ids(self.rosters.side_a, s),
                    side_b=assignment.stage_ids(self.rosters.side_b, s),
                    executed=s in executed,
                )
                for s in range(1, self.day.stage_count + 1)
            ],
            objective=objective,
            not_released=self.not_released(assignment),
            warnings=warnings(self.rosters, assignment),
            levels=[
                LevelReport(name=lv.name, sense=lv.sense, value=v, proven=lv.name in proven)
                for lv, v in zip(levels, values, strict=True)
            ],
            changes=changes,
            solve_seconds=round(time.perf_counter() - started, 3),
        )

    def changes(self, assignment: Assignment) -> Changes:
        """Who the plan adds, removes and moves against the agreed plan, in id order;
        people handed over or dropped out aside."""
        found = Changes()
        for roster in self.rosters:
            side = roster.side
            agreed, stage = self.agreed[side], assignment.of(side)
            counted = (self.handed[side] == 0) & ~self.dropped[side] & (agreed != stage)
            for i in roster.by_id[counted[roster.by_id]].tolist():
                pid, was, now = roster.ids[i], int(agreed[i]), int(stage[i])
                if was == 0:
                    found.added.append(Added(side=side, id=pid, stage=now))
                elif now == 0:
                    found.removed.append(Removed(side=side, id=pid, stage=was))
                else:
                    found.moved.append(
                        Moved.model_validate({"side": side, "id": pid, "from": was, "to": now})
                    )
        return found

    def not_released(self, assignment: Assignment | None) -> list[NotReleased]:
        """Everyone not released, with the reason; a dropout gives its own reason."""
        entries = not_released(self.rosters, assignment)
        for entry in entries:
            reason = self.day.dropouts[entry.side].get(entry.id)
            if reason is not None:
                entry.reason, entry.detail = "dropout", reason
        return entries

    def unsolved(
        self, status: PlanStatus, levels: list[Level], conflicts: list[Conflict], started: float
    ) -> RepairedPlan:
        """An infeasible or timed-out repair: nobody released, the reasons given."""
        return RepairedPlan(
            status=status,
            reference_date=self.rosters.reference_date,
            not_released=self.not_released(None),
            conflicts=conflicts,
            warnings=warnings(self.rosters, None),
            levels=[
                LevelReport(name=lv.name, sense=lv.sense, value=None, proven=False) for lv in levels
            ],
            solve_seconds=round(time.perf_counter() - started, 3),
        )

    def conflicts(self, seconds: float) -> list[Conflict]:
        """The smallest set of terms that cannot hold together on what is left to decide,
        each said with the day's numbers: who was handed over, who dropped out, what the
        remaining stages can still hold."""
        from solver.conflicts import smallest_conflict
        from solver.repair_conflicts import DaySoFar, explain_repair

        rules = smallest_conflict(
            self.remaining,
            self.pools,
            self.unreleasable_included,
            seconds,
            capacities=self.capacities,
            executed=self.executed,
        )
        day = DaySoFar(
            rosters=self.rosters,
            handed=self.handed,
            dropped=self.dropped,
            capacities=self.capacities,
            first_remaining=self.day.first_remaining,
        )
        return explain_repair(rules, day)


def _unavailable(plan: RepairedPlan, chosen: int) -> PlanWarning:
    """The warning of a repair whose chosen alternative does not exist: the plan is the
    best one instead (or none, when the repair failed)."""
    if plan.options:
        found = f"only {len(plan.options)} plan(s) differ in who is released"
    else:
        found = f"the repair is {plan.status}, so no alternatives were ranked"
    return PlanWarning(
        code="option_unavailable",
        message=f"Option {chosen} was chosen, but {found}; this is the best plan instead.",
    )


def _agreed_stage(pool: Pool) -> int:
    """The model stage every member of a pool was agreed for; 0 when they were not
    agreed, or agreed for different stages (the pool then starts unreleased)."""
    agreed = {member.agreed for member, _ in pool.members}
    if len(agreed) == 1:
        return agreed.pop()
    return 0


def _stages_of(size: int, index: dict[str, int], stage_of: dict[str, int]) -> IntArray:
    """A column of stage numbers by list position, from ids; 0 for ids not given."""
    column = np.zeros(size, dtype=np.int64)
    for pid, stage in stage_of.items():
        column[index[pid]] = stage
    return column


def _with(rosters: Rosters, change: Callable[[Roster], dict[str, BoolArray]]) -> Rosters:
    """The rosters with some columns replaced."""
    return dataclasses.replace(
        rosters,
        side_a=dataclasses.replace(rosters.side_a, **change(rosters.side_a)),  # type: ignore[arg-type]
        side_b=dataclasses.replace(rosters.side_b, **change(rosters.side_b)),  # type: ignore[arg-type]
    )


def _agreed_codes(agreed: IntArray, offset: int, stage_count: int) -> IntArray:
    """Agreed stages as the model numbers them: 0 for not agreed, the remaining stages
    from 1, and one past the last for an executed stage (which no model stage matches)."""
    remaining = stage_count - offset
    model_stage = np.where(agreed > offset, agreed - offset, remaining + 1)
    codes: IntArray = np.where(agreed > 0, model_stage, 0).astype(np.int64)
    return codes


def _executed_counts(rosters: Rosters, handed: dict[Side, IntArray]) -> Executed:
    """Counted people handed over, per side and status, categories read after the events."""
    outside = 0
    for category in rosters.terms.outside_parity:
        outside |= CATEGORY_BIT[category]
    counted: dict[tuple[Side, bool], int] = {}
    for roster in rosters:
        crossed = (handed[roster.side] > 0) & ((roster.categories & outside) == 0)
        for civilian in (False, True):
            counted[roster.side, civilian] = int((crossed & (roster.civilian == civilian)).sum())
    return Executed(counted)


def _recheck(request: RepairRequest, plan: RepairedPlan) -> None:
    """Re-check the repaired plan with the independent validation module."""
    violations, recomputed = recheck_repair(request, plan)
    if violations:
        raise PlanCheckError(
            f"repaired plan breaks {len(violations)} rule(s), first: {violations[0].rule}: "
            f"{violations[0].message}"
        )
    claimed = tuple(level.value for level in plan.levels)
    if recomputed != claimed:
        raise PlanCheckError(f"objective mismatch: plan says {claimed}, re-check says {recomputed}")


__all__ = ["RepairFrame", "repair", "repair_with_stats"]
