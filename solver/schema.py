"""The wire contract: what an exchange request and a plan look like in JSON.

Field names are the wire names. Every model forbids unknown fields, so a typo in a
request is an input error instead of a silently ignored term.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Annotated, ClassVar, Literal, Protocol

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
)
from pydantic_core import PydanticCustomError


class Category(StrEnum):
    """The categories a detainee can belong to; a person can be in several."""

    SERIOUSLY_ILL = "seriously_ill"
    YOUNG = "young"
    CIVILIAN = "civilian"
    MILITARY = "military"
    REQUESTED = "requested"


class Side(StrEnum):
    """The two parties, by their wire names."""

    A = "side_a"
    B = "side_b"


Status = Literal["military", "civilian"]
DetaineeId = Annotated[StrictStr, Field(min_length=1, max_length=64)]


def _iso_day(value: object) -> object:
    """Dates are written YYYY-MM-DD, nothing else.

    pydantic alone would also read a number, or a string of digits, as seconds since
    1970, and a midnight datetime as its day: a typo would silently become a date.
    """
    if isinstance(value, int | float) or (isinstance(value, str) and not _ISO_DAY.fullmatch(value)):
        raise PydanticCustomError("date_type", "a date must be written YYYY-MM-DD")
    return value


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
Day = Annotated[date, BeforeValidator(_iso_day)]


# A bound on every count a request gives (floor, cap, stage capacity): far more people
# than any list holds, and far below the 64-bit integers CP-SAT computes with, so a typo
# of twenty digits is an input error rather than a failed solve.
MAX_PEOPLE = 1_000_000_000


class _Strict(BaseModel):
    # Numbers and flags are strict (no "12" for 12, no "yes" for true); dates come as
    # ISO strings in JSON, so they stay lax.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class _DetaineeFacts(_Strict):
    """Everything a list says about a person but the id: what an `update` event may change
    (`DetaineeFields`), so the two can never drift apart."""

    name: StrictStr | None = None
    birth_date: Day | None = None
    age: Annotated[StrictInt, Field(ge=0, le=130)] | None = None
    status: Status = "military"
    seriously_ill: StrictBool = False
    captured_on: Day | None = None
    consents: StrictBool = True
    eligible: StrictBool = True
    ineligible_reason: StrictStr | None = None
    group: Annotated[StrictStr, Field(min_length=1, max_length=64)] | None = None
    requested: StrictBool = False
    # Identity fields, for reconciling the lists (personal data, never read by the
    # planner): the name in parts, where born, a service number, a unit.
    surname: StrictStr | None = None
    given_name: StrictStr | None = None
    patronymic: StrictStr | None = None
    birth_place: StrictStr | None = None
    serial_number: StrictStr | None = None
    unit: StrictStr | None = None


class _Identified(_Strict):
    id: DetaineeId


# The id comes first (pydantic orders fields from the last base to the first): the order
# of CSV columns and of the schema a reader sees.
class Detainee(_DetaineeFacts, _Identified):
    """One person a side holds and could release."""

    @property
    def releasable(self) -> bool:
        """Eligible and consenting: the only people a plan may release."""
        return self.eligible and self.consents


class SideList(_Strict):
    """The list of people one side holds."""

    name: Annotated[StrictStr, Field(max_length=200)] = ""
    detainees: list[Detainee] = Field(default_factory=list)


class IdsBySide(_Strict):
    """Detainee ids named per side, as in `must_include` and `must_exclude`."""

    side_a: list[DetaineeId] = Field(default_factory=list)
    side_b: list[DetaineeId] = Field(default_factory=list)

    def of(self, side: Side) -> list[str]:
        return self.side_a if side is Side.A else self.side_b


DEFAULT_PRIORITIES: tuple[Category, ...] = (
    Category.SERIOUSLY_ILL,
    Category.YOUNG,
    Category.CIVILIAN,
    Category.REQUESTED,
)
DEFAULT_RELEASE_ALL: tuple[Category, ...] = (Category.SERIOUSLY_ILL, Category.YOUNG)


class Terms(_Strict):
    """The agreed terms of the exchange."""

    reference_date: Day | None = Field(
        default=None, description="The exchange date; today when omitted."
    )
    min_per_side: Annotated[StrictInt, Field(ge=0, le=MAX_PEOPLE)] = 1000
    max_per_side: Annotated[StrictInt, Field(ge=0, le=MAX_PEOPLE)] | None = None
    parity: Literal["total", "per_status"] = "total"
    young_age_limit: Annotated[StrictInt, Field(ge=0, le=131)] = 25
    priorities: list[Category] = Field(default_factory=lambda: list(DEFAULT_PRIORITIES))
    release_all: list[Category] = Field(default_factory=lambda: list(DEFAULT_RELEASE_ALL))
    outside_parity: list[Category] = Field(default_factory=list)
    stages: list[Annotated[StrictInt, Field(le=MAX_PEOPLE)]] | None = None
    civilians_separately: StrictBool = False
    must_include: IdsBySide = Field(default_factory=IdsBySide)
    must_exclude: IdsBySide = Field(default_factory=IdsBySide)


class Options(_Strict):
    """How to solve, not what to solve."""

    time_limit_s: Annotated[float, Field(strict=True, gt=0, le=3600)] = 10.0
    seed: Annotated[StrictInt, Field(ge=0, le=2**31 - 1)] = 0
    workers: Annotated[StrictInt, Field(ge=1, le=64)] = Field(
        default=1,
        description="CP-SAT search workers; 1 keeps every run reproducible step by step.",
    )


class ExchangeRequest(_Strict):
    """Everything the planner needs: the terms and both sides' lists."""

    terms: Terms = Field(default_factory=Terms)
    side_a: SideList
    side_b: SideList
    options: Options = Field(default_factory=Options)

    def side(self, side: Side) -> SideList:
        return self.side_a if side is Side.A else self.side_b


