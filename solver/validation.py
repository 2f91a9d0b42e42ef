"""An independent re-check of a finished plan.

Nothing here knows how a plan was found: it reads only the request, the plan, the
categories and the list of levels. The planner runs every plan through `recheck`
before returning it, and the tests hold both solvers to it, so a plan that breaks a
rule is caught as a bug instead of being shipped as an answer.

Each side's list is read once into columns (one entry per listed person, in list
order); the plan's ids become list positions through one dictionary per side; every
rule is then a handful of array operations. Orders follow the plan and the lists:
released ids in the order the plan first names them, people of a stage in the order the
stage lists first name them, list members in list order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import chain, repeat
from operator import attrgetter, itemgetter
from typing import Any, Literal, cast

import numpy as np
from numpy.typing import NDArray

from solver.categories import reference_date_of
from solver.levels import Level, levels_for, repair_levels_for
from solver.schema import (
    AddDetainee,
    Category,
    ConflictRule,
    Detainee,
    DetaineeRecord,
    Dropout,
    DropoutReason,
    ExchangeRequest,
    Objective,
    Plan,
    RepairRequest,
    RequestRecord,
    Side,
    SideList,
    Stage,
    StageExecuted,
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
        "executed",
        "changes",
        "not_released",
    ]
)

# A message lists at most this many ids; `Violation.ids` always holds all of them.
_IDS_IN_MESSAGE = 10

_Ints = NDArray[np.int64]
_Flags = NDArray[np.bool_]
_Objects = NDArray[np.object_]
_Column = NDArray[Any]  # a field of every person: objects, or booleans for yes/no fields

# Categories as bits of one small integer per person.
_BIT: dict[Category, int] = {
    Category.SERIOUSLY_ILL: 1,
    Category.YOUNG: 2,
    Category.CIVILIAN: 4,
    Category.MILITARY: 8,
    Category.REQUESTED: 16,
}
_NO_STAGE = -1


@dataclass(frozen=True)
class Violation:
    """One broken rule: which rule, which side (None when both are involved), which ids.

    `rule` is a conflict rule name (`min_per_side`, `parity`, ...) or one of the
    structural checks: `releasable`, `unknown_id`, `duplicate_release`, `stage_number`,
    `released_mismatch`, `reference_date`; a repaired plan also `executed` (its executed
    stages are not as handed over), `changes` (its changes are not what it differs by)
    and `not_released` (someone left out is not listed there once, with the reason that
    applies). Messages carry registry ids and numbers only.
    """

    rule: ViolationRule
    side: Side | None
    ids: tuple[str, ...]
    message: str


def stage_count(request: RequestRecord) -> int:
    """Number of stages S; terms without stages mean one stage without capacity."""
    stages = request.terms.stages
    return 1 if stages is None else len(stages)


def check_plan(request: RequestRecord, plan: Plan) -> list[Violation]:
    """Every broken rule of a plan; an empty list means the plan meets the terms.

    The plan's `status` is not looked at: call this on plans that release people
    (`optimal` or `feasible`). Raises ValueError on a request with duplicate ids.
    """
    return _violations(_Recheck.of(request, plan))


def objective_of(request: RequestRecord, plan: Plan) -> Objective:
    """Every level's value recomputed from the released people.

    Ids unknown to the request are ignored, and a released person without a stage adds
    nothing to the stage sums; `check_plan` reports both.
    """
    return _objective(_Recheck.of(request, plan))


def level_values(request: RequestRecord, plan: Plan) -> tuple[int, ...]:
    """The recomputed objective as one value per level, in lexicographic order."""
    return _values(request, objective_of(request, plan))


def recheck(
    request: RequestRecord, plan: Plan, lists: ListsRead | None = None
) -> tuple[list[Violation], tuple[int, ...]]:
    """`check_plan` and `level_values` together, reading the lists once (large requests).

    `lists` are the request's lists read ahead by `read_lists` (while the solver
    searches, say); they are used when read at the date the plan is checked at.
    """
    context = _Recheck.of(request, plan, lists)
    return _violations(context), _values(request, _objective(context))


def recheck_repair(
    request: RepairRequest, plan: Plan, *, claims: bool = True
) -> tuple[list[Violation], tuple[int, ...]]:
    """Re-check a repaired plan: every rule with the exceptions of the day of the exchange,
    the executed stages exactly as handed over, and `changes` what the plan differs by.

    The events are applied here again, on their own terms (`_read_day`): nothing of the
    repair's own reading is trusted. The values come in `repair_levels_for` order, the
    changes recomputed. The request's events must apply (the repair checked them).
    `claims=False` (a mediator's draft) does not hold the plan to the changes and the
    reasons for not releasing that it states; a plan that states no `not_released` at
    all is not held to one.
    """
    lists, day = _read_day(request)
    context = _Recheck.of(lists, plan, day=day)
    violations = _violations(context)
    violations.extend(_executed(context))
    if claims and "not_released" in plan.model_fields_set:
        violations.extend(_not_released(context, lists, day.dropped))
    changes = _changes(context, violations if claims else [])
    objective = _objective(context)
    values = []
    for level in repair_levels_for(request.terms, request.repair.policy):
        values.append(changes if level.kind == "changes" else _value(objective, level))
    return violations, tuple(values)


@dataclass(frozen=True)
class ListsRead:
    """Both sides' lists as the re-check reads them, at one reference date."""

    on: date
    lists: dict[Side, _List]


def read_lists(
    request: RequestRecord, on: date, between: Callable[[], object] = lambda: None
) -> ListsRead:
    """Read the lists for a re-check at `on`: it needs no plan, so it can be done early.

    `between` is called between steps of a few milliseconds each: a reader running
    beside other work can wait there for its turn (see `solver.planner`).
    """
    needed = _categories_needed(request)
    return ListsRead(
        on,
        {
            side: _read_list(side, request.side(side).detainees, on, request, needed, between)
            for side in SIDES
        },
    )


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class _List:
    """One side's list as columns, one entry per listed person, in list order."""

    side: Side
    ids: list[str]
    position: dict[str, int]  # id -> list position
    eligible: _Flags
    releasable: _Flags
    civilian: _Flags
    categories: NDArray[np.uint8]  # the bits of _BIT
    captured_on: _Objects  # dates or None; captivity is counted for the released only
    group: _Ints  # a code per distinct group label, -1 without a group

    @property
    def size(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class _Written:
    """A list of ids as the plan writes it, coded, with what the checks ask of it."""

    codes: _Ints  # as written, repeats and all
    counts: _Ints  # how often each code appears (indexed by code)
    distinct: _Ints  # each code once, in the order of first appearance
    first: _Ints  # where each of `distinct` first appears in `codes`

    @classmethod
    def of(cls, codes: _Ints, space: int) -> _Written:
        counts = np.bincount(codes, minlength=space)
        if codes.size == 0 or int(counts.max()) <= 1:
            first = np.arange(codes.size, dtype=np.int64)
        else:
            _, first = np.unique(codes, return_index=True)
            first = np.sort(first).astype(np.int64)
        return cls(codes, counts, codes[first], first)

    def repeated(self) -> _Ints:
        """The codes written more than once, in the order of first appearance."""
        found: _Ints = self.distinct[self.counts[self.distinct] > 1]
        return found

    def not_in(self, other: _Written) -> _Ints:
        """The codes `other` does not hold, in the order of first appearance."""
        found: _Ints = self.distinct[other.counts[self.distinct] == 0]
        return found


@dataclass(frozen=True)
class _Released:
    """One side of the plan as list positions.

    Ids the list does not hold get codes from `size` on (`unknown`, in the order the
    plan first names them), so the structural checks see every id the plan writes.
    """

    listed: _Written  # the released list
    staged: _Written  # the stage lists, stage after stage
    unknown: list[str]
    released: _Ints  # known positions, each once, in the order first released
    in_stage: _Ints  # known positions with a stage, each once, in the order first staged
    stage_code: _Ints  # their stage, as an index into _Recheck.numbers
    is_released: _Flags  # per list position
    stage_of: _Ints  # per list position: index into _Recheck.numbers, or _NO_STAGE


@dataclass(frozen=True)
class _Recheck:
    """Everything one re-check reads, computed once per (request, plan)."""

    request: RequestRecord
    plan: Plan
    lists: dict[Side, _List]
    plan_sides: dict[Side, _Released]
    on: date  # the reference date
    numbers: list[int]  # every stage number the plan uses, ascending
    codes: dict[int, int]  # stage number -> its index in `numbers`
    day: _Day | None = None  # a repaired plan: what the events made of the day

    @classmethod
    def of(
        cls,
        request: RequestRecord,
        plan: Plan,
        read: ListsRead | None = None,
        day: _DayRead | None = None,
    ) -> _Recheck:
        on = _reference_date(request, plan)
        if read is None or read.on != on:
            read = read_lists(request, on)
        lists = read.lists
        implicit = not plan.stages and stage_count(request) == 1
        numbers = sorted({stage.number for stage in plan.stages} | ({1} if implicit else set()))
        code_of = {number: code for code, number in enumerate(numbers)}
        entry_codes = np.array([code_of[stage.number] for stage in plan.stages], dtype=np.int64)
        plan_sides = {
            side: _read_plan_side(plan, side, lists[side], entry_codes, implicit, code_of)
            for side in SIDES
        }
        at_positions = day.at(lists) if day is not None else None
        return cls(request, plan, lists, plan_sides, on, numbers, code_of, at_positions)

    def code_of(self, number: int) -> int | None:
        """Index of a stage number in `numbers`, None when the plan has no such stage."""
        return self.codes.get(number)

    def remaining(self, number: int) -> bool:
        """Whether per-stage rules apply to this stage: not executed (or not a repair)."""
        return self.day is None or number >= self.day.first_remaining

    def handed(self, side: Side) -> _Flags:
        """Who was handed over in an executed stage (nobody, outside a repair)."""
        if self.day is None:
            return np.zeros(self.lists[side].size, dtype=np.bool_)
        flags: _Flags = self.day.handed[side] > 0
        return flags

    def dropped(self, side: Side) -> _Flags:
        """Who dropped out (nobody, outside a repair): not releasable from then on."""
        if self.day is None:
            return np.zeros(self.lists[side].size, dtype=np.bool_)
        return self.day.dropped[side]


# --------------------------------------------------------------------------- the day


@dataclass(frozen=True)
class _DayRead:
    """A repair's events applied, by id: who crossed in which stage, who dropped out, who
    was agreed for which stage."""

    handed: dict[Side, dict[str, int]]
    dropped: dict[Side, dict[str, DropoutReason]]  # id -> the event's reason
    agreed: dict[Side, dict[str, int]]
    executed: dict[int, dict[Side, set[str]]]

    def at(self, lists: ListsRead | dict[Side, _List]) -> _Day:
        """The same facts by list position."""
        read = lists.lists if isinstance(lists, ListsRead) else lists
        return _Day(
            handed={side: _by_position(read[side], self.handed[side]) for side in SIDES},
            dropped={
                side: _by_position(read[side], dict.fromkeys(self.dropped[side], 1)) > 0
                for side in SIDES
            },
            agreed={side: _by_position(read[side], self.agreed[side]) for side in SIDES},
            executed=self.executed,
            first_remaining=len(self.executed) + 1,
        )


@dataclass(frozen=True)
class _Day:
    handed: dict[Side, _Ints]  # executed stage per list position, 0 for nobody
    dropped: dict[Side, _Flags]
    agreed: dict[Side, _Ints]  # agreed stage per list position, 0 when not agreed
    executed: dict[int, dict[Side, set[str]]]  # stage number -> side -> ids handed over
    first_remaining: int


def _by_position(people: _List, stage_of: dict[str, int]) -> _Ints:
    column = np.zeros(people.size, dtype=np.int64)
    for pid, stage in stage_of.items():
        column[people.position[pid]] = stage
    return column


def _read_day(request: RepairRequest) -> tuple[ExchangeRequest, _DayRead]:
    """The lists after the events, and the day's facts, read straight from the events.

    A dropout makes a person unreleasable from then on; a stage without `handed_over`
    for a side had that side hand over its agreed people less earlier dropouts; `add`
    and `update` change the lists.
    """
    plan = request.plan
    agreed: dict[Side, dict[str, int]] = {side: {} for side in SIDES}
    if plan.stages:
        for stage in plan.stages:
            for side in SIDES:
                agreed[side].update(dict.fromkeys(stage.of(side), stage.number))
    elif plan.released is not None:
        for side in SIDES:
            agreed[side].update(dict.fromkeys(plan.released.of(side), 1))
    people = {side: {d.id: d for d in request.side(side).detainees} for side in SIDES}
    handed: dict[Side, dict[str, int]] = {side: {} for side in SIDES}
    dropped: dict[Side, dict[str, DropoutReason]] = {side: {} for side in SIDES}
    executed: dict[int, dict[Side, set[str]]] = {}
    for event in request.events:
        if isinstance(event, Dropout):
            dropped[event.side][event.id] = event.reason
        elif isinstance(event, StageExecuted):
            crossed: dict[Side, set[str]] = {}
            for side in SIDES:
                given = event.handed_over.of(side) if event.handed_over is not None else None
                crossed[side] = (
                    set(given)
                    if given is not None
                    else {
                        pid
                        for pid, number in agreed[side].items()
                        if number == event.number
                        and pid not in dropped[side]
                        and pid not in handed[side]
                    }
                )
                handed[side].update(dict.fromkeys(crossed[side], event.number))
            executed[event.number] = crossed
        elif isinstance(event, AddDetainee):
            people[event.side][event.detainee.id] = event.detainee
        else:
            before: Detainee = people[event.side][event.id]
            people[event.side][event.id] = before.model_copy(update=event.fields.given())
    lists = ExchangeRequest.model_construct(
        terms=request.terms,
        side_a=SideList.model_construct(
            name=request.side_a.name, detainees=list(people[Side.A].values())
        ),
        side_b=SideList.model_construct(
            name=request.side_b.name, detainees=list(people[Side.B].values())
        ),
        options=request.options,
    )
    return lists, _DayRead(handed, dropped, agreed, executed)


def _reference_date(request: RequestRecord, plan: Plan) -> date:
    # Terms without a date mean "today" as the solver saw it; the plan echoes that day,
    # so a solve that crosses midnight is still checked at the date it was solved for.
    if request.terms.reference_date is None:
        return plan.reference_date
    return reference_date_of(request.terms)


def _categories_needed(request: RequestRecord) -> frozenset[Category]:
    """The categories some rule or level asks about; the others are not computed."""
    terms = request.terms
    return frozenset((*terms.priorities, *terms.release_all, *terms.outside_parity))


# The fields every re-check reads, and those only some terms need.
_ALWAYS = ("id", "eligible", "consents", "status", "captured_on", "group")
_ONLY_FOR: dict[Category, tuple[str, ...]] = {
    Category.SERIOUSLY_ILL: ("seriously_ill",),
    Category.REQUESTED: ("requested",),
    Category.YOUNG: ("birth_date", "age"),
}


def _read_list(
    side: Side,
    detainees: Sequence[DetaineeRecord],
    on: date,
    request: RequestRecord,
    needed: frozenset[Category],
    between: Callable[[], object] = lambda: None,
) -> _List:
    """The columns of one side's list at the reference date.

    Raises ValueError on a duplicate id: requests with one are rejected before solving,
    so meeting one here means the caller skipped input validation.
    """
    fields = _ALWAYS + tuple(chain.from_iterable(_ONLY_FOR[c] for c in _ONLY_FOR if c in needed))
    column = _columns(detainees, fields, between)
    ids: list[str] = column["id"].tolist()
    position = dict(zip(ids, range(len(ids)), strict=True))
    if len(position) < len(ids):
        raise ValueError(f"{side.value}: duplicate id {_first_repeated(ids)}")
    between()
    eligible = _flags(column["eligible"])
    civilian = _flags(np.equal(column["status"], _scalar("civilian")))
    categories = _categories(column, civilian, needed, on, request.terms.young_age_limit)
    between()
    return _List(
        side=side,
        ids=ids,
        position=position,
        eligible=eligible,
        releasable=eligible & _flags(column["consents"]),
        civilian=civilian,
        categories=categories,
        captured_on=column["captured_on"],
        group=_group_codes(column["group"]),
    )


def _columns(
    detainees: Sequence[DetaineeRecord],
    fields: tuple[str, ...],
    between: Callable[[], object] = lambda: None,
) -> dict[str, _Column]:
    """The named fields of every detainee: one column per field, of Python objects, or of
    booleans for the yes/no fields of slotted records.

    Fields are read as attributes, so any `DetaineeRecord` will do: a pydantic model, or
    a msgspec struct, which has no `__dict__`. The two ways below read the same values
    and differ only in speed (measured at 100,000 people a side): a model keeps its
    fields in a dictionary, a step away, so each model is visited once for all of them;
    a struct keeps them in slots, which a comprehension reads directly, so a pass per
    field is quicker there.
    """
    if detainees and not hasattr(detainees[0], "__dict__"):
        n = len(detainees)
        columns: dict[str, _Column] = {}
        for field in fields:
            between()
            values = _BY_FIELD[field](detainees)
            if field in _YES_NO:
                # bytearray reads a list of booleans in one C loop (numpy: item by item).
                yes_no = cast(Sequence[bool], values)
                columns[field] = np.frombuffer(bytearray(yes_no), dtype=np.bool_)
            else:
                columns[field] = np.fromiter(values, dtype=np.object_, count=n)
        return columns
    return _by_row(detainees, fields)


_YES_NO = frozenset({"eligible", "consents", "seriously_ill", "requested"})


def _by_row(detainees: Sequence[DetaineeRecord], fields: tuple[str, ...]) -> dict[str, _Column]:
    """The fields as columns, read person by person, all of a person's fields at once."""
    n, width = len(detainees), len(fields)
    cells = chain.from_iterable(map(attrgetter(*fields), detainees))
    table = np.fromiter(cells, dtype=np.object_, count=n * width).reshape(n, width)
    return dict(zip(fields, table.T, strict=True))


_Field = Callable[[Sequence[DetaineeRecord]], Sequence[object]]

# One comprehension per field, spelled out: Python turns `d.id` on a slotted record into
# a direct slot read, which `getattr(d, name)` or `attrgetter(name)` do not get.
_BY_FIELD: dict[str, _Field] = {
    "id": lambda people: [d.id for d in people],
    "eligible": lambda people: [d.eligible for d in people],
    "consents": lambda people: [d.consents for d in people],
    "status": lambda people: [d.status for d in people],
    "captured_on": lambda people: [d.captured_on for d in people],
    "group": lambda people: [d.group for d in people],
    "seriously_ill": lambda people: [d.seriously_ill for d in people],
    "requested": lambda people: [d.requested for d in people],
    "birth_date": lambda people: [d.birth_date for d in people],
    "age": lambda people: [d.age for d in people],
}


def _flags(column: _Column) -> _Flags:
    """A column of Python truth values as booleans."""
    flags: _Flags = np.asarray(column, dtype=np.bool_)
    return flags


def _categories(
    column: dict[str, _Column], civilian: _Flags, needed: frozenset[Category], on: date, limit: int
) -> NDArray[np.uint8]:
    """Each person's categories as the bits of `_BIT`; beyond status, only the `needed` ones."""
    bit = {category: np.uint8(value) for category, value in _BIT.items()}
    categories = np.where(civilian, bit[Category.CIVILIAN], bit[Category.MILITARY])
    for category, field in (
        (Category.SERIOUSLY_ILL, "seriously_ill"),
        (Category.REQUESTED, "requested"),
    ):
        if category in needed:
            categories |= _flags(column[field]) * bit[category]
    if Category.YOUNG in needed:
        categories |= _young(column["birth_date"], column["age"], on, limit) * bit[Category.YOUNG]
    return categories


def _present(column: _Objects) -> _Flags:
    """Which cells hold a value (not None)."""
    absent: _Flags = np.equal(column, _scalar(None)).astype(np.bool_)
    return ~absent


def _scalar(value: object) -> _Objects:
    """A value as a 0-d object array, to compare a column of objects with."""
    return np.array(value, dtype=np.object_)


def _young(born: _Objects, age: _Objects, on: date, limit: int) -> _Flags:
    """Who is younger than `limit` full years on `on`; an unknown age is never young.

    A birth date wins over `age`. Someone is `limit` or older exactly when born on or
    before the same calendar day `limit` years earlier (a 29 February that year does
    not exist: born after the 28th means born in March or later), so the age itself is
    never needed: young means born after that day.
    """
    young = np.zeros(born.size, dtype=np.bool_)
    dated = _present(born)
    aged = ~dated & _present(age)
    young[aged] = age[aged].astype(np.int64) < limit
    year = on.year - limit
    if year < 1:
        # Even someone born on 1 January of year 1 is younger than `limit`.
        young[dated] = True
        return young
    try:
        cutoff = on.replace(year=year)
    except ValueError:
        cutoff = on.replace(year=year, day=28)
    young[dated] = np.greater(born[dated], _scalar(cutoff)).astype(np.bool_)
    return young


def _captivity_days(captured: _Objects, on: date) -> _Ints:
    """Days held at `on`; unknown or future capture dates count as 0."""
    days = np.zeros(captured.size, dtype=np.int64)
    known = _present(captured)
    ordinals = np.fromiter(
        map(date.toordinal, captured[known]), dtype=np.int64, count=int(known.sum())
    )
    days[known] = np.maximum(on.toordinal() - ordinals, 0)
    return days


def _group_codes(labels: _Objects) -> _Ints:
    """One code per distinct group label, -1 for people without a group."""
    codes = np.full(labels.size, -1, dtype=np.int64)
    grouped = _present(labels)
    named: list[str] = labels[grouped].tolist()
    code_of = {label: code for code, label in enumerate(dict.fromkeys(named))}
    codes[grouped] = np.fromiter(map(code_of.__getitem__, named), dtype=np.int64, count=len(named))
    return codes


def _stage_list(stage: Stage, side: Side) -> list[str]:
    return stage.side_a if side is Side.A else stage.side_b


def _released_list(plan: Plan, side: Side) -> list[str]:
    return plan.released.side_a if side is Side.A else plan.released.side_b


def _read_plan_side(
    plan: Plan,
    side: Side,
    people: _List,
    entry_codes: _Ints,
    implicit: bool,
    code_of: dict[int, int],
) -> _Released:
    """One side of the plan as list positions, with each known person's stage.

    `implicit`: the plan has no stage lists and the terms one stage, so the released
    are all in stage 1. Otherwise a person's stage is the first stage list naming them.
    """
    unknown: dict[str, int] = {}
    listed_codes = _encode(_released_list(plan, side), people, unknown)
    lists = [_stage_list(stage, side) for stage in plan.stages]
    staged_codes = _encode(list(chain.from_iterable(lists)), people, unknown)
    n, space = people.size, people.size + len(unknown)
    listed = _Written.of(listed_codes, space)
    staged = _Written.of(staged_codes, space)
    released = listed.distinct[listed.distinct < n] if unknown else listed.distinct
    if implicit:
        in_stage = released
        stage_code = np.full(released.size, code_of[1], dtype=np.int64)
    else:
        entries = np.repeat(np.arange(len(lists), dtype=np.int64), [len(ids) for ids in lists])
        first = staged.first[staged.distinct < n] if unknown else staged.first
        in_stage = staged_codes[first]
        stage_code = entry_codes[entries[first]]
    is_released = np.zeros(n, dtype=np.bool_)
    is_released[released] = True
    stage_of = np.full(n, _NO_STAGE, dtype=np.int64)
    stage_of[in_stage] = stage_code
    return _Released(
        listed=listed,
        staged=staged,
        unknown=list(unknown),
        released=released,
        in_stage=in_stage,
        stage_code=stage_code,
        is_released=is_released,
        stage_of=stage_of,
    )


def _encode(ids: Sequence[str], people: _List, unknown: dict[str, int]) -> _Ints:
    """List positions of ids; an id not in the list gets `size` + its `unknown` number."""
    if len(ids) > 1:
        try:
            # One call for all the look-ups: the common case, every id listed.
            return np.array(itemgetter(*ids)(people.position), dtype=np.int64)
        except KeyError:
            pass
    codes = np.fromiter(map(people.position.get, ids, repeat(-1)), dtype=np.int64, count=len(ids))
    for at in np.flatnonzero(codes < 0).tolist():
        codes[at] = people.size + unknown.setdefault(ids[at], len(unknown))
    return codes


# --------------------------------------------------------------------------- checks


def _violations(context: _Recheck) -> list[Violation]:
    violations = _structure(context)
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
        violations.extend(check(context))
    return violations


def _structure(context: _Recheck) -> list[Violation]:
    """The plan's own consistency: known ids, each released once, valid stage numbers."""
    found: list[Violation] = []
    plan, terms = context.plan, context.request.terms
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
    count = stage_count(context.request)
    numbers = Counter(stage.number for stage in plan.stages)
    for number in sorted(numbers):
        if not 1 <= number <= count:
            found.append(
                Violation("stage_number", None, (), f"stage {number} is outside 1..{count}")
            )
        if numbers[number] > 1:
            found.append(
                Violation(
                    "stage_number", None, (), f"stage {number} appears {numbers[number]} times"
                )
            )
    for side in SIDES:
        people, written = context.lists[side], context.plan_sides[side]
        listed = written.listed
        staged = written.staged if plan.stages or count != 1 else listed
        if written.unknown:
            unknown = tuple(written.unknown)
            found.append(
                Violation(
                    "unknown_id",
                    side,
                    unknown,
                    f"{side.value} releases {_ids_text(unknown)}, not in its list",
                )
            )
        twice_listed = _names(written, people, listed.repeated())
        if twice_listed:
            found.append(
                Violation(
                    "duplicate_release",
                    side,
                    twice_listed,
                    f"{side.value} lists {_ids_text(twice_listed)} more than once as released",
                )
            )
        twice_staged = _names(written, people, staged.repeated()) if plan.stages else ()
        if twice_staged:
            found.append(
                Violation(
                    "duplicate_release",
                    side,
                    twice_staged,
                    f"{side.value} places {_ids_text(twice_staged)} in more than one stage slot",
                )
            )
        only_listed = _names(written, people, listed.not_in(staged))
        only_staged = _names(written, people, staged.not_in(listed))
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


def _releasable(context: _Recheck) -> list[Violation]:
    """Only eligible, consenting people may be released; in a repair, not after dropping
    out, and those handed over are facts, not checked."""
    found: list[Violation] = []
    for side in SIDES:
        people = context.lists[side]
        released = context.plan_sides[side].released
        dropped = context.dropped(side)
        may_go = people.releasable & ~dropped | context.handed(side)
        bad = released[~may_go[released]]
        if bad.size:
            reasons = ", ".join(
                f"{people.ids[p]} ({_why_not_releasable(people, dropped, p)})"
                for p in bad[:_IDS_IN_MESSAGE].tolist()
            )
            more = bad.size - _IDS_IN_MESSAGE
            found.append(
                Violation(
                    "releasable",
                    side,
                    _ids(people, bad),
                    f"{side.value} releases {people_text(bad.size)} who may not be released: "
                    f"{reasons}{f' and {more} more' if more > 0 else ''}",
                )
            )
    return found


def _why_not_releasable(people: _List, dropped: _Flags, at: int) -> str:
    if dropped[at]:
        return "dropped out"
    return "ineligible" if not people.eligible[at] else "refuses repatriation"


def _must_exclude(context: _Recheck) -> list[Violation]:
    """People the sides agreed to hold back are not released (those handed over are facts)."""
    found: list[Violation] = []
    for side in SIDES:
        people = context.lists[side]
        released = context.plan_sides[side].released
        excluded = np.zeros(people.size, dtype=np.bool_)
        excluded[_known(people, context.request.terms.must_exclude.of(side))] = True
        excluded &= ~context.handed(side)
        bad = _ids(people, released[excluded[released]])
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


def _must_include(context: _Recheck) -> list[Violation]:
    """People the sides agreed on by name are released (even if not releasable: a conflict)."""
    found: list[Violation] = []
    for side in SIDES:
        people = context.lists[side]
        is_released = context.plan_sides[side].is_released
        named = context.request.terms.must_include.of(side)
        if context.day is not None:
            # A dropout lifts the requirement.
            gone = set(_ids(people, np.flatnonzero(context.dropped(side))))
            named = [pid for pid in named if pid not in gone]
        at = np.fromiter(
            map(people.position.get, named, repeat(-1)), dtype=np.int64, count=len(named)
        )
        out = (at < 0) | ~is_released[np.maximum(at, 0)] if people.size else at < 0
        missing = tuple(dict.fromkeys(named[i] for i in np.flatnonzero(out).tolist()))
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


def _release_all(context: _Recheck) -> list[Violation]:
    """Every releasable member of a release_all category is released."""
    return _all_members_released("release_all", context.request.terms.release_all, context)


def _outside_parity(context: _Recheck) -> list[Violation]:
    """Every releasable member of an outside_parity category is released (uncounted)."""
    return _all_members_released("outside_parity", context.request.terms.outside_parity, context)


def _all_members_released(
    rule: Literal["release_all", "outside_parity"],
    categories: Sequence[Category],
    context: _Recheck,
) -> list[Violation]:
    found: list[Violation] = []
    wanted = _bits(categories)
    for side in SIDES:
        people = context.lists[side]
        missing = _ids(
            people,
            np.flatnonzero(
                people.releasable
                & ~context.dropped(side)
                & (people.categories & wanted != 0)
                & ~context.plan_sides[side].is_released
            ),
        )
        if missing:
            names = ", ".join(sorted({c.value for c in categories}))
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


def _groups(context: _Recheck) -> list[Violation]:
    """A group's releasable members go together, in one stage, or none of them goes."""
    found: list[Violation] = []
    for side in SIDES:
        people, written = context.lists[side], context.plan_sides[side]
        # In a repair, the members not handed over follow the rule among themselves.
        free = people.releasable & ~context.dropped(side) & ~context.handed(side)
        members = np.flatnonzero(free & (people.group >= 0))
        if members.size == 0:
            continue
        # Groups as 0..G-1, numbered in the order their first releasable member is listed.
        labels, first, group = np.unique(
            people.group[members], return_index=True, return_inverse=True
        )
        rank = np.empty(labels.size, dtype=np.int64)
        rank[np.argsort(first, kind="stable")] = np.arange(labels.size)
        group = rank[group.reshape(-1)]
        size = np.bincount(group, minlength=labels.size)
        released = written.is_released[members]
        out = np.bincount(group[released], minlength=labels.size)
        partly = (out > 0) & (out < size)
        # A wholly released group is split when its members' stages differ.
        staged = released & (written.stage_of[members] >= 0)
        width = max(1, len(context.numbers))
        pairs = np.unique(group[staged] * width + written.stage_of[members[staged]])
        split = ~partly & (np.bincount(pairs // width, minlength=labels.size) > 1)
        broken = np.flatnonzero(partly | split)
        if broken.size == 0:
            continue
        by_group = np.argsort(group, kind="stable")
        starts = np.concatenate(([0], np.cumsum(size)))
        # Group labels may carry a family name, so messages name the group by its ids.
        for g in broken.tolist():
            positions = members[by_group[starts[g] : starts[g + 1]]]
            ids = _ids(people, positions)
            if partly[g]:
                inside = written.is_released[positions]
                found.append(
                    Violation(
                        "group",
                        side,
                        ids,
                        f"{side.value} group of {_ids_text(ids)}: "
                        f"{_ids_text(_ids(people, positions[inside]))} released but "
                        f"{_ids_text(_ids(people, positions[~inside]))} not",
                    )
                )
            else:
                codes = np.unique(written.stage_of[positions])
                stages = [context.numbers[c] for c in codes[codes >= 0].tolist()]
                found.append(
                    Violation(
                        "group",
                        side,
                        ids,
                        f"{side.value} group of {_ids_text(ids)} is split over "
                        f"stages {', '.join(map(str, stages))}",
                    )
                )
    return found


def _parity(context: _Recheck) -> list[Violation]:
    """In every stage both sides release equally many counted people (per status if asked)."""
    found: list[Violation] = []
    outside = _bits(context.request.terms.outside_parity)
    per_status = context.request.terms.parity == "per_status"
    kinds: tuple[Status | None, ...] = STATUSES if per_status else (None,)
    # Per side and kind: who of the staged is counted, and how many per stage code.
    counted: dict[tuple[Side, Status | None], _Flags] = {}
    per_stage: dict[tuple[Side, Status | None], list[int]] = {}
    for side in SIDES:
        people, written = context.lists[side], context.plan_sides[side]
        inside = people.categories[written.in_stage] & outside == 0
        civilian = people.civilian[written.in_stage]
        for status in kinds:
            mask = inside
            if status is not None:
                mask = inside & (civilian if status == "civilian" else ~civilian)
            counted[side, status] = mask
            per_stage[side, status] = _per_code(written.stage_code[mask], context)
    last = stage_count(context.request)
    for number in range(1, last + 1):
        if not context.remaining(number):
            continue
        # A repair's first remaining stage makes up for the executed stages before it.
        numbers = _carried(context, number)
        codes = [c for c in map(context.code_of, numbers) if c is not None]
        for status in kinds:
            a, b = (sum(per_stage[side, status][c] for c in codes) for side in SIDES)
            if a != b:
                ids = tuple(
                    chain.from_iterable(
                        _staged_ids(context, side, code, counted[side, status])
                        for code in codes
                        for side in SIDES
                    )
                )
                what = "counted" if status is None else f"counted {status}"
                where = (
                    f"stage {number}"
                    if len(numbers) == 1
                    else f"stages {numbers[0]} to {number} (executed ones included)"
                )
                found.append(
                    Violation(
                        "parity",
                        None,
                        ids,
                        f"{where}: side_a releases {people_text(a, what)}, "
                        f"side_b {b}; parity needs equal numbers",
                    )
                )
    if context.day is not None and context.day.first_remaining > last:
        found.extend(_executed_balance(context, kinds, per_stage, counted))
    return found


def _carried(context: _Recheck, number: int) -> list[int]:
    """The stages whose counted releases stage `number` balances: itself, and in a repair
    the first remaining stage also every executed one."""
    if context.day is not None and number == context.day.first_remaining:
        return list(range(1, number + 1))
    return [number]


def _executed_balance(
    context: _Recheck,
    kinds: tuple[Status | None, ...],
    per_stage: dict[tuple[Side, Status | None], list[int]],
    counted: dict[tuple[Side, Status | None], _Flags],
) -> list[Violation]:
    """Every stage executed: nothing is left to make up an imbalance."""
    found: list[Violation] = []
    for status in kinds:
        a, b = (sum(per_stage[side, status]) for side in SIDES)
        if a != b:
            what = "counted" if status is None else f"counted {status}"
            found.append(
                Violation(
                    "parity",
                    None,
                    (),
                    f"every stage is executed: side_a released {a} {what} people, side_b {b}, "
                    "and no stage is left to make up the difference",
                )
            )
    return found


def _floor_and_cap(context: _Recheck) -> list[Violation]:
    """Each side releases between min_per_side and max_per_side counted people."""
    found: list[Violation] = []
    terms = context.request.terms
    outside = _bits(terms.outside_parity)
    for side in SIDES:
        released = context.plan_sides[side].released
        counted = int(np.count_nonzero(context.lists[side].categories[released] & outside == 0))
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


def _capacity(context: _Recheck) -> list[Violation]:
    """In each stage a side releases at most that stage's capacity, counted or not."""
    found: list[Violation] = []
    capacities = context.request.terms.stages
    if capacities is None:
        return found
    for side in SIDES:
        per_stage = _per_code(context.plan_sides[side].stage_code, context)
        for number, capacity in enumerate(capacities, start=1):
            code = context.code_of(number)
            if code is not None and per_stage[code] > capacity and context.remaining(number):
                ids = _staged_ids(context, side, code)
                found.append(
                    Violation(
                        "stages",
                        side,
                        ids,
                        f"stage {number}: {side.value} releases {people_text(per_stage[code])}; "
                        f"its capacity is {capacity}",
                    )
                )
    return found


def _civilians_separately(context: _Recheck) -> list[Violation]:
    """With civilians_separately, no stage mixes civilians and military (either side)."""
    found: list[Violation] = []
    if not context.request.terms.civilians_separately:
        return found
    everyone = [0] * len(context.numbers)
    civilians = [0] * len(context.numbers)
    for side in SIDES:
        written = context.plan_sides[side]
        civilian = context.lists[side].civilian[written.in_stage]
        for at, (total, civil) in enumerate(
            zip(
                _per_code(written.stage_code, context),
                _per_code(written.stage_code[civilian], context),
                strict=True,
            )
        ):
            everyone[at] += total
            civilians[at] += civil
    for number in range(1, stage_count(context.request) + 1):
        code = context.code_of(number)
        mixed = code is not None and 0 < civilians[code] < everyone[code]
        if mixed and code is not None and context.remaining(number):
            ids = tuple(chain.from_iterable(_staged_ids(context, side, code) for side in SIDES))
            found.append(
                Violation(
                    "civilians_separately",
                    None,
                    ids,
                    f"stage {number} mixes {civilians_text(civilians[code])} with "
                    f"{people_text(everyone[code] - civilians[code], 'military')}",
                )
            )
    return found


# --------------------------------------------------------------------------- objective


def _objective(context: _Recheck) -> Objective:
    priorities = list(dict.fromkeys(context.request.terms.priorities))
    counts = dict.fromkeys((c.value for c in priorities), 0)
    stage_order = dict.fromkeys([*(c.value for c in priorities), "all"], 0)
    released_count = 0
    days = 0
    for side in SIDES:
        people, written = context.lists[side], context.plan_sides[side]
        released = written.released
        categories = people.categories[released]
        stage = written.stage_of[released]
        staged = stage >= 0
        for category in priorities:
            member = categories & _BIT[category] != 0
            counts[category.value] += int(np.count_nonzero(member))
            stage_order[category.value] += _stage_sum(stage[member & staged], context)
        stage_order["all"] += _stage_sum(stage[staged], context)
        released_count += released.size
        days += int(_captivity_days(people.captured_on[released], context.on).sum())
    return Objective(
        priorities=counts,
        released=released_count,
        captivity_days=days,
        stage_order=stage_order,
    )


def _values(request: RequestRecord, objective: Objective) -> tuple[int, ...]:
    return tuple(_value(objective, level) for level in levels_for(request.terms))


def _value(objective: Objective, level: Level) -> int:
    if level.kind == "priority":
        assert level.category is not None
        return objective.priorities[level.category.value]
    if level.kind == "released":
        return objective.released
    if level.kind == "captivity_days":
        return objective.captivity_days
    if level.kind == "stage_order":
        assert level.category is not None
        return objective.stage_order[level.category.value]
    assert level.kind == "stage_order_all", level.kind
    return objective.stage_order["all"]


# --------------------------------------------------------------------------- repair


def _executed(context: _Recheck) -> list[Violation]:
    """Executed stages hold exactly who was handed over, and say so; the others do not."""
    assert context.day is not None
    found: list[Violation] = []
    executed = context.day.executed
    flags = {stage.number: getattr(stage, "executed", None) for stage in context.plan.stages}
    for number, flag in sorted(flags.items()):
        if flag is not None and flag != (number in executed):
            found.append(
                Violation(
                    "executed",
                    None,
                    (),
                    f"stage {number} is marked executed: {flag}; it "
                    f"{'was' if number in executed else 'was not'} executed",
                )
            )
    for number, crossed in sorted(executed.items()):
        for side in SIDES:
            code = context.code_of(number)
            written = context.plan_sides[side]
            people = context.lists[side]
            listed = (
                set()
                if code is None
                else set(_ids(people, written.in_stage[written.stage_code == code]))
            )
            if listed != crossed[side]:
                differ = tuple(sorted(listed ^ crossed[side]))
                found.append(
                    Violation(
                        "executed",
                        side,
                        differ,
                        f"executed stage {number} of {side.value} differs from who was handed "
                        f"over: {_ids_text(differ)}",
                    )
                )
    return found


def _changes(context: _Recheck, found: list[Violation]) -> int:
    """The number of changes, recomputed; a plan whose `changes` differ is a violation."""
    assert context.day is not None
    day = context.day
    counted = 0
    expected: set[tuple[str, str, str, int, int]] = set()
    for side in SIDES:
        people, written = context.lists[side], context.plan_sides[side]
        stage = np.where(
            written.stage_of >= 0,
            np.array([*context.numbers, 0], dtype=np.int64)[written.stage_of],
            0,
        )
        differs = (day.handed[side] == 0) & ~day.dropped[side] & (day.agreed[side] != stage)
        for p in np.flatnonzero(differs).tolist():
            was, now = int(day.agreed[side][p]), int(stage[p])
            kind = "added" if was == 0 else "removed" if now == 0 else "moved"
            expected.add((kind, side.value, people.ids[p], was, now))
        counted += int(differs.sum())
    claimed: set[tuple[str, str, str, int, int]] = set()
    changes = getattr(context.plan, "changes", None)
    if changes is not None:
        claimed.update(("added", c.side.value, c.id, 0, c.stage) for c in changes.added)
        claimed.update(("removed", c.side.value, c.id, c.stage, 0) for c in changes.removed)
        claimed.update(("moved", c.side.value, c.id, c.from_, c.to) for c in changes.moved)
        if changes.count != len(claimed):
            found.append(Violation("changes", None, (), "changes lists someone twice"))
    objective = context.plan.objective
    claimed_count = getattr(objective, "changes", None) if objective is not None else None
    if claimed != expected or claimed_count != counted:
        differ = tuple(sorted({entry[2] for entry in claimed ^ expected}))
        found.append(
            Violation(
                "changes",
                None,
                differ,
                f"the plan reports {claimed_count} change(s) and lists {len(claimed)}; it "
                f"differs from the agreed plan by {counted}"
                + (f" ({_ids_text(differ)} disagree)" if differ else ""),
            )
        )
    return counted


# Why someone is not released, in the order the reasons are given: the first that applies.
_NOT_RELEASED_REASONS = ("dropout", "ineligible", "no_consent", "must_exclude", "not_selected")


def _not_released(
    context: _Recheck, lists: ExchangeRequest, dropouts: dict[Side, dict[str, DropoutReason]]
) -> list[Violation]:
    """Everyone not released is in `not_released` once, and nobody else, each with the
    first reason that applies: a dropout (its detail the event's reason code), then
    ineligible (its detail the person's own reason), refusing, excluded, not selected."""
    found: list[Violation] = []
    written: dict[Side, dict[str, tuple[str, str | None]]] = {side: {} for side in SIDES}
    twice: dict[Side, list[str]] = {side: [] for side in SIDES}
    for entry in context.plan.not_released:
        side = Side(entry.side)
        if entry.id in written[side]:
            twice[side].append(entry.id)
        written[side][entry.id] = (entry.reason, entry.detail)
    terms = context.request.terms
    for side in SIDES:
        people, given = context.lists[side], written[side]
        excluded = np.zeros(people.size, dtype=np.bool_)
        excluded[_known(people, terms.must_exclude.of(side))] = True
        code = np.select(
            [context.dropped(side), ~people.eligible, ~people.releasable, excluded],
            [0, 1, 2, 3],
            default=4,
        )
        own_reasons = {
            d.id: d.ineligible_reason
            for d in lists.side(side).detainees
            if not d.eligible and d.ineligible_reason
        }
        # The details checked: a dropout's reason code, an ineligible person's own reason
        # (others, such as a group blocked by an exclusion, are not).
        details: dict[str, dict[str, str]] = {
            "dropout": dict(dropouts[side]),
            "ineligible": own_reasons,
        }
        left = np.flatnonzero(~context.plan_sides[side].is_released).tolist()
        wrong: list[str] = []
        for p in left:
            pid = people.ids[p]
            reason = _NOT_RELEASED_REASONS[code[p]]
            stated = given.get(pid)
            detail = details.get(reason)
            if (
                stated is None
                or stated[0] != reason
                or (detail is not None and stated[1] != detail.get(pid))
            ):
                wrong.append(pid)
        out = set(map(people.ids.__getitem__, left))
        extra = sorted(pid for pid in given if pid not in out)
        for ids, what in (
            (tuple(wrong), "not listed with the reason that applies (or its detail)"),
            (tuple(extra), "listed though released, or not in the list"),
            (tuple(dict.fromkeys(twice[side])), "listed more than once"),
        ):
            if ids:
                found.append(
                    Violation(
                        "not_released",
                        side,
                        ids,
                        f"{side.value} not_released: {_ids_text(ids)} {what}",
                    )
                )
    return found


def _stage_sum(codes: _Ints, context: _Recheck) -> int:
    """The sum of the stage numbers behind these codes (exact, whatever the numbers)."""
    return sum(
        number * count
        for number, count in zip(context.numbers, _per_code(codes, context), strict=True)
    )


# --------------------------------------------------------------------------- helpers


def _bits(categories: Iterable[Category]) -> int:
    found = 0
    for category in categories:
        found |= _BIT[category]
    return found


def _per_code(codes: _Ints, context: _Recheck) -> list[int]:
    """How many of these stage codes there are of each, one count per stage number."""
    counts: list[int] = np.bincount(codes, minlength=len(context.numbers)).tolist()
    return counts


def _staged_ids(
    context: _Recheck, side: Side, code: int, among: _Flags | None = None
) -> tuple[str, ...]:
    """The ids of a side's people in one stage (optionally a subset), in stage-list order."""
    written = context.plan_sides[side]
    chosen = written.stage_code == code
    if among is not None:
        chosen &= among
    return _ids(context.lists[side], written.in_stage[chosen])


def _known(people: _List, ids: Iterable[str]) -> _Ints:
    found: list[int] = [p for p in map(people.position.get, ids) if p is not None]
    return np.array(found, dtype=np.int64)


def _ids(people: _List, positions: _Ints) -> tuple[str, ...]:
    lookup: Callable[[Any], str] = people.ids.__getitem__
    return tuple(map(lookup, positions.tolist()))


def _names(written: _Released, people: _List, codes: _Ints) -> tuple[str, ...]:
    """Ids behind codes, known or not."""
    return tuple(
        people.ids[c] if c < people.size else written.unknown[c - people.size]
        for c in codes.tolist()
    )


def _first_repeated(ids: Sequence[str]) -> str:
    seen: set[str] = set()
    for pid in ids:
        if pid in seen:
            return pid
        seen.add(pid)
    raise AssertionError("no repeated id")


def _ids_text(ids: Sequence[str]) -> str:
    shown = ", ".join(ids[:_IDS_IN_MESSAGE])
    more = len(ids) - _IDS_IN_MESSAGE
    return f"{shown} and {more} more" if more > 0 else shown
