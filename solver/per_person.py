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
from solver.levels import Level, levels_for
from solver.schema import Category, Detainee, ExchangeRequest, Side

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
