"""The plan checker as it was first written: person by person, one rule at a time.

A test-only reference for `solver.validation`, which reads the lists into columns and
checks every rule with array arithmetic. This version is slow on large lists but hard
to get wrong; the tests hold the fast one to it, violation for violation (rule, side,
ids and message) and level for level, on random plans, valid and not.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from solver.categories import captivity_days, categories_of, reference_date_of
from solver.levels import levels_for
from solver.schema import (
    Category,
    ConflictRule,
    Detainee,
    ExchangeRequest,
    Objective,
    Plan,
    Side,
    Status,
)
from solver.wording import civilians as civilians_text
from solver.wording import people as people_text

SIDES: tuple[Side, Side] = (Side.A, Side.B)
STATUSES: tuple[Status, Status] = ("military", "civilian")

# The terms' own rules, plus the ways a plan can be malformed before any term applies.
ViolationRule = (
    ConflictRule
    | Literal[
        "releasable",
        "unknown_id",
        "duplicate_release",
        "stage_number",
        "released_mismatch",
        "reference_date",
    ]
)

# A message lists at most this many ids; `Violation.ids` always holds all of them.
_IDS_IN_MESSAGE = 10


@dataclass(frozen=True)
class Violation:
    """One broken rule: which rule, which side (None when both are involved), which ids.

    `rule` is a conflict rule name (`min_per_side`, `parity`, ...) or one of the
    structural checks: `releasable`, `unknown_id`, `duplicate_release`, `stage_number`,
    `released_mismatch`, `reference_date`. Messages carry registry ids and numbers only.
    """

    rule: ViolationRule
    side: Side | None
    ids: tuple[str, ...]
    message: str


@dataclass(frozen=True, slots=True)
class _Person:
    """A listed detainee with what every rule needs, computed once at the reference date."""

    side: Side
    id: str
    detainee: Detainee
    releasable: bool
    categories: frozenset[Category]
    captivity_days: int


@dataclass(frozen=True)
class _Reading:
    """The plan as the checks read it: who is released, and in which stage."""

    released: dict[Side, list[str]]  # known ids, first occurrence order, no repeats
    stage_of: dict[Side, dict[str, int]]  # known ids to their (first) stage number


def stage_count(request: ExchangeRequest) -> int:
    """Number of stages S; terms without stages mean one stage without capacity."""
    stages = request.terms.stages
    return 1 if stages is None else len(stages)


def _people_of(request: ExchangeRequest, on: date) -> dict[Side, dict[str, _Person]]:
    """Every listed person by side and id, with categories and captivity at `on`.

    Raises ValueError on a duplicate id: requests with one are rejected before solving,
    so meeting one here means the caller skipped input validation.
    """
    terms = request.terms
    people: dict[Side, dict[str, _Person]] = {}
    for side in SIDES:
        by_id: dict[str, _Person] = {}
        for detainee in request.side(side).detainees:
            if detainee.id in by_id:
                raise ValueError(f"{side.value}: duplicate id {detainee.id}")
            by_id[detainee.id] = _Person(
                side=side,
                id=detainee.id,
                detainee=detainee,
                releasable=detainee.releasable,
                categories=categories_of(detainee, on, terms.young_age_limit),
                captivity_days=captivity_days(detainee, on),
            )
        people[side] = by_id
    return people


def check_plan(request: ExchangeRequest, plan: Plan) -> list[Violation]:
    """Every broken rule of a plan; an empty list means the plan meets the terms.

    The plan's `status` is not looked at: call this on plans that release people
    (`optimal` or `feasible`). Raises ValueError on a request with duplicate ids.
    """
    return _violations(_Recheck.of(request, plan))


def objective_of(request: ExchangeRequest, plan: Plan) -> Objective:
    """Every level's value recomputed from the released people, one by one.

    Ids unknown to the request are ignored, and a released person without a stage adds
    nothing to the stage sums; `check_plan` reports both.
    """
    return _objective(_Recheck.of(request, plan))


def level_values(request: ExchangeRequest, plan: Plan) -> tuple[int, ...]:
    """The recomputed objective as one value per level, in lexicographic order."""
    return _values(request, objective_of(request, plan))


def recheck(request: ExchangeRequest, plan: Plan) -> tuple[list[Violation], tuple[int, ...]]:
    """`check_plan` and `level_values` together, reading the lists once (large requests)."""
    context = _Recheck.of(request, plan)
    return _violations(context), _values(request, _objective(context))


@dataclass(frozen=True)
class _Recheck:
    """Everything one re-check reads, computed once per (request, plan)."""

    request: ExchangeRequest
    plan: Plan
    people: dict[Side, dict[str, _Person]]
    reading: _Reading

    @classmethod
    def of(cls, request: ExchangeRequest, plan: Plan) -> _Recheck:
        people = _people_of(request, _reference_date(request, plan))
        return cls(request, plan, people, _read(request, plan, people))


def _violations(context: _Recheck) -> list[Violation]:
    request, people, reading = context.request, context.people, context.reading
    violations = _structure(request, context.plan, people)
    for check in (
        _releasable,
        _must_exclude,
        _must_include,
        _release_all,
        _outside_parity,
        _groups,
        _parity,
        _floor_and_cap,
        _capacity,
        _civilians_separately,
    ):
        violations.extend(check(request, people, reading))
    return violations


def _objective(context: _Recheck) -> Objective:
    people, reading = context.people, context.reading
    released = [people[side][pid] for side in SIDES for pid in reading.released[side]]
    priorities = list(dict.fromkeys(context.request.terms.priorities))

    def stage(person: _Person) -> int:
        return reading.stage_of[person.side].get(person.id, 0)

    stage_order = {
        c.value: sum(stage(p) for p in released if c in p.categories) for c in priorities
    }
    stage_order["all"] = sum(stage(p) for p in released)
    return Objective(
        priorities={c.value: sum(1 for p in released if c in p.categories) for c in priorities},
        released=len(released),
        captivity_days=sum(p.captivity_days for p in released),
        stage_order=stage_order,
    )


def _values(request: ExchangeRequest, objective: Objective) -> tuple[int, ...]:
    values: list[int] = []
    for level in levels_for(request.terms):
        if level.kind == "priority":
            assert level.category is not None
            values.append(objective.priorities[level.category.value])
        elif level.kind == "released":
            values.append(objective.released)
        elif level.kind == "captivity_days":
            values.append(objective.captivity_days)
        elif level.kind == "stage_order":
            assert level.category is not None
            values.append(objective.stage_order[level.category.value])
        else:
            values.append(objective.stage_order["all"])
    return tuple(values)


# --------------------------------------------------------------------------- reading


def _reference_date(request: ExchangeRequest, plan: Plan) -> date:
    # Terms without a date mean "today" as the solver saw it; the plan echoes that day,
    # so a solve that crosses midnight is still checked at the date it was solved for.
    if request.terms.reference_date is None:
        return plan.reference_date
    return reference_date_of(request.terms)


def _stage_lists(plan: Plan, side: Side) -> list[tuple[int, list[str]]]:
    return [(s.number, s.side_a if side is Side.A else s.side_b) for s in plan.stages]


def _released_list(plan: Plan, side: Side) -> list[str]:
    return plan.released.side_a if side is Side.A else plan.released.side_b


def _read(request: ExchangeRequest, plan: Plan, people: dict[Side, dict[str, _Person]]) -> _Reading:
    released: dict[Side, list[str]] = {}
    stage_of: dict[Side, dict[str, int]] = {}
    one_implicit_stage = not plan.stages and stage_count(request) == 1
    for side in SIDES:
        known = people[side]
        released[side] = [pid for pid in dict.fromkeys(_released_list(plan, side)) if pid in known]
        stages: dict[str, int] = {}
        if one_implicit_stage:
            stages = dict.fromkeys(released[side], 1)
        for number, ids in _stage_lists(plan, side):
            for pid in ids:
                if pid in known:
                    stages.setdefault(pid, number)
        stage_of[side] = stages
    return _Reading(released=released, stage_of=stage_of)


def _structure(
    request: ExchangeRequest, plan: Plan, people: dict[Side, dict[str, _Person]]
) -> list[Violation]:
    """The plan's own consistency: known ids, each released once, valid stage numbers."""
    found: list[Violation] = []
    terms = request.terms
    if terms.reference_date is not None and plan.reference_date != terms.reference_date:
        found.append(
            Violation(
                "reference_date",
                None,
                (),
                f"the plan is dated {plan.reference_date.isoformat()}, "
                f"the terms {terms.reference_date.isoformat()}",
            )
        )
    count = stage_count(request)
    numbers = Counter(stage.number for stage in plan.stages)
    for number in sorted(numbers):
        if not 1 <= number <= count:
            found.append(
                Violation(
                    "stage_number",
                    None,
                    (),
                    f"stage {number} is outside 1..{count}",
                )
            )
        if numbers[number] > 1:
            found.append(
                Violation(
                    "stage_number",
                    None,
                    (),
                    f"stage {number} appears {numbers[number]} times",
                )
            )
    for side in SIDES:
        listed = _released_list(plan, side)
        staged = [pid for _, ids in _stage_lists(plan, side) for pid in ids]
        if not plan.stages and count == 1:
            staged = list(listed)
        unknown = _ordered({*listed, *staged} - people[side].keys(), listed + staged)
        if unknown:
            found.append(
                Violation(
                    "unknown_id",
                    side,
                    unknown,
                    f"{side.value} releases {_ids_text(unknown)}, not in its list",
                )
            )
        twice_listed = _repeated(listed)
        if twice_listed:
            found.append(
                Violation(
                    "duplicate_release",
                    side,
                    twice_listed,
                    f"{side.value} lists {_ids_text(twice_listed)} more than once as released",
                )
            )
        twice_staged = _repeated(staged) if plan.stages else ()
        if twice_staged:
            found.append(
                Violation(
                    "duplicate_release",
                    side,
                    twice_staged,
                    f"{side.value} places {_ids_text(twice_staged)} in more than one stage slot",
                )
            )
        only_listed = _ordered(set(listed) - set(staged), listed)
        only_staged = _ordered(set(staged) - set(listed), staged)
        if only_listed or only_staged:
            parts = []
            if only_listed:
                parts.append(f"released without a stage: {_ids_text(only_listed)}")
            if only_staged:
                parts.append(f"in a stage but not released: {_ids_text(only_staged)}")
            found.append(
                Violation(
                    "released_mismatch",
                    side,
                    only_listed + only_staged,
                    f"{side.value} " + "; ".join(parts),
                )
            )
    return found


