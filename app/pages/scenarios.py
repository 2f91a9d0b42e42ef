"""Screen 6, scenarios: the case's lists under several variants of its terms, solved side
by side and compared in one table.

Each variant names only what it changes (the floor, the cap, parity, the stages,
civilians separately, who goes outside parity, who must all be released). The body is
the one `POST /v1/scenarios` takes, read by the same `scenario_intake` and solved the
same way; nothing is stored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from app.audit import AuditLog
from app.case_documents import case_request_json
from app.case_store import CaseStore
from app.core.offload import Offload
from app.core.security import Caller
from app.dispatch import SolveDispatcher
from app.models import CaseRecord
from app.pages.cases import case_context
from app.pages.deps import Mediator, PageCase
from app.pages.rendering import is_htmx, render
from app.pages.routing import PageRoute, form_of
from app.problems import ProblemError, ProblemItem, invalid_request
from app.scenarios import ScenarioComparison, comparison_json, scenario_intake
from app.solving.pool import QueueFullError
from solver.input_errors import InvalidRequest

router = APIRouter(route_class=PageRoute)

FIRST_ROWS = 3
KEEP = "keep"
# The choices offered for the list terms, as the categories each stands for.
CATEGORY_CHOICES: dict[str, list[str]] = {
    "none": [],
    "seriously_ill": ["seriously_ill"],
    "seriously_ill_young": ["seriously_ill", "young"],
}
_FIELDS = ("name", "min", "max", "parity", "stages", "civilians", "outside", "release_all")


@dataclass
class VariantRows:
    """The variants as typed, and a message (catalogue key) per field that is not right."""

    rows: list[dict[str, str]]
    include_base: bool = True
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def empty(cls, count: int = FIRST_ROWS) -> VariantRows:
        return cls([_blank() for _ in range(count)])


def _blank() -> dict[str, str]:
    return {
        name: KEEP if name in ("parity", "civilians", "outside", "release_all") else ""
        for name in _FIELDS
    }


def rows_of(form: FormData, limit: int) -> VariantRows:
    count = str(form.get("rows", FIRST_ROWS))
    total = min(int(count) if count.isdigit() else FIRST_ROWS, limit)
    rows = [
        {name: str(form.get(f"{name}_{i}", _blank()[name])).strip() for name in _FIELDS}
        for i in range(total)
    ]
    return VariantRows(rows, include_base=form.get("include_base") == "yes")


def _whole(text: str) -> int | None:
    cleaned = text.replace(",", "").replace(" ", "")
    return int(cleaned) if cleaned.isdigit() else None


def variants_of(rows: VariantRows) -> list[dict[str, Any]]:
    """The `variants` of a scenario request; problems go to `rows.errors`."""
    variants: list[dict[str, Any]] = []
    if rows.include_base:
        variants.append({"name": "as agreed", "terms": {}})
    for i, row in enumerate(rows.rows):
        changed = {k: v for k, v in row.items() if k != "name" and v not in ("", KEEP)}
        if not row["name"] and not changed:
            continue
        if not row["name"]:
            rows.errors[f"name_{i}"] = "scenarios.error_name"
        terms: dict[str, Any] = {}
        for key, term in (("min", "min_per_side"), ("max", "max_per_side")):
            if row[key]:
                number = _whole(row[key])
                if number is None:
                    rows.errors[f"{key}_{i}"] = "terms.error_whole_number"
                else:
                    terms[term] = number
        if row["parity"] in ("total", "per_status"):
            terms["parity"] = row["parity"]
        if row["stages"] == "-":
            terms["stages"] = None
        elif row["stages"]:
            parts = [p for p in row["stages"].replace(";", ",").replace(" ", ",").split(",") if p]
            if all(p.isdigit() for p in parts):
                terms["stages"] = [int(p) for p in parts]
            else:
                rows.errors[f"stages_{i}"] = "terms.error_stages"
        if row["civilians"] in ("yes", "no"):
            terms["civilians_separately"] = row["civilians"] == "yes"
        for key, term in (("outside", "outside_parity"), ("release_all", "release_all")):
            if row[key] in CATEGORY_CHOICES:
                terms[term] = CATEGORY_CHOICES[row[key]]
        variants.append({"name": row["name"] or f"({i + 1})", "terms": terms})
    if not variants:
        rows.errors["rows"] = "scenarios.error_none"
    return variants


def _render(
    request: Request,
    case: CaseRecord,
    caller: Caller,
    rows: VariantRows,
    comparison: ScenarioComparison | None = None,
    problems: list[ProblemItem] | None = None,
    not_ready: bool = False,
    status_code: int = 200,
) -> Response:
    settings = request.app.state.settings
    context = {
        **case_context(request, case, caller, "scenarios_page"),
        "rows": rows,
        "comparison": comparison,
        "problems": problems,
        "problem_side": None,
        "not_ready": not_ready,
        "max_rows": settings.max_scenario_variants - 1,
        "category_choices": list(CATEGORY_CHOICES),
    }
    if is_htmx(request):
        return render(request, "fragments/scenario_results.html", context)
    return render(request, "scenarios.html", context, status_code=status_code)


@router.get("/cases/{case_id}/scenarios", name="scenarios_page")
async def scenarios_page(request: Request, case: PageCase, caller: Mediator) -> Response:
    return _render(request, case, caller, VariantRows.empty())


@router.post("/cases/{case_id}/scenarios", name="compare_scenarios")
async def compare_scenarios(request: Request, case: PageCase, caller: Mediator) -> Response:
    settings = request.app.state.settings
    form = await form_of(request)
    rows = rows_of(form, settings.max_scenario_variants)
    if form.get("action") == "add" and len(rows.rows) < settings.max_scenario_variants - 1:
        rows.rows.append(_blank())
        return render(
            request,
            "scenarios.html",
            {
                **case_context(request, case, caller, "scenarios_page"),
                "rows": rows,
                "comparison": None,
                "problems": None,
                "problem_side": None,
                "not_ready": False,
                "max_rows": settings.max_scenario_variants - 1,
                "category_choices": list(CATEGORY_CHOICES),
                "focus_row": len(rows.rows) - 1,
            },
        )
    variants = variants_of(rows)
    if rows.errors:
        return _render(request, case, caller, rows, status_code=422)
    cases: CaseStore = request.app.state.cases
    try:
        base = await run_in_threadpool(case_request_json, cases, case)
    except ProblemError:
        return _render(request, case, caller, rows, not_ready=True, status_code=409)
    document = json.loads(base)
    document["variants"] = variants
    body = json.dumps(document).encode("utf-8")
    offload: Offload = request.app.state.offload
    try:
        orders = await offload.run(len(body), scenario_intake, body, settings)
    except InvalidRequest as error:
        items = invalid_request(error.problems).errors or []
        return _render(request, case, caller, rows, problems=items, status_code=422)
    except ProblemError as problem:
        if problem.status != 422:
            raise
        return _render(request, case, caller, rows, problems=problem.errors, status_code=422)
    audit: AuditLog = request.app.state.audit
    dispatcher: SolveDispatcher = request.app.state.dispatcher
    await run_in_threadpool(audit.append, "solve", caller, case_id=case.id, count=len(orders))
    try:
        outcomes = await dispatcher.solve_all([order for _, order in orders])
    except QueueFullError:
        retry = str(settings.retry_after_s)
        raise ProblemError(503, "busy", headers={"Retry-After": retry}) from None
    plan_jsons = [o.plan.json if o.plan is not None else None for o in outcomes]
    errors = [o.error or o.status if o.plan is None else None for o in outcomes]
    names = [name for name, _ in orders]
    table = await offload.run(len(body), comparison_json, names, plan_jsons, errors)
    comparison = ScenarioComparison.model_validate_json(table)
    return _render(request, case, caller, rows, comparison=comparison)