# ------------------------------------------------------------ what the solver reads
#
# The solver only reads a request. These protocols name what it reads, so that a request
# checked by the models above and one decoded by the fast reader (`solver.decoding`,
# light objects with the same fields) are solved by the same code.


class DetaineeRecord(Protocol):
    """A detainee as the solver reads it: the fields of `Detainee`, read-only."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str | None: ...
    @property
    def birth_date(self) -> date | None: ...
    @property
    def age(self) -> int | None: ...
    @property
    def status(self) -> Status: ...
    @property
    def seriously_ill(self) -> bool: ...
    @property
    def captured_on(self) -> date | None: ...
    @property
    def consents(self) -> bool: ...
    @property
    def eligible(self) -> bool: ...
    @property
    def ineligible_reason(self) -> str | None: ...
    @property
    def group(self) -> str | None: ...
    @property
    def requested(self) -> bool: ...


class SideRecord(Protocol):
    """One side's list as the solver reads it."""

    @property
    def name(self) -> str: ...
    @property
    def detainees(self) -> Sequence[DetaineeRecord]: ...


class RequestRecord(Protocol):
    """A checked request as the solver reads it: `ExchangeRequest` is one."""

    @property
    def terms(self) -> Terms: ...
    @property
    def options(self) -> Options: ...
    def side(self, side: Side) -> SideRecord: ...


# --------------------------------------------------------------------------- plan

PlanStatus = Literal["optimal", "feasible", "infeasible", "timeout"]
NotReleasedReason = Literal["ineligible", "no_consent", "must_exclude", "not_selected", "dropout"]
ConflictRule = Literal[
    "min_per_side",
    "max_per_side",
    "parity",
    "release_all",
    "outside_parity",
    "stages",
    "civilians_separately",
    "must_include",
    "must_exclude",
    "group",
]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)


class Released(_Out):
    side_a: list[str] = Field(default_factory=list)
    side_b: list[str] = Field(default_factory=list)


class Stage(_Out):
    number: int
    side_a: list[str] = Field(default_factory=list)
    side_b: list[str] = Field(default_factory=list)


class Objective(_Out):
    """The value of every lexicographic level, in the order they are optimised."""

    priorities: dict[str, int]
    released: int
    captivity_days: int
    stage_order: dict[str, int]


@dataclass(slots=True)
class NotReleased:
    """One listed person who is not released, and why.

    A slotted dataclass rather than a model: a plan at 100,000 people per side holds
    tens of thousands of these, and a model costs several times more to build. pydantic
    still checks, documents and writes it like a model.
    """

    __pydantic_config__: ClassVar[ConfigDict] = ConfigDict(extra="forbid")

    side: Side
    id: str
    reason: NotReleasedReason
    detail: str | None = None