# --------------------------------------------------------------------------- rules


def _releasable(
    request: ExchangeRequest, people: dict[Side, dict[str, _Person]], reading: _Reading
) -> list[Violation]:
    """Only eligible, consenting people may be released."""
    found: list[Violation] = []
    for side in SIDES:
        held = [people[side][pid] for pid in reading.released[side]]
        bad = [p for p in held if not p.releasable]
        if bad:
            reasons = ", ".join(
                f"{p.id} ({'ineligible' if not p.detainee.eligible else 'refuses repatriation'})"
                for p in bad[:_IDS_IN_MESSAGE]
            )
            more = len(bad) - _IDS_IN_MESSAGE
            found.append(
                Violation(
                    "releasable",
                    side,
                    tuple(p.id for p in bad),
                    f"{side.value} releases {people_text(len(bad))} who may not be released: "
                    f"{reasons}{f' and {more} more' if more > 0 else ''}",
                )
            )
    return found


def _must_exclude(
    request: ExchangeRequest, people: dict[Side, dict[str, _Person]], reading: _Reading
) -> list[Violation]:
    """People the sides agreed to hold back are not released."""
    found: list[Violation] = []
    for side in SIDES:
        excluded = set(request.terms.must_exclude.of(side))
        bad = tuple(pid for pid in reading.released[side] if pid in excluded)
        if bad:
            found.append(
                Violation(
                    "must_exclude",
                    side,
                    bad,
                    f"{side.value} releases {_ids_text(bad)}, named in must_exclude",
                )
            )
    return found


