"""Screen 5, solving: start a solve of the case as a background job, watch the levels
being proven, stop it (keeping the best plan so far), and land on the plan.

The job is the same as `POST /v1/cases/{id}/solve` makes: the case's stored request,
read by the solver's own reader, solved by the worker pool, its plan stored as a draft.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from app.api.routes.jobs import job_view
from app.api.routes.plans import plan_summary
from app.audit import AuditLog
from app.case_documents import case_request_json, case_view
from app.case_store import CaseStore
from app.core.offload import Offload
from app.core.security import Caller
from app.dispatch import SolveDispatcher
from app.job_store import JobStore
from app.models import CaseRecord, JobRecord
from app.pages.cases import case_context
from app.pages.deps import Mediator, PageCase
from app.pages.rendering import is_htmx, page_path, render
from app.pages.routing import PageRoute
from app.problems import ProblemError, ProblemItem, invalid_request, not_found
from app.request_bodies import order_from_json
from app.schemas import FINISHED_JOB_STATUSES
from app.solving.pool import QueueFullError
from solver.input_errors import InvalidRequest

router = APIRouter(route_class=PageRoute)


async def _solve_page(
    request: Request,
    case: CaseRecord,
    caller: Caller,
    problems: list[ProblemItem] | None = None,
    status_code: int = 200,
) -> Response:
    cases: CaseStore = request.app.state.cases
    view = await run_in_threadpool(case_view, case, caller, cases)
    drafts = [plan_summary(listing) for listing in await run_in_threadpool(cases.drafts, case.id)]
    running = await run_in_threadpool(cases.unfinished_jobs, case.id)
    sides = {receipt.side for receipt in view.lists}
    context = {
        **case_context(request, case, caller, "solve_page"),
        "view": view,
        "drafts": drafts,
        "running": running,
        "missing_sides": [side for side in ("side_a", "side_b") if side not in sides],
        "problems": problems,
        "problem_side": None,
    }
    return render(request, "solve.html", context, status_code=status_code)


@router.get("/cases/{case_id}/solve", name="solve_page")
async def solve_page(request: Request, case: PageCase, caller: Mediator) -> Response:
    return await _solve_page(request, case, caller)


@router.post("/cases/{case_id}/solve", name="start_solve")
async def start_solve(request: Request, case: PageCase, caller: Mediator) -> Response:
    cases: CaseStore = request.app.state.cases
    audit: AuditLog = request.app.state.audit
    dispatcher: SolveDispatcher = request.app.state.dispatcher
    offload: Offload = request.app.state.offload
    try:
        body = await run_in_threadpool(case_request_json, cases, case)
        order = await offload.run(len(body), order_from_json, body, request.app.state.settings)
    except ProblemError as problem:
        if problem.status == 409:
            return await _solve_page(request, case, caller, status_code=409)
        return await _solve_page(request, case, caller, problem.errors, problem.status)
    except InvalidRequest as error:
        items = invalid_request(error.problems).errors
        return await _solve_page(request, case, caller, items, 422)
    try:
        job = await run_in_threadpool(dispatcher.start_job, order, None, case.id)
    except QueueFullError:
        retry = str(request.app.state.settings.retry_after_s)
        raise ProblemError(503, "busy", headers={"Retry-After": retry}) from None
    await run_in_threadpool(cases.touch, case.id)
    await run_in_threadpool(audit.append, "solve", caller, case_id=case.id, object_id=job.id)
    return RedirectResponse(
        page_path(request, "job_page", case_id=case.id, job_id=job.id), status_code=303
    )


def _job_of_case(jobs: JobStore, case_id: str, job_id: str) -> JobRecord:
    record = jobs.get(job_id) if len(job_id) <= 64 else None
    if record is None or record.case_id != case_id:
        raise not_found("job")
    return record


def _plan_path(request: Request, case_id: str, plan_id: str) -> str:
    return page_path(request, "plan_page", case_id=case_id, plan_id=plan_id)


@router.get("/cases/{case_id}/jobs/{job_id}", name="job_page")
async def job_page(request: Request, case: PageCase, caller: Mediator, job_id: str) -> Response:
    """While the job runs, its progress; once it has a plan, the plan."""
    jobs: JobStore = request.app.state.jobs
    record = await run_in_threadpool(_job_of_case, jobs, case.id, job_id)
    if record.status in FINISHED_JOB_STATUSES and record.plan_id is not None:
        return RedirectResponse(_plan_path(request, case.id, record.plan_id), status_code=303)
    context = {
        **case_context(request, case, caller, "solve_page"),
        "job": job_view(record),
        "announce": None,
    }
    return render(request, "job.html", context)


@router.get("/cases/{case_id}/jobs/{job_id}/progress", name="job_progress")
async def job_progress(
    request: Request,
    case: PageCase,
    caller: Mediator,
    job_id: str,
    seen: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    """The progress fragment htmx polls; a finished job sends the browser to its plan."""
    jobs: JobStore = request.app.state.jobs
    record = await run_in_threadpool(_job_of_case, jobs, case.id, job_id)
    if record.status in FINISHED_JOB_STATUSES and record.plan_id is not None:
        target = _plan_path(request, case.id, record.plan_id) + "?solved=1"
        if is_htmx(request):
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)
    job = job_view(record)
    proven = job.progress.levels_proven if job.progress is not None else 0
    context = {
        **case_context(request, case, caller, "solve_page"),
        "job": job,
        "announce": proven if proven > seen else None,
    }
    return render(request, "fragments/job_progress.html", context)


@router.post("/cases/{case_id}/jobs/{job_id}/stop", name="stop_job")
async def stop_job(request: Request, case: PageCase, caller: Mediator, job_id: str) -> Response:
    """Like DELETE /v1/jobs/{id}: a queued job is cancelled, a running solve ends with
    the best plan found so far (within two seconds)."""
    jobs: JobStore = request.app.state.jobs
    dispatcher: SolveDispatcher = request.app.state.dispatcher
    record = await run_in_threadpool(_job_of_case, jobs, case.id, job_id)
    if record.status not in FINISHED_JOB_STATUSES:
        wait = request.app.state.settings.cancel_wait_s
        await run_in_threadpool(dispatcher.stop_job, job_id, wait)
    target = page_path(request, "job_page", case_id=case.id, job_id=job_id)
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": str(target)})
    return RedirectResponse(target, status_code=303)