class Conflict(_Out):
    rule: ConflictRule
    message: str


class PlanWarning(_Out):
    code: str
    message: str


class LevelReport(_Out):
    """One lexicographic level: its value and whether it was proven optimal."""

    name: str
    sense: Literal["max", "min"]
    value: int | None
    proven: bool


class Plan(_Out):
    """The answer: who is released, when, why others are not, and how good it is."""

    status: PlanStatus
    reference_date: date
    released: Released = Field(default_factory=Released)
    stages: list[Stage] = Field(default_factory=list)
    objective: Objective | None = None
    not_released: list[NotReleased] = Field(default_factory=list)
    conflicts: list[Conflict] = Field(default_factory=list)
    warnings: list[PlanWarning] = Field(default_factory=list)
    levels: list[LevelReport] = Field(default_factory=list)
    solve_seconds: float | None = Field(
        default=None, description="Wall time of the solve; the only field that varies run to run."
    )


# --------------------------------------------------------------------------- repair
#
# The day of the exchange: an agreed plan, the events that overtook it, and the plan
# changed as little as the terms allow. See `solver.repair_planner`.

DropoutReason = Literal[
    "refused",
    "unfit_to_travel",
    "deceased",
    "already_released",
    "not_found",
    "held_back",
    "other",
]
RepairPolicy = Literal["priorities_first", "fewest_changes_first"]


class Dropout(_Strict):
    """Someone who cannot be released in any stage not yet executed."""

    type: Literal["dropout"]
    side: Side
    id: DetaineeId
    reason: DropoutReason
    detail: Annotated[StrictStr, Field(max_length=500)] | None = Field(
        default=None,
        description="Free text for the record; never echoed in a plan (it may name people).",
    )


class HandedOver(_Strict):
    """Who actually crossed in an executed stage; a side left out crossed as agreed."""

    side_a: list[DetaineeId] | None = None
    side_b: list[DetaineeId] | None = None

    def of(self, side: Side) -> list[str] | None:
        return self.side_a if side is Side.A else self.side_b


class StageExecuted(_Strict):
    """A stage happened. Without `handed_over` (or for a side it leaves out), that side
    handed over the people agreed for the stage, less those who dropped out (or crossed
    in an earlier stage) before."""

    type: Literal["stage_executed"]
    number: Annotated[StrictInt, Field(ge=1, le=MAX_PEOPLE)]
    handed_over: HandedOver | None = None


class AddDetainee(_Strict):
    """A person newly listed by a side."""

    type: Literal["add"]
    side: Side
    detainee: Detainee


class DetaineeFields(_DetaineeFacts):
    """Changed facts about a listed person: any detainee field but `id` (the fields of
    `Detainee` itself); only the fields given change."""

    def given(self) -> dict[str, object]:
        """The fields the event sets, with their values."""
        return {name: getattr(self, name) for name in self.model_fields_set}


class UpdateDetainee(_Strict):
    """Changed facts about a listed person (taken into account from then on)."""

    type: Literal["update"]
    side: Side
    id: DetaineeId
    fields: DetaineeFields


Event = Annotated[
    Dropout | StageExecuted | AddDetainee | UpdateDetainee, Field(discriminator="type")
]


class AgreedStage(_Strict):
    """One stage of the agreed plan. `executed`, written on a repaired plan, is ignored:
    what happened is said by the events."""

    number: Annotated[StrictInt, Field(ge=1, le=MAX_PEOPLE)]
    side_a: list[DetaineeId] = Field(default_factory=list)
    side_b: list[DetaineeId] = Field(default_factory=list)
    executed: StrictBool | None = None

    def of(self, side: Side) -> list[str]:
        return self.side_a if side is Side.A else self.side_b


class AgreedReleased(_Strict):
    side_a: list[DetaineeId] = Field(default_factory=list)
    side_b: list[DetaineeId] = Field(default_factory=list)

    def of(self, side: Side) -> list[str]:
        return self.side_a if side is Side.A else self.side_b