def _must_include(
    request: ExchangeRequest, people: dict[Side, dict[str, _Person]], reading: _Reading
) -> list[Violation]:
    """People the sides agreed on by name are released (even if not releasable: a conflict)."""
    found: list[Violation] = []
    for side in SIDES:
        released = set(reading.released[side])
        missing = tuple(
            dict.fromkeys(pid for pid in request.terms.must_include.of(side) if pid not in released)
        )
        if missing:
            found.append(
                Violation(
                    "must_include",
                    side,
                    missing,
                    f"{side.value} does not release {_ids_text(missing)}, named in must_include",
                )
            )
    return found


def _release_all(
    request: ExchangeRequest, people: dict[Side, dict[str, _Person]], reading: _Reading
) -> list[Violation]:
    """Every releasable member of a release_all category is released."""
    return _all_members_released("release_all", request.terms.release_all, people, reading)


def _outside_parity(
    request: ExchangeRequest, people: dict[Side, dict[str, _Person]], reading: _Reading
) -> list[Violation]:
    """Every releasable member of an outside_parity category is released (uncounted)."""
    return _all_members_released("outside_parity", request.terms.outside_parity, people, reading)


def _all_members_released(
    rule: Literal["release_all", "outside_parity"],
    categories: Sequence[Category],
    people: dict[Side, dict[str, _Person]],
    reading: _Reading,
) -> list[Violation]:
    found: list[Violation] = []
    wanted = set(categories)
    for side in SIDES:
        released = set(reading.released[side])
        missing = tuple(
            p.id
            for p in people[side].values()
            if p.releasable and p.categories & wanted and p.id not in released
        )
        if missing:
            names = ", ".join(sorted(c.value for c in wanted))
            found.append(
                Violation(
                    rule,
                    side,
                    missing,
                    f"{side.value} does not release {people_text(len(missing), 'releasable')} "
                    f"in {rule} categories ({names}): {_ids_text(missing)}",
                )
            )
    return found


