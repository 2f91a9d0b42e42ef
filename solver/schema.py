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


class Detainee(_Strict):
    """One person a side holds and could release."""

    id: DetaineeId
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
NotReleasedReason = Literal["ineligible", "no_consent", "must_exclude", "not_selected"]
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
