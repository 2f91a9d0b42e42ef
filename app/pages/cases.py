"""Screen 1, cases: the list, opening a case, its overview, party keys (issued with the
token shown once), revoking keys, deleting a case. A party's key opens its own case page.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from app.api.routes.cases import purge_case
from app.audit import AuditLog
from app.case_documents import case_view
from app.case_store import CaseStore
from app.core.security import Caller
from app.dispatch import SolveDispatcher
from app.key_store import KeyStore
from app.models import ApiKeyRecord, CaseRecord
from app.pages.deps import Mediator, PageCaller, PageCase
from app.pages.navigation import case_screens
from app.pages.rendering import is_htmx, page_path, render
from app.pages.routing import PageRoute
from app.problems import not_found

router = APIRouter(route_class=PageRoute)

CASES_PER_PAGE = 20


def _stores(request: Request) -> tuple[CaseStore, KeyStore, AuditLog]:
    state = request.app.state
    return state.cases, state.keys, state.audit


def case_context(
    request: Request, case: CaseRecord, caller: Caller, current: str
) -> dict[str, object]:
    """What every case screen's layout needs: the case, its screens, the current one."""
    return {"case": case, "screens": case_screens(request, caller), "current": current}


@router.get("/", name="home")
async def home(
    request: Request,
    caller: PageCaller,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    """The mediator's list of cases; a party goes straight to its own case."""
    if not caller.is_mediator:
        return RedirectResponse(
            page_path(request, "case_page", case_id=str(caller.case_id)), status_code=303
        )
    cases, _, _ = _stores(request)
    found = await run_in_threadpool(cases.page, offset, CASES_PER_PAGE)
    views = [await run_in_threadpool(case_view, record, caller, cases) for record in found.cases]
    return render(
        request,
        "cases.html",
        {
            "cases": views,
            "total": found.total,
            "offset": offset,
            "per_page": CASES_PER_PAGE,
        },
    )


@router.post("/cases", name="open_case")
async def open_case(request: Request, caller: Mediator) -> Response:
    cases, _, audit = _stores(request)
    record = await run_in_threadpool(cases.create)
    await run_in_threadpool(audit.append, "case_open", caller, case_id=record.id)
    return RedirectResponse(page_path(request, "case_page", case_id=record.id), status_code=303)


def _key_rows(keys: KeyStore, case_id: str) -> list[ApiKeyRecord]:
    return keys.of_case(case_id)


@router.get("/cases/{case_id}", name="case_page")
async def case_page(request: Request, case: PageCase, caller: PageCaller) -> Response:
    cases, keys, _ = _stores(request)
    view = await run_in_threadpool(case_view, case, caller, cases)
    context = {**case_context(request, case, caller, "case_page"), "view": view}
    if not caller.is_mediator:
        return render(request, "party_case.html", context)
    context["keys"] = await run_in_threadpool(_key_rows, keys, case.id)
    context["issued"] = None
    return render(request, "case.html", context)


@router.post("/cases/{case_id}/keys", name="issue_key")
async def issue_key(
    request: Request,
    case: PageCase,
    caller: Mediator,
    role: Annotated[Literal["side_a", "side_b"], Form()],
) -> Response:
    """The token is in this answer only: it is shown once, never stored, never again."""
    cases, keys, audit = _stores(request)
    record, token = await run_in_threadpool(keys.issue, role, case.id)
    await run_in_threadpool(
        audit.append, "key_issue", caller, case_id=case.id, side=role, object_id=record.id
    )
    rows = await run_in_threadpool(_key_rows, keys, case.id)
    issued = {"id": record.id, "role": record.role, "token": token}
    context = {**case_context(request, case, caller, "case_page"), "keys": rows, "issued": issued}
    if is_htmx(request):
        return render(request, "fragments/keys.html", {**context, "oob": True})
    context["view"] = await run_in_threadpool(case_view, case, caller, cases)
    return render(request, "case.html", context)


@router.post("/cases/{case_id}/keys/{key_id}/revoke", name="revoke_key")
async def revoke_key(request: Request, case: PageCase, caller: Mediator, key_id: str) -> Response:
    _, keys, audit = _stores(request)
    rows = await run_in_threadpool(_key_rows, keys, case.id)
    if key_id not in {row.id for row in rows}:
        raise not_found("key")
    if await run_in_threadpool(keys.revoke, key_id, case.id):
        await run_in_threadpool(
            audit.append, "key_revoke", caller, case_id=case.id, object_id=key_id
        )
    if is_htmx(request):
        rows = await run_in_threadpool(_key_rows, keys, case.id)
        context = {
            **case_context(request, case, caller, "case_page"),
            "keys": rows,
            "issued": None,
            "revoked": key_id,
            "oob": True,
        }
        return render(request, "fragments/keys.html", context)
    return RedirectResponse(
        page_path(request, "case_page", case_id=case.id) + "#keys", status_code=303
    )


@router.post("/cases/{case_id}/delete", name="delete_case")
async def delete_case(
    request: Request,
    case: PageCase,
    caller: Mediator,
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """Deleted with everything it holds, as DELETE /v1/cases/{id} does; the box must be
    ticked, so a stray Enter key deletes nothing."""
    cases, keys, audit = _stores(request)
    if confirm != "yes":
        view = await run_in_threadpool(case_view, case, caller, cases)
        rows = await run_in_threadpool(_key_rows, keys, case.id)
        context = {
            **case_context(request, case, caller, "case_page"),
            "view": view,
            "keys": rows,
            "issued": None,
            "confirm_missing": True,
        }
        return render(request, "case.html", context, status_code=422)
    settings = request.app.state.settings
    dispatcher: SolveDispatcher = request.app.state.dispatcher
    await run_in_threadpool(
        purge_case, cases, dispatcher, request.app.state.engine, case.id, settings.stop_grace_s
    )
    await run_in_threadpool(audit.append, "case_delete", caller, case_id=case.id)
    return RedirectResponse(page_path(request, "home") + "?deleted=1", status_code=303)