def _groups(
    request: ExchangeRequest, people: dict[Side, dict[str, _Person]], reading: _Reading
) -> list[Violation]:
    """A group's releasable members go together, in one stage, or none of them goes."""
    found: list[Violation] = []
    for side in SIDES:
        members: dict[str, list[str]] = {}
        for p in people[side].values():
            if p.releasable and p.detainee.group is not None:
                members.setdefault(p.detainee.group, []).append(p.id)
        released = set(reading.released[side])
        stage_of = reading.stage_of[side]
        # Group labels may carry a family name, so messages name the group by its ids.
        for ids in members.values():
            out = [pid for pid in ids if pid in released]
            if out and len(out) < len(ids):
                kept = tuple(pid for pid in ids if pid not in released)
                found.append(
                    Violation(
                        "group",
                        side,
                        tuple(ids),
                        f"{side.value} group of {_ids_text(tuple(ids))}: "
                        f"{_ids_text(tuple(out))} released but {_ids_text(kept)} not",
                    )
                )
                continue
            stages = sorted({stage_of[pid] for pid in out if pid in stage_of})
            if len(stages) > 1:
                found.append(
                    Violation(
                        "group",
                        side,
                        tuple(ids),
                        f"{side.value} group of {_ids_text(tuple(ids))} is split over "
                        f"stages {', '.join(map(str, stages))}",
                    )
                )
    return found


