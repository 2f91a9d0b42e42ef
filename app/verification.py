"""Checking a mediator's proposed plan against the terms and against the optimum.

The proposal is checked by the solver's independent `validation` module (every broken
rule named), and its level values are put next to the optimum's, level by level.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic_core import PydanticCustomError

from app.core.config import Settings
from app.dispatch import SolveOrder
from app.problems import ProblemItem, invalid_request
from app.request_bodies import exchange_request_of, json_object_of
from app.schemas import StoredPlan
from solver import ExchangeRequest, Plan
from solver.categories import reference_date_of
from solver.input_errors import InputProblem, InvalidRequest
from solver.levels import levels_for
from solver.schema import MAX_PEOPLE, Conflict, Objective, PlanStatus, Released, Stage
from solver.validation import Violation, objective_of, recheck

# A stored plan can be pasted as the proposal: these fields of it are not looked at.
_IGNORED_PLAN_FIELDS = frozenset(StoredPlan.model_fields) - {"released", "stages", "reference_date"}


def _iso_text_only(value: object) -> object:
    """Dates come as YYYY-MM-DD text; pydantic would also take a number (Unix time)."""
    if value is not None and not isinstance(value, str | date):
        raise PydanticCustomError("date_type", "Input should be a date written YYYY-MM-DD")
    return value


class ProposedStage(Stage):
    """A stage of a proposal: its number a whole number, not "2" or 2.0."""

    model_config = ConfigDict(strict=True)

    number: Annotated[int, Field(le=MAX_PEOPLE)]


class ProposedPlan(BaseModel):
    """Who is released (and, optionally, in which stage): what a mediator drafts."""

    model_config = ConfigDict(extra="forbid")

    released: Released
    stages: list[ProposedStage] = Field(
        default_factory=list,
        description="May be left out when the terms have a single stage.",
    )
    reference_date: Annotated[date, BeforeValidator(_iso_text_only)] | None = None


class VerifyRequest(ExchangeRequest):
    """An exchange request and a proposed plan for it. The other fields of a plan returned
    by this service (status, objective, ...) may be sent along and are ignored."""

    plan: ProposedPlan


class ViolationItem(BaseModel):
    rule: str
    side: str | None
    ids: list[str]
    message: str


class LevelComparison(BaseModel):
    name: str
    sense: str
    proposal: int
    optimum: int | None


class VerifyReport(BaseModel):
    """Whether the proposal meets the terms, and how it compares with the optimum."""

    valid: bool = Field(description="The proposal meets every term.")
    violations: list[ViolationItem]
    levels: list[LevelComparison] = Field(description="Every level, in lexicographic order.")
    comparison: str = Field(description="Where the proposal first differs from the optimum.")
    proposal_objective: Objective
    optimum_status: PlanStatus | None
    optimum_objective: Objective | None
    optimum_conflicts: list[Conflict]


@dataclass(frozen=True)
class VerifyIntake:
    """A verify body, read: the request ready to solve for the optimum, and the proposal."""

    order: SolveOrder
    proposal_json: str


def verify_intake(body: bytes, settings: Settings) -> VerifyIntake:
    """Read a verify body (runs through `app.core.offload`)."""
    request, proposal = read_verify_body(json_object_of(body), settings)
    return VerifyIntake(SolveOrder.of(request), proposal.model_dump_json())


def verify_report_json(request_json: str, proposal_json: str, optimum_json: str | None) -> str:
    """The report as JSON, from documents only (runs through `app.core.offload`)."""
    request = ExchangeRequest.model_validate_json(request_json)
    proposal = Plan.model_validate_json(proposal_json)
    optimum = Plan.model_validate_json(optimum_json) if optimum_json is not None else None
    return verify_report(request, proposal, optimum).model_dump_json()


def read_verify_body(
    document: dict[str, object], settings: Settings
) -> tuple[ExchangeRequest, Plan]:
    """The request and the proposal as a plan; every problem in either raises at once."""
    raw_plan = document.pop("plan", None)
    problems: list[InputProblem | ProblemItem] = []
    request: ExchangeRequest | None = None
    try:
        request = exchange_request_of(document, settings)
    except InvalidRequest as error:
        problems.extend(error.problems)
    proposal: ProposedPlan | None = None
    if raw_plan is None:
        problems.append(
            ProblemItem(
                side=None,
                id=None,
                field="plan",
                rule="missing_field",
                message="is required: the proposed plan (released, optional stages)",
            )
        )
    else:
        try:
            proposal = ProposedPlan.model_validate(_without_ignored(raw_plan))
        except ValidationError as error:
            problems.extend(_proposal_problem(detail) for detail in error.errors())
    if problems:
        raise invalid_request(problems)
    assert request is not None
    assert proposal is not None
    return request, _as_plan(request, proposal)


def verify_report(request: ExchangeRequest, proposal: Plan, optimum: Plan | None) -> VerifyReport:
    """The report; `optimum` is None when the solve for it failed."""
    violations, values = recheck(request, proposal)
    solved = optimum is not None and optimum.status in ("optimal", "feasible")
    # The solver's plan carries its re-checked level values.
    best = tuple(lv.value or 0 for lv in optimum.levels) if optimum is not None and solved else None
    levels = levels_for(request.terms)
    return VerifyReport(
        valid=not violations,
        violations=[_violation_item(v) for v in violations],
        levels=[
            LevelComparison(
                name=level.name,
                sense=level.sense,
                proposal=value,
                optimum=best[i] if best is not None else None,
            )
            for i, (level, value) in enumerate(zip(levels, values, strict=True))
        ],
        comparison=_comparison(request, values, best, optimum),
        proposal_objective=objective_of(request, proposal),
        optimum_status=optimum.status if optimum is not None else None,
        optimum_objective=optimum.objective if optimum is not None else None,
        optimum_conflicts=optimum.conflicts if optimum is not None else [],
    )


def _comparison(
    request: ExchangeRequest,
    values: tuple[int, ...],
    best: tuple[int, ...] | None,
    optimum: Plan | None,
) -> str:
    if optimum is None:
        return "not computed: the solve for the optimum failed"
    if optimum.status == "infeasible":
        return "none: no plan meets these terms; optimum_conflicts names the conflicting ones"
    if best is None:
        return "none found within the time limit"
    for level, mine, theirs in zip(levels_for(request.terms), values, best, strict=True):
        if mine != theirs:
            ahead = mine > theirs if level.sense == "max" else mine < theirs
            verdict = "ahead of" if ahead else "short of"
            return (
                f"the proposal is {verdict} the optimum first at {level.name}: "
                f"{mine:,} vs {theirs:,}"
            )
    return "the proposal equals the optimum on every level"


def _without_ignored(raw_plan: object) -> object:
    if isinstance(raw_plan, dict):
        return {k: v for k, v in raw_plan.items() if k not in _IGNORED_PLAN_FIELDS}
    return raw_plan


def _proposal_problem(detail: Any) -> ProblemItem:
    loc = ".".join(str(part) for part in detail["loc"])
    side = next((str(p) for p in detail["loc"] if p in ("side_a", "side_b")), None)
    return ProblemItem(
        side=side,
        id=None,
        field=f"plan.{loc}" if loc else "plan",
        rule=str(detail["type"]),
        message=str(detail["msg"]),
    )


def _as_plan(request: ExchangeRequest, proposal: ProposedPlan) -> Plan:
    # Terms without a date mean "the day it is solved"; a dated proposal says which day.
    on = request.terms.reference_date or proposal.reference_date or reference_date_of(request.terms)
    return Plan(
        status="feasible",
        reference_date=on,
        released=proposal.released,
        stages=proposal.stages,
    )


def _violation_item(violation: Violation) -> ViolationItem:
    return ViolationItem(
        rule=violation.rule,
        side=violation.side.value if violation.side is not None else None,
        ids=list(violation.ids),
        message=violation.message,
    )
