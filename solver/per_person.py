"""The slow, obvious twin of the planner: one yes/no per person per stage.

Every rule is written down the way the agreement states it, person by person, with no
aggregation and no shortcuts, and the levels are optimised one after another. It is
far too slow for real lists; its job is to be easy to believe, so the fast model can be
tested against it and benchmarked beside it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

from ortools.sat.python import cp_model

from solver.categories import captivity_days, categories_of, reference_date_of
from solver.levels import Level, levels_for, repair_levels_for
from solver.schema import (
    AddDetainee,
    Category,
    Detainee,
    Dropout,
    ExchangeRequest,
    RepairRequest,
    Side,
    SideList,
    StageExecuted,
)

ReferenceStatus = Literal["optimal", "feasible", "infeasible", "timeout"]
SIDES: tuple[Side, Side] = (Side.A, Side.B)

BoolVar = cp_model.IntVar
LinearExpr = cp_model.LinearExprT


@dataclass(frozen=True)
class ReferenceResult:
    """What the reference model found.

    `levels` holds one value per level in `levels_for` order: proven optimal when the
    status is `optimal`, those of the best plan found when it is `feasible`, and empty when
    there is no plan (`infeasible`, `timeout`). `stage_of` maps each released person,
    as (side, id), to their stage number.
    """

    status: ReferenceStatus
    levels: tuple[int, ...]
    stage_of: dict[tuple[Side, str], int]


@dataclass(frozen=True)
class _Person:
    side: Side
    detainee: Detainee
    categories: frozenset[Category]
    captivity_days: int

    @property
    def key(self) -> tuple[Side, str]:
        return (self.side, self.detainee.id)


class _Releases:
    """The decision variables: whether a person is released, and in which stage."""

    def __init__(self, model: cp_model.CpModel, people: list[_Person], stages: range) -> None:
        self.stages = stages
        self._in_stage: dict[tuple[Side, str, int], BoolVar] = {}
        self._released: dict[tuple[Side, str], BoolVar] = {}
        for person in people:
            side, pid = person.key
            for s in stages:
                self._in_stage[side, pid, s] = model.new_bool_var(f"{side.value}:{pid}@{s}")
            released = model.new_bool_var(f"{side.value}:{pid}:released")
            # A person is released in at most one stage, and released exactly when in one.
            model.add(sum(self._in_stage[side, pid, s] for s in stages) == released)
            self._released[person.key] = released

    def in_stage(self, person: _Person, stage: int) -> BoolVar:
        side, pid = person.key
        return self._in_stage[side, pid, stage]

    def released(self, person: _Person) -> BoolVar:
        return self._released[person.key]


def solve_per_person(request: ExchangeRequest, time_limit_s: float = 60.0) -> ReferenceResult:
    """Solve the request level by level on the per-person model.

    Each level is optimised with every level above it fixed at its proven optimum. The
    search stops at the first level not proven within `time_limit_s` (shared by all
    levels). Uses `options.workers` and `options.seed`; with one worker the run is
    deterministic. Raises ValueError on a request with duplicate ids.
    """
    terms = request.terms
    people = _people(request)
    stages = range(1, (1 if terms.stages is None else len(terms.stages)) + 1)

    model = cp_model.CpModel()
    releases = _Releases(model, people, stages)
    _add_rules(model, request, people, releases)

    levels = levels_for(terms)
    objectives = [_level_expression(level, people, releases) for level in levels]

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = request.options.workers
    solver.parameters.random_seed = request.options.seed
    deadline = time.monotonic() + time_limit_s
    best: ReferenceResult | None = None
    for level, objective in zip(levels, objectives, strict=True):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return best if best is not None else ReferenceResult("timeout", (), {})
        solver.parameters.max_time_in_seconds = remaining
        if level.sense == "max":
            model.maximize(objective)
        else:
            model.minimize(objective)
        status = solver.solve(model)
        if status == cp_model.INFEASIBLE:
            if best is None:
                return ReferenceResult("infeasible", (), {})
            raise RuntimeError(f"level {level.name} infeasible with the levels above fixed")
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            if status == cp_model.UNKNOWN:
                return best if best is not None else ReferenceResult("timeout", (), {})
            raise RuntimeError(f"CP-SAT returned {solver.status_name(status)}")
        best = _result_of(solver, "feasible", people, releases, objectives)
        if status != cp_model.OPTIMAL:
            return best
        # Hold this level at its optimum for every level below it.
        model.add(objective == solver.value(objective))
        _hint(model, solver, people, releases)
    assert best is not None  # levels_for always yields levels
    return ReferenceResult("optimal", best.levels, best.stage_of)


def _people(request: ExchangeRequest) -> list[_Person]:
    on = reference_date_of(request.terms)
    people: list[_Person] = []
    for side in SIDES:
        seen: set[str] = set()
        for detainee in request.side(side).detainees:
            if detainee.id in seen:
                raise ValueError(f"{side.value}: duplicate id {detainee.id}")
            seen.add(detainee.id)
            people.append(
                _Person(
                    side=side,
                    detainee=detainee,
                    categories=categories_of(detainee, on, request.terms.young_age_limit),
                    captivity_days=captivity_days(detainee, on),
                )
            )
    return people


def _add_rules(
    model: cp_model.CpModel,
    request: ExchangeRequest,
    people: list[_Person],
    releases: _Releases,
) -> None:
    """Every rule of a feasible plan, one block each, person by person."""
    terms = request.terms
    stages = releases.stages
    outside = set(terms.outside_parity)

    def counted(person: _Person) -> bool:
        return not person.categories & outside

    # Only eligible people who consent are released.
    for person in people:
        if not person.detainee.releasable:
            model.add(releases.released(person) == 0)

    # must_exclude: the people named are not released.
    for side in SIDES:
        excluded = set(terms.must_exclude.of(side))
        for person in people:
            if person.side is side and person.detainee.id in excluded:
                model.add(releases.released(person) == 0)

    # must_include: the people named are released; a name not on the list cannot be.
    for side in SIDES:
        by_id = {p.detainee.id: p for p in people if p.side is side}
        for pid in terms.must_include.of(side):
            if pid in by_id:
                model.add(releases.released(by_id[pid]) == 1)
            else:
                model.add_bool_or([])

    # release_all: every releasable member of these categories is released.
    for person in people:
        if person.detainee.releasable and person.categories & set(terms.release_all):
            model.add(releases.released(person) == 1)

    # outside_parity: every releasable member of these categories is released.
    for person in people:
        if person.detainee.releasable and person.categories & outside:
            model.add(releases.released(person) == 1)

    # Groups: a side's releasable members of one group share the same stage, or none goes.
    for side in SIDES:
        groups: dict[str, list[_Person]] = {}
        for person in people:
            group = person.detainee.group
            if person.side is side and person.detainee.releasable and group is not None:
                groups.setdefault(group, []).append(person)
        for members in groups.values():
            first, *others = members
            for other in others:
                for s in stages:
                    model.add(releases.in_stage(other, s) == releases.in_stage(first, s))

    # Parity in every stage: equal counted releases on both sides (per status if asked).
    kinds: list[str | None] = ["military", "civilian"] if terms.parity == "per_status" else [None]
    for s in stages:
        for status in kinds:
            in_parity = [
                p for p in people if counted(p) and (status is None or p.detainee.status == status)
            ]
            model.add(
                sum(releases.in_stage(p, s) for p in in_parity if p.side is Side.A)
                == sum(releases.in_stage(p, s) for p in in_parity if p.side is Side.B)
            )

    # Floor and cap: counted releases per side within [min_per_side, max_per_side].
    for side in SIDES:
        side_counted = sum(releases.released(p) for p in people if p.side is side and counted(p))
        model.add(side_counted >= terms.min_per_side)
        if terms.max_per_side is not None:
            model.add(side_counted <= terms.max_per_side)

    # Capacity: each side releases at most the stage's capacity in it, counted or not.
    if terms.stages is not None:
        for side in SIDES:
            for s, capacity in zip(stages, terms.stages, strict=True):
                model.add(
                    sum(releases.in_stage(p, s) for p in people if p.side is side) <= capacity
                )

    # civilians_separately: each stage is either a civilian stage or a military one.
    if terms.civilians_separately:
        for s in stages:
            civilian_stage = model.new_bool_var(f"stage{s}:civilian")
            for person in people:
                if person.detainee.status == "civilian":
                    model.add_implication(releases.in_stage(person, s), civilian_stage)
                else:
                    model.add_implication(releases.in_stage(person, s), ~civilian_stage)


def _level_expression(level: Level, people: list[_Person], releases: _Releases) -> LinearExpr:
    """The quantity a level optimises, summed person by person."""
    if level.kind == "priority":
        return sum(releases.released(p) for p in people if level.category in p.categories)
    if level.kind == "released":
        return sum(releases.released(p) for p in people)
    if level.kind == "captivity_days":
        return sum(p.captivity_days * releases.released(p) for p in people)
    members = [
        p for p in people if level.kind == "stage_order_all" or level.category in p.categories
    ]
    return sum(s * releases.in_stage(p, s) for p in members for s in releases.stages)


def _result_of(
    solver: cp_model.CpSolver,
    status: ReferenceStatus,
    people: list[_Person],
    releases: _Releases,
    objectives: list[LinearExpr],
) -> ReferenceResult:
    stage_of = {
        p.key: s for p in people for s in releases.stages if solver.value(releases.in_stage(p, s))
    }
    levels = tuple(int(solver.value(objective)) for objective in objectives)
    return ReferenceResult(status, levels, stage_of)


def _hint(
    model: cp_model.CpModel,
    solver: cp_model.CpSolver,
    people: list[_Person],
    releases: _Releases,
) -> None:
    # The last solution stays feasible under the new level constraint: start from it.
    model.clear_hints()  # type: ignore[no-untyped-call]  # unannotated in ortools
    for person in people:
        for s in releases.stages:
            var = releases.in_stage(person, s)
            model.add_hint(var, solver.boolean_value(var))


# --------------------------------------------------------------------------- repair


@dataclass(frozen=True)
class DayFacts:
    """A repair's events, applied the obvious way: the lists after them, who crossed in
    which stage, who dropped out, who was agreed for which stage."""

    request: ExchangeRequest
    handed: dict[tuple[Side, str], int]
    dropped: set[tuple[Side, str]]
    agreed: dict[tuple[Side, str], int]
    executed: list[int]


def day_facts(request: RepairRequest) -> DayFacts:
    agreed: dict[tuple[Side, str], int] = {}
    for stage in request.plan.stages:
        for side in SIDES:
            agreed.update({(side, pid): stage.number for pid in stage.of(side)})
    if not request.plan.stages and request.plan.released is not None:
        for side in SIDES:
            agreed.update({(side, pid): 1 for pid in request.plan.released.of(side)})
    people = {side: {d.id: d for d in request.side(side).detainees} for side in SIDES}
    handed: dict[tuple[Side, str], int] = {}
    dropped: set[tuple[Side, str]] = set()
    executed: list[int] = []
    for event in request.events:
        if isinstance(event, Dropout):
            dropped.add((event.side, event.id))
        elif isinstance(event, StageExecuted):
            executed.append(event.number)
            for side in SIDES:
                given = event.handed_over.of(side) if event.handed_over is not None else None
                if given is None:
                    given = [
                        pid
                        for (s, pid), number in agreed.items()
                        if s is side
                        and number == event.number
                        and (side, pid) not in dropped
                        and (side, pid) not in handed
                    ]
                handed.update({(side, pid): event.number for pid in given})
        elif isinstance(event, AddDetainee):
            people[event.side][event.detainee.id] = event.detainee
        else:
            person = people[event.side][event.id]
            people[event.side][event.id] = person.model_copy(update=event.fields.given())
    after = ExchangeRequest(
        terms=request.terms,
        side_a=SideList(name=request.side_a.name, detainees=list(people[Side.A].values())),
        side_b=SideList(name=request.side_b.name, detainees=list(people[Side.B].values())),
        options=request.options,
    )
    return DayFacts(after, handed, dropped, agreed, executed)


def repair_per_person(request: RepairRequest, time_limit_s: float = 60.0) -> ReferenceResult:
    """Repair person by person: the levels of `repair_levels_for`, `changes` as the
    Hamming distance between each person's assignment and the agreed one, solved level
    by level with the agreed plan as the hint.

    Executed stages are fixed as handed over; every rule is stated as the repair reads
    it (per-stage rules on remaining stages, the first of them carrying the executed
    imbalance; dropouts unreleasable and their must_include lifted).
    """
    day = day_facts(request)
    terms = request.terms
    people = _people(day.request)
    stages = range(1, (1 if terms.stages is None else len(terms.stages)) + 1)
    model = cp_model.CpModel()
    releases = _Releases(model, people, stages)
    _add_repair_rules(model, day, people, releases)
    levels = repair_levels_for(terms, request.repair.policy)
    objectives = [
        _changes_expression(day, people, releases)
        if level.kind == "changes"
        else _level_expression(level, people, releases)
        for level in levels
    ]
    # The agreed plan, where it can still be kept, is where the search starts.
    for person in people:
        agreed = day.agreed.get(person.key, 0)
        for s in stages:
            model.add_hint(releases.in_stage(person, s), s == day.handed.get(person.key, agreed))
    return _solve_levels(model, request, people, releases, levels, objectives, time_limit_s)


def _solve_levels(
    model: cp_model.CpModel,
    request: ExchangeRequest,
    people: list[_Person],
    releases: _Releases,
    levels: list[Level],
    objectives: list[LinearExpr],
    time_limit_s: float,
) -> ReferenceResult:
    """Each level optimised with the levels above fixed, as `solve_per_person` does."""
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = request.options.workers
    solver.parameters.random_seed = request.options.seed
    deadline = time.monotonic() + time_limit_s
    best: ReferenceResult | None = None
    for level, objective in zip(levels, objectives, strict=True):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return best if best is not None else ReferenceResult("timeout", (), {})
        solver.parameters.max_time_in_seconds = remaining
        if level.sense == "max":
            model.maximize(objective)
        else:
            model.minimize(objective)
        status = solver.solve(model)
        if status == cp_model.INFEASIBLE:
            if best is None:
                return ReferenceResult("infeasible", (), {})
            raise RuntimeError(f"level {level.name} infeasible with the levels above fixed")
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return best if best is not None else ReferenceResult("timeout", (), {})
        best = _result_of(solver, "feasible", people, releases, objectives)
        if status != cp_model.OPTIMAL:
            return best
        model.add(objective == solver.value(objective))
        _hint(model, solver, people, releases)
    assert best is not None
    return ReferenceResult("optimal", best.levels, best.stage_of)


def _add_repair_rules(
    model: cp_model.CpModel, day: DayFacts, people: list[_Person], releases: _Releases
) -> None:
    """Every rule of a repaired plan, person by person."""
    terms = day.request.terms
    stages = releases.stages
    outside = set(terms.outside_parity)
    first = len(day.executed) + 1  # the first remaining stage
    remaining = [s for s in stages if s >= first]

    def counted(person: _Person) -> bool:
        return not person.categories & outside

    def free(person: _Person) -> bool:
        """Releasable in a remaining stage: not handed over, not dropped out, releasable."""
        key = person.key
        return key not in day.handed and key not in day.dropped and person.detainee.releasable

    # Executed stages are facts: who was handed over is in their stage, nobody else is.
    for person in people:
        handed = day.handed.get(person.key)
        for s in stages:
            if s < first:
                model.add(releases.in_stage(person, s) == int(s == handed))
        if handed is None and not free(person):
            model.add(releases.released(person) == 0)

    # must_exclude: the people named are not released (unless they crossed already).
    for side in SIDES:
        excluded = set(terms.must_exclude.of(side))
        for person in people:
            key = person.key
            if person.side is side and person.detainee.id in excluded and key not in day.handed:
                model.add(releases.released(person) == 0)

    # must_include: the people named are released, unless they dropped out.
    for side in SIDES:
        by_id = {p.detainee.id: p for p in people if p.side is side}
        for pid in terms.must_include.of(side):
            if (side, pid) not in day.dropped:
                model.add(releases.released(by_id[pid]) == 1)

    # release_all and outside_parity: every releasable member is released.
    obliged = set(terms.release_all) | outside
    for person in people:
        dropped = person.key in day.dropped
        if person.detainee.releasable and not dropped and person.categories & obliged:
            model.add(releases.released(person) == 1)

    # Groups: the members not handed over share a stage among themselves, or none goes.
    for side in SIDES:
        groups: dict[str, list[_Person]] = {}
        for person in people:
            group = person.detainee.group
            if person.side is side and group is not None and free(person):
                groups.setdefault(group, []).append(person)
        for members in groups.values():
            head, *others = members
            for other in others:
                for s in stages:
                    model.add(releases.in_stage(other, s) == releases.in_stage(head, s))

    # Parity: remaining stages balance, the first of them with the executed ones.
    kinds: list[str | None] = ["military", "civilian"] if terms.parity == "per_status" else [None]
    blocks = (
        [[*range(1, first), remaining[0]], *([s] for s in remaining[1:])]
        if remaining
        else [list(stages)]
    )
    for block in blocks:
        for status in kinds:
            in_parity = [
                p for p in people if counted(p) and (status is None or p.detainee.status == status)
            ]
            model.add(
                sum(releases.in_stage(p, s) for p in in_parity if p.side is Side.A for s in block)
                == sum(
                    releases.in_stage(p, s) for p in in_parity if p.side is Side.B for s in block
                )
            )

    # Floor and cap over the whole plan, the executed stages included.
    for side in SIDES:
        side_counted = sum(releases.released(p) for p in people if p.side is side and counted(p))
        model.add(side_counted >= terms.min_per_side)
        if terms.max_per_side is not None:
            model.add(side_counted <= terms.max_per_side)

    # Capacity and civilians separately: remaining stages only.
    if terms.stages is not None:
        for side in SIDES:
            for s in remaining:
                capacity = terms.stages[s - 1]
                model.add(
                    sum(releases.in_stage(p, s) for p in people if p.side is side) <= capacity
                )
    if terms.civilians_separately:
        for s in remaining:
            civilian_stage = model.new_bool_var(f"stage{s}:civilian")
            for person in people:
                if person.detainee.status == "civilian":
                    model.add_implication(releases.in_stage(person, s), civilian_stage)
                else:
                    model.add_implication(releases.in_stage(person, s), ~civilian_stage)


def _changes_expression(day: DayFacts, people: list[_Person], releases: _Releases) -> LinearExpr:
    """People, neither handed over nor dropped out, whose assignment differs from the
    agreed one (released in another stage, or released or not against the agreement)."""
    terms: list[LinearExpr] = []
    for person in people:
        key = person.key
        if key in day.handed or key in day.dropped:
            continue
        agreed = day.agreed.get(key, 0)
        if agreed == 0:
            terms.append(releases.released(person))
        else:
            terms.append(1 - releases.in_stage(person, agreed))
    return sum(terms)
