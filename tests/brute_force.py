"""Exhaustive search for tiny requests: the answer every solver must agree with.

Every way of giving each releasable person "not released" or a stage 1..S is built as a
plan, `check_plan` keeps the feasible ones, and the lexicographically best
`level_values` wins. Feasibility and value come only from `solver.validation`, so a
disagreement with a solver points at either the solver or the validation, and both are
worth knowing. Only releasable people are enumerated: releasing anyone else breaks the
first rule outright (tested on its own in test_validation).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from itertools import product

from solver.categories import reference_date_of
from solver.levels import levels_for, repair_levels_for
from solver.per_person import day_facts
from solver.schema import (
    ExchangeRequest,
    Plan,
    PlanStatus,
    Released,
    RepairedPlan,
    RepairedStage,
    RepairRequest,
    Side,
    Stage,
)
from solver.validation import check_plan, level_values, recheck_repair, stage_count

SIDES: tuple[Side, Side] = (Side.A, Side.B)

# (S + 1) ** people plans are checked; past this many the search is too slow for a test.
MAX_ASSIGNMENTS = 100_000


def plan_from_stages(
    request: ExchangeRequest,
    stage_of: Mapping[tuple[Side, str], int],
    status: PlanStatus = "optimal",
) -> Plan:
    """A plan releasing exactly the people in `stage_of`, in list order within each stage."""
    count = stage_count(request)
    released = {
        side: [d.id for d in request.side(side).detainees if (side, d.id) in stage_of]
        for side in SIDES
    }
    stages = [
        Stage(
            number=s,
            side_a=[pid for pid in released[Side.A] if stage_of[Side.A, pid] == s],
            side_b=[pid for pid in released[Side.B] if stage_of[Side.B, pid] == s],
        )
        for s in range(1, count + 1)
    ]
    return Plan(
        status=status,
        reference_date=reference_date_of(request.terms),
        released=Released(side_a=released[Side.A], side_b=released[Side.B]),
        stages=stages,
    )


def enumerable(request: ExchangeRequest) -> bool:
    """Small enough for `brute_force`: at most MAX_ASSIGNMENTS plans to check."""
    releasable = sum(d.releasable for side in SIDES for d in request.side(side).detainees)
    return bool((stage_count(request) + 1) ** releasable <= MAX_ASSIGNMENTS)


def brute_force(request: ExchangeRequest) -> tuple[int, ...] | None:
    """The optimal level values (in `levels_for` order), or None when no plan is feasible.

    Raises ValueError when the request is not `enumerable`.
    """
    count = stage_count(request)
    people = [(side, d.id) for side in SIDES for d in request.side(side).detainees if d.releasable]
    if not enumerable(request):
        raise ValueError(f"{len(people)} releasable people over {count} stages: too many plans")
    senses = [level.sense for level in levels_for(request.terms)]

    best_key: tuple[int, ...] | None = None
    best: tuple[int, ...] | None = None
    for choice in product(range(count + 1), repeat=len(people)):
        # 0 means "not released"; 1..S is the stage.
        stage_of = {person: s for person, s in zip(people, choice, strict=True) if s > 0}
        plan = plan_from_stages(request, stage_of)
        if check_plan(request, plan):
            continue
        values = level_values(request, plan)
        # Larger key is better at every level: negate the levels that are minimised.
        key = tuple(v if sense == "max" else -v for v, sense in zip(values, senses, strict=True))
        if best_key is None or key > best_key:
            best_key, best = key, values
    return best


# --------------------------------------------------------------------------- repair


def repair_enumerable(request: RepairRequest) -> bool:
    """Small enough for `brute_force_repair`."""
    free, remaining = _repair_choices(request)
    return bool((len(remaining) + 1) ** len(free) <= MAX_ASSIGNMENTS)


def _repair_choices(request: RepairRequest) -> tuple[list[tuple[Side, str]], list[int]]:
    """Who can still be placed (releasable, neither handed over nor dropped out), and in
    which stages (those not executed)."""
    day = day_facts(request)
    first = len(day.executed) + 1
    remaining = list(range(first, stage_count(request) + 1))
    free = [
        (side, d.id)
        for side in SIDES
        for d in day.request.side(side).detainees
        if d.releasable and (side, d.id) not in day.handed and (side, d.id) not in day.dropped
    ]
    return free, remaining


def repaired_plans(request: RepairRequest) -> Iterator[RepairedPlan]:
    """Every way of placing each free person in a remaining stage or nowhere, written as
    a repaired plan, executed stages as handed over (no changes or reasons stated)."""
    if not repair_enumerable(request):
        raise ValueError("too many repaired plans to enumerate")
    day = day_facts(request)
    free, remaining = _repair_choices(request)
    executed = set(day.executed)
    for choice in product([0, *remaining], repeat=len(free)):
        stage_of = dict(day.handed)
        stage_of.update({person: s for person, s in zip(free, choice, strict=True) if s > 0})
        plain = plan_from_stages(day.request, stage_of)
        yield RepairedPlan(
            status="optimal",
            reference_date=plain.reference_date,
            released=plain.released,
            stages=[
                RepairedStage(**stage.model_dump(), executed=stage.number in executed)
                for stage in plain.stages
            ],
        )


def brute_force_repair(request: RepairRequest) -> tuple[int, ...] | None:
    """The optimal level values of a repair (in `repair_levels_for` order), or None when
    no repaired plan is feasible.

    Every repaired plan (`repaired_plans`) goes through `recheck_repair`, which decides
    whether it meets the terms and what it is worth, `changes` included (the plans here
    state no changes and no reasons for not releasing: `claims=False`).
    """
    senses = [level.sense for level in repair_levels_for(request.terms, request.repair.policy)]
    best_key: tuple[int, ...] | None = None
    best: tuple[int, ...] | None = None
    for plan in repaired_plans(request):
        violations, values = recheck_repair(request, plan, claims=False)
        if violations:
            continue
        key = tuple(v if sense == "max" else -v for v, sense in zip(values, senses, strict=True))
        if best_key is None or key > best_key:
            best_key, best = key, values
    return best
