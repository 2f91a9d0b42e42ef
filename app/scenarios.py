"""Scenario studies: one pair of lists under several variants of the terms, side by side.

Each variant names only the terms it changes ("floor 1,200", "art. 109 mode"); the rest
come from the base terms. The answer is one comparison table: status, releases per side,
every level's value and any conflicts, per variant.
"""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.core.config import Settings
from app.dispatch import SolveOrder
from app.problems import ProblemItem, invalid_request
from app.request_bodies import exchange_request_of, json_object_of
from app.schemas import ReleasedCounts
from solver import ExchangeRequest, Plan
from solver.input_errors import InputProblem, InvalidRequest
from solver.schema import Conflict, Objective, PlanWarning, Terms

VariantName = Annotated[str, Field(min_length=1, max_length=100)]


class ScenarioVariant(BaseModel):
    """A named variant: the terms it changes, each replacing the base term of that name."""

    model_config = ConfigDict(extra="forbid")

    name: VariantName
    terms: Terms = Field(
        default_factory=Terms,
        description="Only the terms written here replace the base terms; {} keeps them all.",
    )


class ScenarioRequest(ExchangeRequest):
    """An exchange request (the base terms) and the variants to compare."""

    variants: list[ScenarioVariant] = Field(min_length=1)


class VariantResult(BaseModel):
    """One row of the comparison table."""

    name: str
    status: str = Field(description="The plan's status, or failed.")
    released: ReleasedCounts
    levels: dict[str, int | None] = Field(description="Each level's value, by level name.")
    objective: Objective | None
    conflicts: list[Conflict]
    warnings: list[PlanWarning]
    not_released: dict[str, int] = Field(description="People not released, by reason.")
    solve_seconds: float | None
    error: str | None = None


class ScenarioComparison(BaseModel):
    """The variants side by side; `levels` orders the level columns."""

    levels: list[str]
    variants: list[VariantResult]


def scenario_intake(body: bytes, settings: Settings) -> list[tuple[str, SolveOrder]]:
    """Read a scenario body into named orders (runs through `app.core.offload`)."""
    variants = read_scenario_body(json_object_of(body), settings)
    return [(name, SolveOrder.of(request)) for name, request in variants]


def comparison_json(
    names: list[str], plan_jsons: list[str | None], errors: list[str | None]
) -> str:
    """The comparison table as JSON, from plan documents (runs through `app.core.offload`)."""
    plans = [Plan.model_validate_json(p) if p is not None else None for p in plan_jsons]
    return comparison(names, plans, errors).model_dump_json()


def read_scenario_body(
    document: dict[str, object], settings: Settings
) -> list[tuple[str, ExchangeRequest]]:
    """Each variant's name and full request; every problem in the body raises at once."""
    raw_variants = document.pop("variants", None)
    problems: list[InputProblem | ProblemItem] = []
    base_ok = True
    try:
        exchange_request_of(document, settings)
    except InvalidRequest as error:
        problems.extend(error.problems)
        base_ok = False
    variants = _read_variants(raw_variants, settings, problems)
    requests = []
    base_terms = document.get("terms")
    base = base_terms if isinstance(base_terms, dict) else {}
    # With broken base lists every variant would repeat their problems, so skip them.
    for index, name, overrides in variants if base_ok else []:
        merged = {**document, "terms": {**base, **overrides}}
        try:
            requests.append((name, exchange_request_of(merged, settings)))
        except InvalidRequest as error:
            problems.extend(_in_variant(index, p) for p in error.problems)
    if problems:
        raise invalid_request(problems)
    return requests


def comparison(
    names: list[str], plans: list[Plan | None], errors: list[str | None]
) -> ScenarioComparison:
    """The table; a variant whose solve failed has `status` failed and its error."""
    order: dict[str, None] = {}
    rows = []
    for name, plan, error in zip(names, plans, errors, strict=True):
        if plan is None:
            rows.append(
                VariantResult(
                    name=name,
                    status="failed",
                    released=ReleasedCounts(side_a=0, side_b=0),
                    levels={},
                    objective=None,
                    conflicts=[],
                    warnings=[],
                    not_released={},
                    solve_seconds=None,
                    error=error,
                )
            )
            continue
        levels = {level.name: level.value for level in plan.levels}
        order.update(dict.fromkeys(levels))
        rows.append(
            VariantResult(
                name=name,
                status=plan.status,
                released=ReleasedCounts(
                    side_a=len(plan.released.side_a), side_b=len(plan.released.side_b)
                ),
                levels=levels,
                objective=plan.objective,
                conflicts=plan.conflicts,
                warnings=plan.warnings,
                not_released=dict(sorted(Counter(n.reason for n in plan.not_released).items())),
                solve_seconds=plan.solve_seconds,
            )
        )
    return ScenarioComparison(levels=list(order), variants=rows)


def _read_variants(
    raw: object, settings: Settings, problems: list[InputProblem | ProblemItem]
) -> list[tuple[int, str, dict[str, Any]]]:
    """Position, name and term overrides of each well-formed variant; the problems of the
    others are appended to `problems`."""
    if not isinstance(raw, list) or not raw:
        problems.append(
            _problem("variants", "missing_field", "must list at least one variant: {name, terms}")
        )
        return []
    if len(raw) > settings.max_scenario_variants:
        problems.append(
            _problem(
                "variants",
                "too_many",
                f"at most {settings.max_scenario_variants} variants per request",
            )
        )
        return []
    variants = []
    seen: set[str] = set()
    for index, entry in enumerate(raw):
        try:
            variant = ScenarioVariant.model_validate(
                {**entry, "terms": {}} if isinstance(entry, dict) else entry
            )
        except ValidationError as error:
            for detail in error.errors():
                where = ".".join(str(p) for p in detail["loc"])
                problems.append(
                    _problem(f"variants[{index}].{where}", str(detail["type"]), str(detail["msg"]))
                )
            continue
        overrides = entry.get("terms", {})
        if not isinstance(overrides, dict):
            problems.append(
                _problem(
                    f"variants[{index}].terms",
                    "wrong_type",
                    "must be an object of the terms to change",
                )
            )
            continue
        if variant.name in seen:
            problems.append(
                _problem(
                    f"variants[{index}].name", "duplicate_name", "another variant has the same name"
                )
            )
        seen.add(variant.name)
        variants.append((index, variant.name, overrides))
    return variants


def _in_variant(index: int, problem: InputProblem) -> ProblemItem:
    item = ProblemItem.model_validate(problem.model_dump())
    at = f"variants[{index}]"
    field = f"{at}.{item.field}" if item.field.startswith("terms") else item.field
    return item.model_copy(update={"field": field, "message": f"in {at}: {item.message}"})


def _problem(field: str, rule: str, message: str) -> ProblemItem:
    return ProblemItem(side=None, id=None, field=field, rule=rule, message=message)
