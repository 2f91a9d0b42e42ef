"""CSV uploads: each side's list as a CSV file, the terms as JSON, solved like JSON bodies.

The form is read here, not by FastAPI, so that a bad cell is reported by side, row, id and
field and never quoted back. The list parts may be files (`curl -F side_a=@a.csv`) or
plain text fields (what Swagger's "Try it out" sends with the example).
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from app.api.deps import DispatcherDep, OffloadDep, PlansDep, SettingsDep
from app.api.openapi import form_body
from app.api.routes.jobs import job_view
from app.api.stored_plans import location_of_plan, store_outcome, stored_plan_response
from app.core.config import Settings
from app.core.offload import Offload
from app.csv_lists import FIELDS, order_from_csv
from app.dispatch import SolveOrder
from app.examples import CSV_OPTIONS, CSV_TERMS, SIDE_A_CSV, SIDE_B_CSV
from app.problems import ProblemItem, invalid_request, problem_responses
from app.schemas import JobView, StoredPlan

router = APIRouter(tags=["csv"])

_FORM = form_body(
    properties={
        "side_a": {
            "type": "string",
            "description": "Side A's list as CSV (UTF-8; comma, semicolon or tab). Columns: "
            f"{', '.join(FIELDS)}; only id is required, empty cells take the default.",
            "example": SIDE_A_CSV,
        },
        "side_b": {
            "type": "string",
            "description": "Side B's list as CSV, same columns.",
            "example": SIDE_B_CSV,
        },
        "terms": {
            "type": "string",
            "description": "The terms as a JSON object (optional: the defaults apply).",
            "example": json.dumps(CSV_TERMS),
        },
        "options": {
            "type": "string",
            "description": "Options as a JSON object (optional).",
            "example": json.dumps(CSV_OPTIONS),
        },
        "side_a_name": {"type": "string", "description": "Side A's name (optional)."},
        "side_b_name": {"type": "string", "description": "Side B's name (optional)."},
    },
    required=["side_a", "side_b"],
    encoding={"side_a": {"contentType": "text/csv"}, "side_b": {"contentType": "text/csv"}},
)


@router.post(
    "/plans/csv",
    status_code=201,
    response_model=StoredPlan,
    summary="Solve an exchange from two CSV lists and store the plan",
    openapi_extra=_FORM,
    responses=problem_responses(422, 500, 503),
)
async def create_plan_from_csv(
    request: Request,
    dispatcher: DispatcherDep,
    plans: PlansDep,
    offload: OffloadDep,
    settings: SettingsDep,
) -> Response:
    """Like POST /v1/plans, with the lists as CSV (multipart form). A bad cell is
    reported with its side, row, id and field."""
    order = await _read_form(request, settings, offload)
    outcome = await dispatcher.solve_now(order)
    record = await store_outcome(plans, outcome, order, source="csv")
    location = location_of_plan(settings.api_prefix, record.id)
    return stored_plan_response(record, 201, {"Location": location})


@router.post(
    "/jobs/csv",
    status_code=202,
    response_model=JobView,
    summary="Solve an exchange from two CSV lists in the background",
    openapi_extra=_FORM,
    responses=problem_responses(422, 503),
)
async def create_job_from_csv(
    request: Request,
    dispatcher: DispatcherDep,
    offload: OffloadDep,
    settings: SettingsDep,
    response: Response,
) -> JobView:
    """Like POST /v1/jobs, with the lists as CSV (multipart form)."""
    order = await _read_form(request, settings, offload)
    record = await run_in_threadpool(dispatcher.start_job, order)
    response.headers["Location"] = f"{settings.api_prefix}/jobs/{record.id}"
    return job_view(record)


async def _read_form(request: Request, settings: Settings, offload: Offload) -> SolveOrder:
    form = await request.form(max_files=2, max_fields=8, max_part_size=settings.max_upload_bytes)
    texts: dict[str, str | None] = {}
    problems: list[ProblemItem] = []
    for name in ("side_a", "side_b", "terms", "options", "side_a_name", "side_b_name"):
        part = form.get(name)
        if part is None:
            texts[name] = None
            continue
        raw = await part.read() if isinstance(part, UploadFile) else part.encode("utf-8")
        try:
            texts[name] = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            problems.append(_part_problem(name, "not_utf8", "is not UTF-8 text"))
            texts[name] = None
    await form.close()
    lists: dict[str, str] = {}
    for side in ("side_a", "side_b"):
        text = texts[side]
        if text is None:
            if not any(p.field == side for p in problems):
                problems.append(_part_problem(side, "missing_field", "the CSV list is required"))
            continue
        lists[side] = text
    if problems:
        raise invalid_request(problems)
    names = {side: texts[f"{side}_name"] or "" for side in ("side_a", "side_b")}
    size = sum(len(text) for text in lists.values())
    return await offload.run(
        size, order_from_csv, lists, texts["terms"], texts["options"], names, settings
    )


def _part_problem(name: str, rule: str, message: str) -> ProblemItem:
    side = name if name in ("side_a", "side_b") else None
    return ProblemItem(side=side, id=None, field=name, rule=rule, message=message)
