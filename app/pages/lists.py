"""Screen 2, lists: each side's upload (CSV, XLSX or JSON), its counts by category, the input
problems in a table (side, row, id, field, rule, never a cell's content), and the list
read back. A party uses the same upload and read-back for its own side only.

Lists are checked by `app.party_lists`, exactly as `PUT /v1/cases/{id}/lists/{side}`
checks them, stored the same way and audited the same way.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from app.audit import AuditLog
from app.case_documents import case_view
from app.case_store import CaseStore
from app.core.db import checkpoint
from app.core.offload import Offload
from app.core.security import Caller
from app.models import CaseRecord
from app.pages.cases import case_context
from app.pages.deps import Mediator, PageCaller, PageCase
from app.pages.list_counts import ListCounts, list_counts, terms_of
from app.pages.rendering import is_htmx, page_path, render
from app.pages.routing import PageRoute, form_of
from app.party_lists import list_from_csv, list_from_json, list_from_xlsx
from app.problems import ProblemError, ProblemItem, invalid_request, not_found
from app.xlsx_lists import is_xlsx
from solver.categories import categories_of, reference_date_of
from solver.input_errors import InvalidRequest
from solver.schema import SideList

router = APIRouter(route_class=PageRoute)

PageSide = Literal["side_a", "side_b"]
SIDES: tuple[PageSide, PageSide] = ("side_a", "side_b")
PEOPLE_PER_PAGE = 100


def _side_counts(
    cases: CaseStore, case: CaseRecord, sides: tuple[str, ...]
) -> dict[str, ListCounts]:
    terms = terms_of(case.terms_json)
    counts = {}
    for side in sides:
        stored = cases.get_list(case.id, side)
        if stored is not None:
            counts[side] = list_counts(SideList.model_validate_json(stored.list_json), terms)
    return counts


async def _lists_page(
    request: Request,
    case: CaseRecord,
    caller: Caller,
    problems: list[ProblemItem] | None = None,
    problem_side: str | None = None,
    uploaded: str | None = None,
    status_code: int = 200,
) -> Response:
    cases: CaseStore = request.app.state.cases
    view = await run_in_threadpool(case_view, case, caller, cases)
    if not caller.is_mediator:
        context = {**case_context(request, case, caller, "case_page"), "view": view}
        context |= {"problems": problems, "problem_side": problem_side}
        return render(request, "party_case.html", context, status_code=status_code)
    counts = await run_in_threadpool(_side_counts, cases, case, SIDES)
    receipts = {receipt.side: receipt for receipt in view.lists}
    context = {
        **case_context(request, case, caller, "lists_page"),
        "receipts": receipts,
        "counts": counts,
        "problems": problems,
        "problem_side": problem_side,
        "uploaded": uploaded,
    }
    return render(request, "lists.html", context, status_code=status_code)


@router.get("/cases/{case_id}/lists", name="lists_page")
async def lists_page(request: Request, case: PageCase, caller: Mediator) -> Response:
    return await _lists_page(request, case, caller, uploaded=request.query_params.get("uploaded"))


def _reader_for(upload: UploadFile, body: bytes) -> Literal["csv", "xlsx", "json"]:
    """A workbook when its bytes are one (whatever its name); JSON when the file says so
    (its name, its type, or a leading `{`); else CSV."""
    if is_xlsx(body):
        return "xlsx"
    name = (upload.filename or "").lower()
    if name.endswith(".json") or (upload.content_type or "").startswith("application/json"):
        return "json"
    if name.endswith((".csv", ".tsv", ".txt")):
        return "csv"
    return "json" if body.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{") else "csv"


@router.post("/cases/{case_id}/lists/{side}", name="upload_list")
async def upload_list(
    request: Request, case: PageCase, caller: PageCaller, side: PageSide
) -> Response:
    """A party uploads its own side's list; the mediator either side's."""
    if not caller.may_see(case.id, side):
        raise not_found("case")
    form = await form_of(request)
    upload = form.get("list_file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        missing = ProblemItem(
            side=side, id=None, field="list_file", rule="missing_file", message="no file was chosen"
        )
        return await _lists_page(request, case, caller, [missing], side, status_code=422)
    body = await upload.read()
    kind = _reader_for(upload, body)
    reader = {"csv": list_from_csv, "xlsx": list_from_xlsx, "json": list_from_json}[kind]
    offload: Offload = request.app.state.offload
    try:
        checked = await offload.run(len(body), reader, body, side, request.app.state.settings)
    except InvalidRequest as error:
        items = invalid_request(error.problems).errors or []
        return await _lists_page(request, case, caller, items, side, status_code=422)
    except ProblemError as problem:
        if problem.status != 422:
            raise
        return await _lists_page(request, case, caller, problem.errors or [], side, status_code=422)
    cases: CaseStore = request.app.state.cases
    audit: AuditLog = request.app.state.audit
    receipt = await run_in_threadpool(
        cases.put_list, case.id, side, kind, checked.detainee_count, checked.list_json
    )
    if receipt is None:
        raise not_found("case")
    await run_in_threadpool(checkpoint, request.app.state.engine)
    await run_in_threadpool(
        audit.append,
        "list_upload",
        caller,
        case_id=case.id,
        side=side,
        count=checked.detainee_count,
    )
    target = "lists_page" if caller.is_mediator else "case_page"
    return RedirectResponse(
        page_path(request, target, case_id=case.id) + f"?uploaded={side}", status_code=303
    )


@router.get("/cases/{case_id}/lists/{side}", name="list_view_page")
async def list_view_page(
    request: Request,
    case: PageCase,
    caller: PageCaller,
    side: PageSide,
    id: Annotated[str, Query(max_length=64)] = "",
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    """The list as stored, a page at a time; every read is audited, as from the API."""
    if not caller.may_see(case.id, side):
        raise not_found("list")
    cases: CaseStore = request.app.state.cases
    audit: AuditLog = request.app.state.audit
    stored = await run_in_threadpool(cases.get_list, case.id, side)
    if stored is None:
        raise not_found("list")
    await run_in_threadpool(
        audit.append, "list_read", caller, case_id=case.id, side=side, count=stored.detainee_count
    )
    side_list = await run_in_threadpool(SideList.model_validate_json, stored.list_json)
    terms = terms_of(case.terms_json)
    on = reference_date_of(terms)
    people = [p for p in side_list.detainees if id.strip().lower() in p.id.lower()]
    pages = max(1, -(-len(people) // PEOPLE_PER_PAGE))
    page = min(page, pages)
    shown = people[(page - 1) * PEOPLE_PER_PAGE : page * PEOPLE_PER_PAGE]
    rows = [(p, sorted(categories_of(p, on, terms.young_age_limit))) for p in shown]
    context = {
        **case_context(request, case, caller, "lists_page" if caller.is_mediator else "case_page"),
        "side": side,
        "side_name": side_list.name,
        "rows": rows,
        "matching": len(people),
        "listed": len(side_list.detainees),
        "page": page,
        "pages": pages,
        "filter_id": id,
    }
    template = "fragments/people_table.html" if is_htmx(request) else "list_view.html"
    return render(request, template, context)
