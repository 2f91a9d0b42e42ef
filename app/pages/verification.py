"""Screen 7, check a draft: a mediator's draft plan (from paper or another tool) against
the case's terms: every rule it breaks, and each level of the objective next to the
optimum's.

The body is the one `POST /v1/plans/verify` takes (the case's request with the draft as
`plan`), read by the same `verify_intake`, re-checked by the solver's independent
validation; nothing is stored.
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from app.audit import AuditLog
from app.case_documents import case_request_json
from app.case_store import CaseStore
from app.core.offload import Offload
from app.core.security import Caller
from app.dispatch import SolveDispatcher
from app.models import CaseRecord
from app.pages.cases import case_context
from app.pages.deps import Mediator, PageCase
from app.pages.rendering import render
from app.pages.routing import PageRoute, form_of
from app.problems import ProblemError, ProblemItem, invalid_request
from app.solving.pool import QueueFullError
from app.verification import VerifyReport, verify_intake, verify_report_json
from solver.input_errors import InvalidRequest

router = APIRouter(route_class=PageRoute)

IDS_SHOWN = 20


def _render(
    request: Request,
    case: CaseRecord,
    caller: Caller,
    report: VerifyReport | None = None,
    problems: list[ProblemItem] | None = None,
    not_ready: bool = False,
    status_code: int = 200,
) -> Response:
    context = {
        **case_context(request, case, caller, "verify_page"),
        "report": report,
        "problems": problems,
        "problem_side": None,
        "not_ready": not_ready,
        "ids_shown": IDS_SHOWN,
    }
    return render(request, "verify.html", context, status_code=status_code)


def _problem(rule: str, message: str) -> ProblemItem:
    return ProblemItem(side=None, id=None, field="plan", rule=rule, message=message)


@router.get("/cases/{case_id}/verify", name="verify_page")
async def verify_page(request: Request, case: PageCase, caller: Mediator) -> Response:
    return _render(request, case, caller)


@router.post("/cases/{case_id}/verify", name="verify_draft")
async def verify_draft(request: Request, case: PageCase, caller: Mediator) -> Response:
    form = await form_of(request)
    upload = form.get("draft_file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        missing = _problem("missing_file", "no file was chosen")
        return _render(request, case, caller, problems=[missing], status_code=422)
    try:
        draft = json.loads(await upload.read())
    except ValueError:
        unreadable = _problem("unreadable_json", "the draft is not readable as JSON")
        return _render(request, case, caller, problems=[unreadable], status_code=422)
    cases: CaseStore = request.app.state.cases
    try:
        base = await run_in_threadpool(case_request_json, cases, case)
    except ProblemError:
        return _render(request, case, caller, not_ready=True, status_code=409)
    document = json.loads(base)
    document["plan"] = draft
    body = json.dumps(document).encode("utf-8")
    settings = request.app.state.settings
    offload: Offload = request.app.state.offload
    try:
        intake = await offload.run(len(body), verify_intake, body, settings)
    except InvalidRequest as error:
        items = invalid_request(error.problems).errors or []
        return _render(request, case, caller, problems=items, status_code=422)
    except ProblemError as problem:
        if problem.status != 422:
            raise
        return _render(request, case, caller, problems=problem.errors, status_code=422)
    audit: AuditLog = request.app.state.audit
    dispatcher: SolveDispatcher = request.app.state.dispatcher
    await run_in_threadpool(audit.append, "solve", caller, case_id=case.id)
    try:
        outcome = await dispatcher.solve_now(intake.order)
    except QueueFullError:
        retry = str(settings.retry_after_s)
        raise ProblemError(503, "busy", headers={"Retry-After": retry}) from None
    optimum_json = outcome.plan.json if outcome.plan is not None else None
    report_json = await offload.run(
        len(body), verify_report_json, intake.order.request_json, intake.proposal_json, optimum_json
    )
    return _render(request, case, caller, report=VerifyReport.model_validate_json(report_json))
