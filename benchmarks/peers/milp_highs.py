"""Peer: a per-person MILP solved by HiGHS, one lexicographic level at a time.

One binary per person and stage, every rule written person by person as the agreement
states it, the same model a practitioner would write first. The levels are solved in
order; each level's optimum is then fixed as an equality row before the next one, and
the last plan seeds the next search. Every objective is an integer sum, so levels are
solved with a zero relative gap and their values are read from the rounded solution,
never from the floating-point objective.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import highspy
import numpy as np
import numpy.typing as npt

from benchmarks.peers.outcome import PeerOutcome, PeerStatus, StageOf, checked
from solver.categories import captivity_days, categories_of, reference_date_of
from solver.levels import Level, levels_for
from solver.schema import Category, ExchangeRequest, Side, Status

SIDES: tuple[Side, Side] = (Side.A, Side.B)
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class _Person:
    side: Side
    pid: str
    status: Status
    categories: frozenset[Category]
    days: int
    releasable: bool
    group: str | None


@dataclass
class _Rows:
    """Constraint rows gathered in Python and handed to HiGHS in one call."""

    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    indices: list[int] = field(default_factory=list)
    values: list[float] = field(default_factory=list)

    def add(self, lower: float, upper: float, terms: list[tuple[int, float]]) -> None:
        self.lower.append(lower)
        self.upper.append(upper)
        self.starts.append(len(self.indices))
        for column, coefficient in terms:
            self.indices.append(column)
            self.values.append(coefficient)

    def pass_to(self, highs: highspy.Highs) -> None:
        if not self.lower:
            return
        highs.addRows(
            len(self.lower),
            np.array(self.lower, dtype=np.float64),
            np.array(self.upper, dtype=np.float64),
            len(self.indices),
            np.array(self.starts, dtype=np.int32),
            np.array(self.indices, dtype=np.int32),
            np.array(self.values, dtype=np.float64),
        )


class _Model:
    """Columns x[person, stage] (binary), then one civilian flag per stage if needed."""

    def __init__(self, request: ExchangeRequest) -> None:
        terms = request.terms
        on = reference_date_of(terms)
        self.people = [
            _Person(
                side=side,
                pid=d.id,
                status=d.status,
                categories=categories_of(d, on, terms.young_age_limit),
                days=captivity_days(d, on),
                releasable=d.releasable,
                group=d.group,
            )
            for side in SIDES
            for d in request.side(side).detainees
        ]
        self.stage_count = 1 if terms.stages is None else len(terms.stages)
        self.person_columns = len(self.people) * self.stage_count
        self.flag_columns = self.stage_count if terms.civilians_separately else 0

    def x(self, person: int, stage: int) -> int:
        """The column of "person goes in stage" (stages numbered from 1)."""
        return person * self.stage_count + stage - 1

    def stage_flag(self, stage: int) -> int:
        """The column of "stage `stage` is a civilian stage"."""
        return self.person_columns + stage - 1

    @property
    def columns(self) -> int:
        return self.person_columns + self.flag_columns


def solve_milp(request: ExchangeRequest, time_limit_s: float) -> PeerOutcome:
    """Solve the request level by level on the per-person MILP within `time_limit_s`."""
    started = time.perf_counter()
    deadline = time.monotonic() + time_limit_s
    model = _Model(request)
    with _quiet_stdout():
        # The constructor prints a banner from C++ before any option can stop it.
        highs = highspy.Highs()  # type: ignore[no-untyped-call]  # unannotated __init__
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("mip_rel_gap", 0.0)
    highs.setOptionValue("random_seed", request.options.seed)
    highs.setOptionValue("threads", 1)
    if not _build(highs, model, request):
        return PeerOutcome("milp_highs", "infeasible", seconds=time.perf_counter() - started)
    build_seconds = time.perf_counter() - started

    levels = levels_for(request.terms)
    status: PeerStatus = "optimal"
    solution: IntArray | None = None
    level_seconds: list[float] = []
    for level in levels:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            status = "feasible" if solution is not None else "timeout"
            break
        level_started = time.perf_counter()
        costs = _costs(model, level)
        highs.changeColsCost(
            model.columns,
            np.arange(model.columns, dtype=np.int32),
            costs.astype(np.float64),
        )
        highs.changeObjectiveSense(
            highspy.ObjSense.kMaximize if level.sense == "max" else highspy.ObjSense.kMinimize
        )
        highs.setOptionValue("time_limit", max(remaining, 0.01))
        if solution is not None:
            # The last plan still meets every row, the new fixed level included: start there.
            highs.setSolution(
                model.columns,
                np.arange(model.columns, dtype=np.int32),
                solution.astype(np.float64),
            )
        highs.run()
        outcome = highs.getModelStatus()
        level_seconds.append(time.perf_counter() - level_started)
        if outcome == highspy.HighsModelStatus.kInfeasible:
            if solution is None:
                return PeerOutcome(
                    "milp_highs",
                    "infeasible",
                    seconds=time.perf_counter() - started,
                    build_seconds=build_seconds,
                    level_seconds=tuple(level_seconds),
                )
            raise RuntimeError(f"level {level.name} infeasible with the levels above fixed")
        has_plan = highs.getInfo().primal_solution_status == 2  # kSolutionStatusFeasible
        if has_plan:
            solution = np.rint(np.asarray(highs.getSolution().col_value)).astype(np.int64)
        if outcome != highspy.HighsModelStatus.kOptimal:
            status = "feasible" if solution is not None else "timeout"
            break
        assert solution is not None
        # Hold this level at its optimum, read exactly from the rounded plan.
        value = int(costs @ solution)
        rows = _Rows()
        nonzero = np.flatnonzero(costs)
        rows.add(value, value, list(zip(nonzero.tolist(), costs[nonzero].tolist(), strict=True)))
        rows.pass_to(highs)

    seconds = time.perf_counter() - started
    if solution is None:
        return PeerOutcome(
            "milp_highs",
            status,
            seconds=seconds,
            build_seconds=build_seconds,
            level_seconds=tuple(level_seconds),
        )
    values, violations = checked(request, _stage_of(model, solution))
    return PeerOutcome(
        "milp_highs",
        status,
        levels=values,
        seconds=seconds,
        build_seconds=build_seconds,
        level_seconds=tuple(level_seconds),
        violations=violations,
    )


def _build(highs: highspy.Highs, model: _Model, request: ExchangeRequest) -> bool:
    """Add the columns and every rule's rows; False when the terms name an unknown id."""
    terms = request.terms
    people = model.people
    stages = range(1, model.stage_count + 1)
    excluded = {(side, pid) for side in SIDES for pid in terms.must_exclude.of(side)}
    included = {(side, pid) for side in SIDES for pid in terms.must_include.of(side)}
    listed = {(p.side, p.pid) for p in people}
    if included - listed:
        return False  # must_include names someone who is not on the list
    release_all = set(terms.release_all)
    outside = set(terms.outside_parity)

    # Only releasable people who are not excluded may be released: others are fixed at 0.
    upper = np.zeros(model.columns, dtype=np.float64)
    for i, p in enumerate(people):
        if p.releasable and (p.side, p.pid) not in excluded:
            upper[model.x(i, 1) : model.x(i, model.stage_count) + 1] = 1.0
    upper[model.person_columns :] = 1.0
    highs.addVars(model.columns, np.zeros(model.columns, dtype=np.float64), upper)
    highs.changeColsIntegrality(
        model.columns,
        np.arange(model.columns, dtype=np.int32),
        np.full(model.columns, highspy.HighsVarType.kInteger.value, dtype=np.uint8),
    )
    rows = _Rows()

    # Each person goes in at most one stage; must_include, release_all and outside_parity
    # members (releasable ones for the latter two) go in exactly one.
    for i, p in enumerate(people):
        required = (p.side, p.pid) in included or (
            p.releasable and bool(p.categories & (release_all | outside))
        )
        if required or (p.releasable and (p.side, p.pid) not in excluded):
            rows.add(1.0 if required else 0.0, 1.0, [(model.x(i, s), 1.0) for s in stages])

    # Groups: a side's releasable members of one group go in the same stage, or none does.
    first_of: dict[tuple[Side, str], int] = {}
    for i, p in enumerate(people):
        if p.group is None or not p.releasable:
            continue
        first = first_of.setdefault((p.side, p.group), i)
        if first != i:
            for s in stages:
                rows.add(0.0, 0.0, [(model.x(i, s), 1.0), (model.x(first, s), -1.0)])

    def counted(p: _Person) -> bool:
        return not p.categories & outside

    # Parity in every stage: counted releases equal on both sides (per status if asked).
    per_status = terms.parity == "per_status"
    kinds: list[Status | None] = ["military", "civilian"] if per_status else [None]
    for s in stages:
        for kind in kinds:
            rows.add(
                0.0,
                0.0,
                [
                    (model.x(i, s), 1.0 if p.side is Side.A else -1.0)
                    for i, p in enumerate(people)
                    if counted(p) and (kind is None or p.status == kind)
                ],
            )

    # Floor and cap: counted releases per side within [min_per_side, max_per_side].
    cap = highspy.kHighsInf if terms.max_per_side is None else float(terms.max_per_side)
    for side in SIDES:
        rows.add(
            float(terms.min_per_side),
            cap,
            [
                (model.x(i, s), 1.0)
                for i, p in enumerate(people)
                if p.side is side and counted(p)
                for s in stages
            ],
        )

    # Capacity: in each stage a side releases at most its capacity, counted or not.
    if terms.stages is not None:
        for side in SIDES:
            for s, capacity in zip(stages, terms.stages, strict=True):
                rows.add(
                    0.0,
                    float(capacity),
                    [(model.x(i, s), 1.0) for i, p in enumerate(people) if p.side is side],
                )

    # civilians_separately: a civilian in a stage makes it civilian, a military person
    # makes it military.
    if terms.civilians_separately:
        for i, p in enumerate(people):
            civilian = p.status == "civilian"
            for s in stages:
                flag = (model.stage_flag(s), -1.0 if civilian else 1.0)
                rows.add(-highspy.kHighsInf, 0.0 if civilian else 1.0, [(model.x(i, s), 1.0), flag])
    rows.pass_to(highs)
    return True


def _costs(model: _Model, level: Level) -> IntArray:
    """The level's objective coefficient on every column (zero on the stage flags)."""
    people = model.people
    if level.kind in ("priority", "stage_order"):
        members = (level.category in p.categories for p in people)
        weight = np.fromiter(members, np.int64, len(people))
    elif level.kind == "captivity_days":
        weight = np.fromiter((p.days for p in people), np.int64, len(people))
    else:
        weight = np.ones(len(people), dtype=np.int64)
    per_stage = np.ones(model.stage_count, dtype=np.int64)
    if level.kind in ("stage_order", "stage_order_all"):
        per_stage = np.arange(1, model.stage_count + 1, dtype=np.int64)
    costs = np.zeros(model.columns, dtype=np.int64)
    costs[: model.person_columns] = np.outer(weight, per_stage).ravel()
    return costs


@contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Silence the process's standard output, C++ writes included."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _stage_of(model: _Model, solution: IntArray) -> StageOf:
    chosen = solution[: model.person_columns].reshape(len(model.people), model.stage_count)
    return {
        (p.side, p.pid): int(np.argmax(chosen[i])) + 1
        for i, p in enumerate(model.people)
        if chosen[i].any()
    }
