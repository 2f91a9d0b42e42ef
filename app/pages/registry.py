"""The registry of people handed over, service-wide (mediators only): who crossed, from
which side, in which case and stage, and when; filtered by case and side, paged, and
downloaded as CSV.

It is read as `GET /v1/registry` and `/v1/registry.csv` read it: the same store, the
same CSV, the same audit entry.
"""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from app.api.routes.registry import registry_csv
from app.audit import AuditLog
from app.pages.deps import Mediator
from app.pages.rendering import is_htmx, render
from app.pages.routing import PageRoute
from app.registry_store import RegistryStore

router = APIRouter(route_class=PageRoute)

ENTRIES_PER_PAGE = 50
SideFilter = Literal["", "side_a", "side_b"]
CaseFilter = Annotated[str, Query(max_length=64)]


@router.get("/registry", name="registry_page")
async def registry_page(
    request: Request,
    caller: Mediator,
    case_id: CaseFilter = "",
    side: SideFilter = "",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    registry: RegistryStore = request.app.state.registry
    audit: AuditLog = request.app.state.audit
    case, chosen = case_id.strip() or None, side or None
    offset = (page - 1) * ENTRIES_PER_PAGE
    found = await run_in_threadpool(
        registry.page, offset, ENTRIES_PER_PAGE, case_id=case, side=chosen
    )
    await run_in_threadpool(
        audit.append, "registry_read", caller, case_id=case, side=chosen, count=len(found.entries)
    )
    context = {
        "entries": found.entries,
        "total": found.total,
        "first": offset + 1,
        "last": offset + len(found.entries),
        "page": page,
        "pages": max(1, -(-found.total // ENTRIES_PER_PAGE)),
        "case_filter": case_id.strip(),
        "side_filter": side,
        "download_query": urlencode({k: v for k, v in (("case_id", case), ("side", chosen)) if v}),
    }
    if is_htmx(request) and request.headers.get("hx-target") == "registry-entries":
        return render(request, "fragments/registry_entries.html", context)
    return render(request, "registry.html", context)


@router.get("/registry.csv", name="registry_download")
async def registry_download(
    request: Request, caller: Mediator, case_id: CaseFilter = "", side: SideFilter = ""
) -> Response:
    """Every entry matching the filters (no paging), as `GET /v1/registry.csv` gives it."""
    registry: RegistryStore = request.app.state.registry
    audit: AuditLog = request.app.state.audit
    case, chosen = case_id.strip() or None, side or None
    entries = await run_in_threadpool(registry.entries, case_id=case, side=chosen)
    await run_in_threadpool(
        audit.append, "registry_read", caller, case_id=case, side=chosen, count=len(entries)
    )
    return Response(
        registry_csv(entries).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="registry.csv"',
            "Cache-Control": "no-store",
        },
    )
