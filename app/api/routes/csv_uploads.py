"""CSV uploads: each side's list as CSV (or XLSX), the terms as JSON, solved like JSON bodies.

Two ways to send the same thing: a multipart form with a file per side
(`curl -F side_a=@a.csv -F side_b=@b.csv -F terms='{...}'`), or a JSON object holding the
CSV text (what Swagger's "Try it out" sends as is). Either way the body is read here, not
by FastAPI, so that a bad cell is reported by side, row, id and field and never quoted.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from app.api.deps import AuditDep, CallerDep, DispatcherDep, OffloadDep, PlansDep, SettingsDep
from app.api.openapi import form_body, json_body
from app.api.routes.jobs import job_view
from app.api.stored_plans import location_of_plan, store_outcome, stored_plan_response
from app.core.config import Settings
from app.core.offload import Offload
from app.csv_lists import FIELDS, CsvUpload, order_from_csv, order_from_csv_json
from app.dispatch import SolveOrder
from app.examples import CSV_UPLOAD_EXAMPLES
from app.problems import ProblemItem, invalid_request, problem_responses
from app.schemas import JobView, StoredPlan
from app.xlsx_lists import XLSX_CONTENT_TYPE, is_xlsx

router = APIRouter(tags=["csv"])

_JSON = json_body(CsvUpload, CSV_UPLOAD_EXAMPLES)["requestBody"]["content"]
_FORM = form_body(
    properties={
        "side_a": {
            "type": "string",
            "format": "binary",
            "description": "Side A's list as a CSV file (UTF-8; comma, semicolon or tab), "
            "or an XLSX workbook whose first sheet is laid out the same way. "
            f"Columns: {', '.join(FIELDS)}; only id is required, empty cells take the default.",
        },
        "side_b": {
            "type": "string",
            "format": "binary",
            "description": "Side B's list as a CSV or XLSX file, same columns.",
        },
        "terms": {
            "type": "string",
            "description": "The terms as a JSON object (optional: the defaults apply).",
        },
        "options": {"type": "string", "description": "Options as a JSON object (optional)."},
        "side_a_name": {"type": "string", "description": "Side A's name (optional)."},
        "side_b_name": {"type": "string", "description": "Side B's name (optional)."},
    },
    required=["side_a", "side_b"],
    encoding={
        "side_a": {"contentType": f"text/csv, {XLSX_CONTENT_TYPE}"},
        "side_b": {"contentType": f"text/csv, {XLSX_CONTENT_TYPE}"},
    },
)
# JSON first: it is what Swagger UI offers by default, with a working example.
_BODY = {
    "requestBody": {
        "required": True,
        "content": {**_JSON, **_FORM["requestBody"]["content"]},
    }
}


@router.post(
    "/plans/csv",
    status_code=201,
    response_model=StoredPlan,
    summary="Solve an exchange from two CSV lists and store the plan",
    openapi_extra=_BODY,
    responses=problem_responses(422, 500, 503),
)
async def create_plan_from_csv(
    request: Request,
    caller: CallerDep,
    audit: AuditDep,
    dispatcher: DispatcherDep,
    plans: PlansDep,
    offload: OffloadDep,
    settings: SettingsDep,
) -> Response:
    """Like POST /v1/plans, with the lists as CSV: a multipart form with a file per side,
    or a JSON object holding the CSV text. A bad cell is reported with its side, row, id
    and field."""
    order = await _read_form(request, settings, offload)
    outcome = await dispatcher.solve_now(order)
    record = await store_outcome(plans, outcome, order, source="csv")
    await run_in_threadpool(audit.append, "solve", caller, object_id=record.id)
    location = location_of_plan(settings.api_prefix, record.id)
    return stored_plan_response(record, 201, {"Location": location})


@router.post(
    "/jobs/csv",
    status_code=202,
    response_model=JobView,
    summary="Solve an exchange from two CSV lists in the background",
    openapi_extra=_BODY,
    responses=problem_responses(422, 503),
)
async def create_job_from_csv(
    request: Request,
    caller: CallerDep,
    audit: AuditDep,
    dispatcher: DispatcherDep,
    offload: OffloadDep,
    settings: SettingsDep,
    response: Response,
) -> JobView:
    """Like POST /v1/jobs, with the lists as CSV (a multipart form, or JSON with the CSV
    text)."""
    order = await _read_form(request, settings, offload)
    record = await run_in_threadpool(dispatcher.start_job, order)
    await run_in_threadpool(audit.append, "solve", caller, object_id=record.id)
    response.headers["Location"] = f"{settings.api_prefix}/jobs/{record.id}"
    return job_view(record)


async def _read_form(request: Request, settings: Settings, offload: Offload) -> SolveOrder:
    if request.headers.get("content-type", "").startswith("application/json"):
        body = await request.body()
        return await offload.run(len(body), order_from_csv_json, body, settings)
    try:
        form = await request.form(
            max_files=2, max_fields=8, max_part_size=settings.max_upload_bytes
        )
    except HTTPException as error:  # Starlette's 400 for a form it cannot read
        raise invalid_request(
            [_part_problem("request", "unreadable_form", str(error.detail)[:200])]
        ) from None
    texts: dict[str, str | None] = {}
    workbooks: dict[str, bytes] = {}
    problems: list[ProblemItem] = []
    for name in ("side_a", "side_b", "terms", "options", "side_a_name", "side_b_name"):
        part = form.get(name)
        if part is None:
            texts[name] = None
            continue
        raw = await part.read() if isinstance(part, UploadFile) else part.encode("utf-8")
        if name in ("side_a", "side_b") and is_xlsx(raw):
            workbooks[name] = raw
            texts[name] = ""
            continue
        try:
            texts[name] = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            problems.append(_part_problem(name, "not_utf8", "is not UTF-8 text"))
            texts[name] = None
    await form.close()
    lists: dict[str, str | bytes] = {}
    for side in ("side_a", "side_b"):
        text = texts[side]
        if text is None:
            if not any(p.field == side for p in problems):
                problems.append(_part_problem(side, "missing_field", "the CSV list is required"))
            continue
        lists[side] = workbooks.get(side, text)
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
