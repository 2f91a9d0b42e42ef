"""Screen 9, downloads and audit: each plan's files (the handover manifest, the plan as
JSON, the chart), and the case's audit trail with a check of the whole chain.

The files are served by `app.pages.plans`, as the API serves them; the trail is read and
checked by `app.audit`, as `GET /v1/audit` and `/v1/audit/verify` do.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from app.api.routes.plans import plan_summary
from app.audit import AuditLog, ChainCheck
from app.case_documents import case_view
from app.case_store import CaseStore
from app.core.security import Caller
from app.models import CaseRecord
from app.pages.cases import case_context
from app.pages.deps import Mediator, PageCase
from app.pages.rendering import is_htmx, render
from app.pages.routing import PageRoute

router = APIRouter(route_class=PageRoute)

ENTRIES_PER_PAGE = 50


@router.get("/cases/{case_id}/downloads", name="downloads_page")
async def downloads_page(
    request: Request,
    case: PageCase,
    caller: Mediator,
    after: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    return await _downloads(request, case, caller, after, None)


async def _downloads(
    request: Request, case: CaseRecord, caller: Caller, after: int, chain: ChainCheck | None
) -> Response:
    cases: CaseStore = request.app.state.cases
    audit: AuditLog = request.app.state.audit
    view = await run_in_threadpool(case_view, case, caller, cases)
    drafts = [plan_summary(listing) for listing in await run_in_threadpool(cases.drafts, case.id)]
    published = [d for d in drafts if d.id == view.published_plan_id]
    entries = await run_in_threadpool(audit.page, after, ENTRIES_PER_PAGE, case.id)
    context = {
        **case_context(request, case, caller, "downloads_page"),
        "view": view,
        "plans": published + [d for d in drafts if d.id != view.published_plan_id],
        "entries": entries,
        "after": after,
        "next_after": entries[-1].seq if len(entries) == ENTRIES_PER_PAGE else None,
        "chain": chain,
    }
    return render(request, "downloads.html", context)


@router.post("/cases/{case_id}/audit/verify", name="verify_audit_chain")
async def verify_audit_chain(request: Request, case: PageCase, caller: Mediator) -> Response:
    """Recompute the whole chain, as GET /v1/audit/verify does."""
    audit: AuditLog = request.app.state.audit
    check = await run_in_threadpool(audit.verify)
    context = {**case_context(request, case, caller, "downloads_page"), "chain": check}
    if is_htmx(request):
        return render(request, "fragments/audit_chain.html", context)
    return await _downloads(request, case, caller, 0, check)