def _parity(
    request: ExchangeRequest, people: dict[Side, dict[str, _Person]], reading: _Reading
) -> list[Violation]:
    """In every stage both sides release equally many counted people (per status if asked)."""
    found: list[Violation] = []
    outside = set(request.terms.outside_parity)
    per_status = request.terms.parity == "per_status"
    for number in range(1, stage_count(request) + 1):
        counted = {
            side: [
                people[side][pid]
                for pid, s in reading.stage_of[side].items()
                if s == number and not people[side][pid].categories & outside
            ]
            for side in SIDES
        }
        kinds: Iterable[Status | None] = STATUSES if per_status else (None,)
        for status in kinds:
            a, b = (
                [p.id for p in counted[side] if status is None or p.detainee.status == status]
                for side in SIDES
            )
            if len(a) != len(b):
                what = "counted" if status is None else f"counted {status}"
                found.append(
                    Violation(
                        "parity",
                        None,
                        tuple(a + b),
                        f"stage {number}: side_a releases {people_text(len(a), what)}, "
                        f"side_b {len(b)}; parity needs equal numbers",
                    )
                )
    return found


def _floor_and_cap(
    request: ExchangeRequest, people: dict[Side, dict[str, _Person]], reading: _Reading
) -> list[Violation]:
    """Each side releases between min_per_side and max_per_side counted people."""
    found: list[Violation] = []
    terms = request.terms
    outside = set(terms.outside_parity)
    for side in SIDES:
        counted = sum(
            1 for pid in reading.released[side] if not people[side][pid].categories & outside
        )
        if counted < terms.min_per_side:
            found.append(
                Violation(
                    "min_per_side",
                    side,
                    (),
                    f"{side.value} releases {people_text(counted, 'counted')}; "
                    f"min_per_side is {terms.min_per_side}",
                )
            )
        if terms.max_per_side is not None and counted > terms.max_per_side:
            found.append(
                Violation(
                    "max_per_side",
                    side,
                    (),
                    f"{side.value} releases {people_text(counted, 'counted')}; "
                    f"max_per_side is {terms.max_per_side}",
                )
            )
    return found


def _capacity(
    request: ExchangeRequest, people: dict[Side, dict[str, _Person]], reading: _Reading
) -> list[Violation]:
    """In each stage a side releases at most that stage's capacity, counted or not."""
    found: list[Violation] = []
    capacities = request.terms.stages
    if capacities is None:
        return found
    for side in SIDES:
        per_stage = Counter(reading.stage_of[side].values())
        for number, capacity in enumerate(capacities, start=1):
            if per_stage[number] > capacity:
                ids = tuple(pid for pid, s in reading.stage_of[side].items() if s == number)
                found.append(
                    Violation(
                        "stages",
                        side,
                        ids,
                        f"stage {number}: {side.value} releases {people_text(per_stage[number])}; "
                        f"its capacity is {capacity}",
                    )
                )
    return found


def _civilians_separately(
    request: ExchangeRequest, people: dict[Side, dict[str, _Person]], reading: _Reading
) -> list[Violation]:
    """With civilians_separately, no stage mixes civilians and military (either side)."""
    found: list[Violation] = []
    if not request.terms.civilians_separately:
        return found
    for number in range(1, stage_count(request) + 1):
        in_stage = [
            people[side][pid]
            for side in SIDES
            for pid, s in reading.stage_of[side].items()
            if s == number
        ]
        civilians = [p for p in in_stage if p.detainee.status == "civilian"]
        if civilians and len(civilians) < len(in_stage):
            found.append(
                Violation(
                    "civilians_separately",
                    None,
                    tuple(p.id for p in in_stage),
                    f"stage {number} mixes {civilians_text(len(civilians))} with "
                    f"{people_text(len(in_stage) - len(civilians), 'military')}",
                )
            )
    return found


# --------------------------------------------------------------------------- text


def _ordered(ids: set[str], order: Sequence[str]) -> tuple[str, ...]:
    return tuple(pid for pid in dict.fromkeys(order) if pid in ids)


def _repeated(ids: Sequence[str]) -> tuple[str, ...]:
    counts = Counter(ids)
    return tuple(pid for pid in dict.fromkeys(ids) if counts[pid] > 1)


def _ids_text(ids: Sequence[str]) -> str:
    shown = ", ".join(ids[:_IDS_IN_MESSAGE])
    more = len(ids) - _IDS_IN_MESSAGE
    return f"{shown} and {more} more" if more > 0 else shown
