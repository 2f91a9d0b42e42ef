"""The plan page (the end of screen 5) and its downloads (screen 9's files).

Status in plain words, conflicts and warnings, the server-drawn chart, counts by
category and side, each stage, every level, who is released in which stage and who is
not and why (filtered and paged on the server), and the publish button. A party reads
the published plan here too, as `GET /v1/cases/{id}/plan` gives it to them.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from app.api.routes.cases import PUBLISHABLE
from app.api.routes.charts import SVG_HEADERS
from app.api.stored_plans import plan_json_with_id
from app.audit import AuditLog
from app.case_documents import party_plan_document
from app.case_store import CaseStore
from app.core.offload import Offload
from app.core.security import Caller
from app.exchange_day import CaseDay
from app.manifest import manifest_of_documents
from app.models import CaseRecord, PlanRecord
from app.pages.cases import case_context
from app.pages.deps import Mediator, PageCaller, PageCase
from app.pages.plan_view import not_released, party_plan, plan_documents, stage_people
from app.pages.rendering import is_htmx, page_path, render
from app.pages.repair_view import chosen_rank
from app.pages.routing import PageRoute
from app.problems import case_conflict, not_found
from solver.chart import chart_of_documents
from solver.schema import RepairedPlan

router = APIRouter(route_class=PageRoute)

SideFilter = Literal["", "side_a", "side_b"]
ReasonFilter = Literal["", "not_selected", "ineligible", "no_consent", "must_exclude", "dropout"]
REASONS: tuple[str, ...] = ("not_selected", "ineligible", "no_consent", "must_exclude")
FRAGMENTS = {
    "stage-people": "fragments/stage_people.html",
    "not-released": "fragments/not_released.html",
}


class TableFilters:
    """The query parameters of the two long tables of a plan page."""

    def __init__(
        self,
        stage: Annotated[int | None, Query(ge=1, le=1000)] = None,
        stage_side: SideFilter = "",
        stage_id: Annotated[str, Query(max_length=64)] = "",
        stage_page: Annotated[int, Query(ge=1)] = 1,
        nr_side: SideFilter = "",
        nr_reason: ReasonFilter = "",
        nr_id: Annotated[str, Query(max_length=64)] = "",
        nr_page: Annotated[int, Query(ge=1)] = 1,
    ) -> None:
        self.stage = stage
        self.stage_side = stage_side
        self.stage_id = stage_id
        self.stage_page = stage_page
        self.nr_side = nr_side
        self.nr_reason = nr_reason
        self.nr_id = nr_id
        self.nr_page = nr_page


Filters = Annotated[TableFilters, Depends()]


def _draft(cases: CaseStore, case_id: str, plan_id: str) -> PlanRecord:
    record = cases.plan_of_case(case_id, plan_id) if len(plan_id) <= 64 else None
    if record is None:
        raise not_found("plan")
    return record


async def plan_response(
    request: Request,
    case: CaseRecord,
    caller: Caller,
    record: PlanRecord,
    filters: TableFilters,
) -> Response:
    cases: CaseStore = request.app.state.cases
    audit: AuditLog = request.app.state.audit
    if caller.is_mediator:
        documents = await run_in_threadpool(
            plan_documents, record.id, record.request_json, record.plan_json
        )
        plan = documents.plan
    else:
        documents = None
        plan = party_plan(party_plan_document(record, caller.role))
    published = await run_in_threadpool(cases.published, case.id)
    publications = await run_in_threadpool(cases.publications, case.id)
    repaired = isinstance(plan, RepairedPlan)
    screen = ("day_page" if repaired else "solve_page") if caller.is_mediator else "case_page"
    context = {
        **case_context(request, case, caller, screen),
        "record": record,
        "plan": plan,
        "figures": documents.figures if documents else None,
        "filters": filters,
        "people": stage_people(
            plan,
            documents,
            stage=filters.stage,
            side=filters.stage_side or None,
            search=filters.stage_id,
            page=filters.stage_page,
        ),
        "not_released": not_released(
            plan,
            documents,
            side=filters.nr_side or None,
            reason=filters.nr_reason or None,
            search=filters.nr_id,
            page=filters.nr_page,
        ),
        "repaired": repaired,
        "reasons": REASONS + (("dropout",) if repaired else ()),
        "chosen": chosen_rank(plan) if isinstance(plan, RepairedPlan) else 1,
        "is_published": published is not None and published.id == record.id,
        "versions": [p.version for p in publications if p.plan_id == record.id],
        "publishable": record.status in PUBLISHABLE,
        "just_published": request.query_params.get("published") == "1",
        "just_solved": request.query_params.get("solved") == "1",
    }
    target = request.headers.get("hx-target", "")
    if is_htmx(request) and target in FRAGMENTS:
        return render(request, FRAGMENTS[target], context)
    await run_in_threadpool(audit.append, "plan_read", caller, case_id=case.id, object_id=record.id)
    return render(request, "plan.html", context)


@router.get("/cases/{case_id}/plans/{plan_id}", name="plan_page")
async def plan_page(
    request: Request, case: PageCase, caller: Mediator, plan_id: str, filters: Filters
) -> Response:
    cases: CaseStore = request.app.state.cases
    record = await run_in_threadpool(_draft, cases, case.id, plan_id)
    return await plan_response(request, case, caller, record, filters)


@router.get("/cases/{case_id}/published", name="published_page")
async def published_page(
    request: Request, case: PageCase, caller: PageCaller, filters: Filters
) -> Response:
    """The published plan: a party's view of it, or the mediator's plan page."""
    cases: CaseStore = request.app.state.cases
    record = await run_in_threadpool(cases.published, case.id)
    if record is None:
        raise not_found("published plan")
    if caller.is_mediator:
        return RedirectResponse(
            page_path(request, "plan_page", case_id=case.id, plan_id=record.id),
            status_code=303,
        )
    return await plan_response(request, case, caller, record, filters)


@router.post("/cases/{case_id}/plans/{plan_id}/publish", name="publish_plan")
async def publish_plan(
    request: Request, case: PageCase, caller: Mediator, plan_id: str
) -> Response:
    record = await publish_draft(request, case, caller, plan_id)
    return RedirectResponse(
        page_path(request, "plan_page", case_id=case.id, plan_id=record.id) + "?published=1",
        status_code=303,
    )


async def publish_draft(
    request: Request, case: CaseRecord, caller: Caller, plan_id: str
) -> PlanRecord:
    """As POST /v1/cases/{id}/publish: an optimal or feasible draft the case's events in
    force read against, audited."""
    cases: CaseStore = request.app.state.cases
    audit: AuditLog = request.app.state.audit
    record = await run_in_threadpool(_draft, cases, case.id, plan_id)
    if record.status not in PUBLISHABLE:
        raise case_conflict(f"A plan with status {record.status} cannot be published.")
    await CaseDay.of(request.app.state).refuse_unless_publishable(case.id, record)
    await run_in_threadpool(cases.publish, case.id, record.id)
    await run_in_threadpool(audit.append, "publish", caller, case_id=case.id, object_id=record.id)
    return record


@router.get("/cases/{case_id}/plans/{plan_id}/chart.svg", name="plan_chart")
async def plan_chart(request: Request, case: PageCase, caller: Mediator, plan_id: str) -> Response:
    cases: CaseStore = request.app.state.cases
    offload: Offload = request.app.state.offload
    record = await run_in_threadpool(_draft, cases, case.id, plan_id)
    size = len(record.request_json) + len(record.plan_json)
    svg = await offload.run(size, chart_of_documents, record.request_json, record.plan_json)
    headers = {**SVG_HEADERS, "Cache-Control": "no-store"}
    return Response(svg.encode("utf-8"), media_type="image/svg+xml", headers=headers)


@router.get("/cases/{case_id}/plans/{plan_id}/manifest.csv", name="plan_manifest")
async def plan_manifest(
    request: Request, case: PageCase, caller: Mediator, plan_id: str
) -> Response:
    """The handover manifest, as GET /v1/plans/{id}/manifest.csv gives it (audited)."""
    cases: CaseStore = request.app.state.cases
    audit: AuditLog = request.app.state.audit
    offload: Offload = request.app.state.offload
    record = await run_in_threadpool(_draft, cases, case.id, plan_id)
    await run_in_threadpool(
        audit.append, "manifest_read", caller, case_id=case.id, object_id=record.id
    )
    size = len(record.request_json) + len(record.plan_json)
    text = await offload.run(size, manifest_of_documents, record.request_json, record.plan_json)
    return Response(
        text.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="manifest-{record.id}.csv"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/cases/{case_id}/plans/{plan_id}/plan.json", name="plan_download")
async def plan_download(
    request: Request, case: PageCase, caller: Mediator, plan_id: str
) -> Response:
    """The plan as stored, as GET /v1/plans/{id} gives it (audited)."""
    cases: CaseStore = request.app.state.cases
    audit: AuditLog = request.app.state.audit
    record = await run_in_threadpool(_draft, cases, case.id, plan_id)
    await run_in_threadpool(audit.append, "plan_read", caller, case_id=case.id, object_id=record.id)
    return Response(
        plan_json_with_id(record),
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="plan-{record.id}.json"',
            "Cache-Control": "no-store",
        },
    )