# A plan as the service returns it may be sent as the agreed plan: these fields of it
# (and of a stored or repaired plan) are not looked at.
PLAN_FIELDS_IGNORED = frozenset(
    {
        "id",
        "status",
        "reference_date",
        "objective",
        "not_released",
        "conflicts",
        "warnings",
        "levels",
        "solve_seconds",
        "changes",
        "options",
    }
)


def _without_plan_outputs(value: object) -> object:
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if k not in PLAN_FIELDS_IGNORED}
    return value


class AgreedPlan(_Strict):
    """The plan both sides agreed to: its stages, or only who is released (one stage).

    A plan as returned by `solve` or `repair` can be sent whole; its other fields are
    ignored. Unknown fields are still refused.
    """

    stages: list[AgreedStage] = Field(default_factory=list)
    released: AgreedReleased | None = None


AgreedPlanInput = Annotated[AgreedPlan, BeforeValidator(_without_plan_outputs)]


class RepairSettings(_Strict):
    """How to repair: which comes first, how many ranked alternatives to give, and which
    of them is the plan."""

    policy: RepairPolicy = Field(
        default="priorities_first",
        description="priorities_first: the priorities and the number released first, then "
        "fewest changes; fewest_changes_first: fewest changes before anything else.",
    )
    options: Annotated[StrictInt, Field(ge=0, le=10)] = Field(
        default=0,
        description="How many ranked alternatives to give in `options` (0: none). They "
        "differ in who replaces whom; see the README.",
    )
    choose: Annotated[StrictInt, Field(ge=1, le=10)] = Field(
        default=1,
        description="Which ranked alternative to return as the repaired plan (1: the best). "
        "At least this many are ranked; the mediator picks one after seeing them.",
    )

    @property
    def ranked(self) -> int:
        """How many alternatives to rank: those asked for, and the one chosen."""
        return max(self.options, self.choose) if self.choose > 1 else self.options


class RepairRequest(ExchangeRequest):
    """The request the agreed plan was made from, the agreed plan, and the events."""

    plan: AgreedPlanInput
    events: list[Event] = Field(default_factory=list)
    repair: RepairSettings = Field(default_factory=RepairSettings)

    def exchange(self) -> ExchangeRequest:
        """The exchange request alone, as the agreed plan was made from it."""
        return ExchangeRequest(
            terms=self.terms, side_a=self.side_a, side_b=self.side_b, options=self.options
        )


class RepairedStage(Stage):
    """A stage of a repaired plan: executed ones hold who was handed over."""

    executed: bool


class RepairObjective(Objective):
    """Every level's value, the number of changes to the agreed plan included."""

    changes: int


class Added(_Out):
    side: Side
    id: str
    stage: int


class Removed(_Out):
    side: Side
    id: str
    stage: int = Field(description="The stage agreed for the person.")


class Moved(_Out):
    model_config = ConfigDict(
        extra="forbid", defer_build=True, serialize_by_alias=True, validate_by_name=True
    )

    side: Side
    id: str
    from_: int = Field(alias="from")
    to: int


class Changes(_Out):
    """Who the repaired plan releases that the agreed one did not, who it no longer
    releases, and who goes in another stage; dropouts and executed stages aside."""

    added: list[Added] = Field(default_factory=list)
    removed: list[Removed] = Field(default_factory=list)
    moved: list[Moved] = Field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.added) + len(self.removed) + len(self.moved)


class OptionLevel(_Out):
    """One level of an alternative, next to the best repaired plan's value."""

    name: str
    sense: Literal["max", "min"]
    value: int
    best: int
    proven: bool = Field(
        description="Proven optimal: the option equals the best plan here and at every "
        "level above (true at every level of an option whose status is optimal)."
    )


class RepairOption(_Out):
    """One of the best few repaired plans, ranked; the first is the repaired plan itself."""

    rank: int
    status: PlanStatus
    objective: RepairObjective
    levels: list[OptionLevel]
    comparison: str = Field(description="Where this option first differs from the best.")
    changes: Changes
    stages: list[RepairedStage]


class RepairedPlan(Plan):
    """A plan changed as little as the terms allow after the events of the day."""

    stages: list[RepairedStage] = Field(default_factory=list)  # type: ignore[assignment]
    objective: RepairObjective | None = None
    changes: Changes = Field(default_factory=Changes)
    options: list[RepairOption] = Field(default_factory=list)
