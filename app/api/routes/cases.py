"""Negotiation cases: the mediator opens one, each party uploads the list it holds, the
mediator sets the terms, solves, and publishes a plan.

A party's key reaches only the handlers marked `party_route`, and through them only its own
case, its own list and the published plan; anything else is a 404, exactly as if it did
not exist. Every upload, read of a list, solve, publication and deletion is audited.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from app.access import party_route
from app.api.deps import (
    AuditDep,
    CallerDep,
    CaseDayDep,
    CasesDep,
    DispatcherDep,
    EngineDep,
    KeysDep,
    OffloadDep,
    PageDep,
    SettingsDep,
    case_for_caller,
)
from app.api.openapi import json_body
from app.api.routes.jobs import job_view
from app.api.routes.plans import plan_summary
from app.api.stored_plans import plan_json_with_id
from app.case_documents import (
    case_request_json,
    case_view,
    party_plan_document,
    terms_document,
    terms_json,
)
from app.case_store import CaseStore
from app.core.db import checkpoint
from app.dispatch import SolveDispatcher
from app.example_records import ensure_case
from app.examples import (
    CASE_LIST_EXAMPLES,
    CASE_TERMS_EXAMPLES,
    EXAMPLE_CASE_ID,
    EXAMPLE_CASE_PLAN_ID,
    EXAMPLE_CASE_TO_DELETE_ID,
    EXAMPLE_KEY_ID,
)
from app.party_lists import Side, list_from_csv, list_from_json, list_from_xlsx
from app.problems import (
    case_conflict,
    not_found,
    problem_responses,
)
from app.request_bodies import model_from_body, order_from_json
from app.schemas import (
    AnyStoredPlan,
    CaseList,
    CaseTerms,
    CaseView,
    DraftList,
    IssuedKey,
    JobView,
    KeyList,
    KeyRequest,
    KeyView,
    ListReceipt,
    PublishedPlan,
    PublishRequest,
)
from app.xlsx_lists import XLSX_CONTENT_TYPE
from solver.schema import SideList

router = APIRouter(prefix="/cases", tags=["cases"])

CaseId = Annotated[
    str,
    Path(
        max_length=64,
        description="The id returned when the case was opened.",
        openapi_examples={"example": {"value": EXAMPLE_CASE_ID}},
    ),
]
ListSide = Annotated[
    Side,
    Path(
        description="Whose list: a party's key reaches only its own side.",
        openapi_examples={"example": {"value": "side_a"}},
    ),
]
PUBLISHABLE = frozenset({"optimal", "feasible"})
# How an uploaded list is read, by its Content-Type (anything else is read as JSON).
_LIST_READERS = {
    "text/csv": ("csv", list_from_csv),
    XLSX_CONTENT_TYPE: ("xlsx", list_from_xlsx),
}


@router.post(
    "",
    status_code=201,
    response_model=CaseView,
    summary="Open a negotiation case",
    responses={201: {"headers": {"Location": {"description": "The case."}}}},
)
async def open_case(
    caller: CallerDep,
    cases: CasesDep,
    audit: AuditDep,
    settings: SettingsDep,
    response: Response,
) -> CaseView:
    """A new, empty case. Next: issue a key to each party (POST .../keys), who upload
    their lists; set the terms; solve; publish."""
    record = await run_in_threadpool(cases.create)
    await run_in_threadpool(audit.append, "case_open", caller, case_id=record.id)
    response.headers["Location"] = f"{settings.api_prefix}/cases/{record.id}"
    return await run_in_threadpool(case_view, record, caller, cases)


@router.get("", response_model=CaseList, summary="List cases (a party sees its own only)")
@party_route
def list_cases(caller: CallerDep, cases: CasesDep, page: PageDep) -> CaseList:
    only = None if caller.is_mediator else caller.case_id
    found = cases.page(page.offset, page.limit, only=only)
    return CaseList(
        items=[case_view(record, caller, cases) for record in found.cases],
        total=found.total,
        offset=page.offset,
        limit=page.limit,
    )


@router.get(
    "/{case_id}",
    response_model=CaseView,
    summary="A case: its lists (a party: its own), terms set, drafts, the published plan",
    responses=problem_responses(404),
)
@party_route
def read_case(request: Request, case_id: CaseId, caller: CallerDep, cases: CasesDep) -> CaseView:
    return case_view(case_for_caller(request, case_id, caller), caller, cases)


@router.delete(
    "/{case_id}",
    status_code=204,
    summary="Delete a case with its lists, plans, jobs and keys, leaving no trace of its people",
    responses=problem_responses(404),
)
async def delete_case(
    request: Request,
    case_id: Annotated[
        str,
        Path(max_length=64, openapi_examples={"example": {"value": EXAMPLE_CASE_TO_DELETE_ID}}),
    ],
    caller: CallerDep,
    cases: CasesDep,
    audit: AuditDep,
    dispatcher: DispatcherDep,
    engine: EngineDep,
    settings: SettingsDep,
) -> Response:
    """Running solves of the case are stopped first. The rows are deleted with SQLite's
    `secure_delete` on and the write-ahead log is checkpointed, so the people's data is
    overwritten in the database files, not merely unlinked. The audit trail keeps the
    entry, without any personal data."""
    await run_in_threadpool(case_for_caller, request, case_id, caller)
    await run_in_threadpool(purge_case, cases, dispatcher, engine, case_id, settings.stop_grace_s)
    await run_in_threadpool(audit.append, "case_delete", caller, case_id=case_id)
    if case_id == EXAMPLE_CASE_TO_DELETE_ID and settings.seed_examples:
        # So that the /docs example for this route works every time it is tried.
        await run_in_threadpool(_reopen_example_case_to_delete, cases)
    return Response(status_code=204)


def purge_case(
    cases: CaseStore, dispatcher: SolveDispatcher, engine: Engine, case_id: str, wait_s: float
) -> bool:
    """Stop the case's solves, delete it with everything it holds, overwrite the pages."""
    for job_id in cases.unfinished_jobs(case_id):
        dispatcher.stop_job(job_id, wait_s)
    deleted = cases.delete(case_id)
    checkpoint(engine)
    return deleted


def _reopen_example_case_to_delete(cases: CaseStore) -> None:
    ensure_case(cases, EXAMPLE_CASE_TO_DELETE_ID)


@router.put(
    "/{case_id}/lists/{side}",
    response_model=ListReceipt,
    summary="Upload a party's list (JSON, CSV or XLSX), replacing its previous upload",
    openapi_extra=json_body(SideList, CASE_LIST_EXAMPLES)
    | {
        "requestBody": {
            "required": True,
            "content": {
                **json_body(SideList, CASE_LIST_EXAMPLES)["requestBody"]["content"],
                "text/csv": {
                    "schema": {
                        "type": "string",
                        "description": "A header row of detainee fields (id required), "
                        "one row per person; comma, semicolon or tab.",
                    }
                },
                XLSX_CONTENT_TYPE: {
                    "schema": {
                        "type": "string",
                        "format": "binary",
                        "description": "A workbook whose first sheet is laid out like "
                        "the CSV list.",
                    }
                },
            },
        }
    },
    responses=problem_responses(404, 422),
)
@party_route
async def upload_list(
    request: Request,
    case_id: CaseId,
    side: ListSide,
    caller: CallerDep,
    cases: CasesDep,
    audit: AuditDep,
    offload: OffloadDep,
    settings: SettingsDep,
    engine: EngineDep,
) -> ListReceipt:
    """A party uploads the list of the people it holds: `{"name", "detainees": [...]}` as
    JSON, or the detainees as CSV (`Content-Type: text/csv`) or as an XLSX workbook's first
    sheet (`Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`).
    It is checked like a side
    of an exchange request (422 names side, id, field, rule and CSV row, never a value).
    The mediator may upload for either side."""
    if not caller.may_see(case_id, side):
        raise not_found("case")
    await run_in_threadpool(case_for_caller, request, case_id, caller)
    body = await request.body()
    media = request.headers.get("content-type", "").split(";")[0].strip()
    source, reader = _LIST_READERS.get(media, ("json", list_from_json))
    checked = await offload.run(len(body), reader, body, side, settings)
    receipt = await run_in_threadpool(
        cases.put_list,
        case_id,
        side,
        source,
        checked.detainee_count,
        checked.list_json,
    )
    if receipt is None:
        raise not_found("case")
    await run_in_threadpool(checkpoint, engine)  # the replaced list's pages are overwritten
    await run_in_threadpool(
        audit.append,
        "list_upload",
        caller,
        case_id=case_id,
        side=side,
        count=checked.detainee_count,
    )
    return ListReceipt(
        side=side,
        uploaded_at=receipt.uploaded_at,
        source=receipt.source,
        detainee_count=receipt.detainee_count,
    )


@router.get(
    "/{case_id}/lists/{side}",
    response_model=SideList,
    summary="Read a list as uploaded (a party: its own only)",
    responses=problem_responses(404),
)
@party_route
async def read_list(
    request: Request,
    case_id: CaseId,
    side: ListSide,
    caller: CallerDep,
    cases: CasesDep,
    audit: AuditDep,
) -> Response:
    """The list exactly as stored (defaults left implicit). Every read is audited."""
    if not caller.may_see(case_id, side):
        raise not_found("list")
    await run_in_threadpool(case_for_caller, request, case_id, caller)
    record = await run_in_threadpool(cases.get_list, case_id, side)
    if record is None:
        raise not_found("list")
    await run_in_threadpool(
        audit.append, "list_read", caller, case_id=case_id, side=side, count=record.detainee_count
    )
    return Response(record.list_json, media_type="application/json")


@router.put(
    "/{case_id}/terms",
    response_model=CaseTerms,
    summary="Set the terms (and solve options) of a case",
    openapi_extra=json_body(CaseTerms, CASE_TERMS_EXAMPLES),
    responses=problem_responses(404, 422),
)
async def set_terms(
    request: Request,
    case_id: CaseId,
    caller: CallerDep,
    cases: CasesDep,
    audit: AuditDep,
) -> Response:
    """`{"terms": {...}, "options": {...}}`, as in an exchange request. Ids the terms name
    are checked against the lists when the case is solved."""
    await run_in_threadpool(case_for_caller, request, case_id, caller)
    body = await request.body()
    document = await run_in_threadpool(terms_document, body)
    cases_terms = json.dumps(document["terms"], separators=(",", ":"))
    options = document.get("options")
    options_json = json.dumps(options, separators=(",", ":")) if options is not None else None
    if not await run_in_threadpool(cases.set_terms, case_id, cases_terms, options_json):
        raise not_found("case")
    await run_in_threadpool(audit.append, "terms_set", caller, case_id=case_id)
    return Response(terms_json(cases_terms, options_json), media_type="application/json")


@router.get(
    "/{case_id}/terms",
    response_model=CaseTerms,
    summary="The terms a case is solved under",
    responses=problem_responses(404),
)
def read_terms(request: Request, case_id: CaseId, caller: CallerDep) -> Response:
    record = case_for_caller(request, case_id, caller)
    if record.terms_json is None:
        raise not_found("terms")
    return Response(
        terms_json(record.terms_json, record.options_json), media_type="application/json"
    )


@router.post(
    "/{case_id}/solve",
    status_code=202,
    response_model=JobView,
    summary="Solve the case's lists under its terms, in the background, as a draft",
    responses={
        202: {"headers": {"Location": {"description": "Where to poll the job."}}},
        **problem_responses(404, 409, 422, 503),
    },
)
async def solve_case(
    request: Request,
    case_id: CaseId,
    caller: CallerDep,
    cases: CasesDep,
    audit: AuditDep,
    dispatcher: DispatcherDep,
    offload: OffloadDep,
    settings: SettingsDep,
    response: Response,
) -> JobView:
    """Both lists and the terms must be there (409 names what is missing). The job's plan
    is stored as a draft of the case, seen by the mediator only until it is published."""
    record = await run_in_threadpool(case_for_caller, request, case_id, caller)
    body = await run_in_threadpool(case_request_json, cases, record)
    order = await offload.run(len(body), order_from_json, body, settings)
    job = await run_in_threadpool(dispatcher.start_job, order, None, case_id)
    await run_in_threadpool(cases.touch, case_id)
    await run_in_threadpool(audit.append, "solve", caller, case_id=case_id, object_id=job.id)
    response.headers["Location"] = f"{settings.api_prefix}/jobs/{job.id}"
    return job_view(job)


@router.get(
    "/{case_id}/drafts",
    response_model=DraftList,
    summary="The case's plans, newest first (mediators only)",
    responses=problem_responses(404),
)
def list_drafts(request: Request, case_id: CaseId, caller: CallerDep, cases: CasesDep) -> DraftList:
    case_for_caller(request, case_id, caller)
    return DraftList(items=[plan_summary(listing) for listing in cases.drafts(case_id)])


@router.post(
    "/{case_id}/publish",
    response_model=PublishedPlan,
    summary="Publish one of the case's drafts: the parties can then read it",
    openapi_extra=json_body(
        PublishRequest,
        {
            "draft": {
                "summary": "The example case's draft",
                "value": {"plan_id": EXAMPLE_CASE_PLAN_ID},
            }
        },
    ),
    responses=problem_responses(404, 409, 422),
)
async def publish_plan(
    request: Request,
    case_id: CaseId,
    caller: CallerDep,
    cases: CasesDep,
    day: CaseDayDep,
    audit: AuditDep,
) -> PublishedPlan:
    """Only an `optimal` or `feasible` draft can be published (409 otherwise), and only
    one the case's events in force read against (409 naming the rule: a repaired draft
    made with an event since taken back, say). Publishing another draft later replaces
    the publication; both are in the audit trail."""
    await run_in_threadpool(case_for_caller, request, case_id, caller)
    publish = await run_in_threadpool(model_from_body, PublishRequest, await request.body())
    plan = await run_in_threadpool(cases.plan_of_case, case_id, publish.plan_id)
    if plan is None:
        raise not_found("draft")
    if plan.status not in PUBLISHABLE:
        raise case_conflict(f"A plan with status {plan.status} cannot be published.")
    await day.refuse_unless_publishable(case_id, plan)
    published_at = await run_in_threadpool(cases.publish, case_id, plan.id)
    await run_in_threadpool(audit.append, "publish", caller, case_id=case_id, object_id=plan.id)
    return PublishedPlan(case_id=case_id, plan_id=plan.id, published_at=published_at)


@router.get(
    "/{case_id}/plan",
    response_model=AnyStoredPlan,
    summary="The published plan (a party sees only its own side's not-released reasons)",
    responses=problem_responses(404),
)
@party_route
async def read_published_plan(
    request: Request, case_id: CaseId, caller: CallerDep, cases: CasesDep, audit: AuditDep
) -> Response:
    """404 until a plan is published. Who is released, when, is the agreement, so both
    parties see it whole; why a person was not released (refusals, proceedings) and the
    warnings about a list are shown only to the party that holds the person."""
    await run_in_threadpool(case_for_caller, request, case_id, caller)
    record = await run_in_threadpool(cases.published, case_id)
    if record is None:
        raise not_found("published plan")
    await run_in_threadpool(audit.append, "plan_read", caller, case_id=case_id, object_id=record.id)
    if caller.is_mediator:
        return Response(plan_json_with_id(record), media_type="application/json")
    document = party_plan_document(record, caller.role)
    return Response(
        json.dumps(document, ensure_ascii=False, separators=(",", ":")),
        media_type="application/json",
    )


@router.post(
    "/{case_id}/keys",
    status_code=201,
    response_model=IssuedKey,
    summary="Issue an API key to a party of the case (the token is shown once)",
    openapi_extra=json_body(
        KeyRequest, {"side_a": {"summary": "A key for side A", "value": {"role": "side_a"}}}
    ),
    responses=problem_responses(404, 422),
)
async def issue_key(
    request: Request,
    case_id: CaseId,
    caller: CallerDep,
    keys: KeysDep,
    audit: AuditDep,
) -> IssuedKey:
    """Give the token to the party by a channel both trust; only its SHA-256 is stored, so
    a lost token cannot be shown again: revoke it and issue another."""
    await run_in_threadpool(case_for_caller, request, case_id, caller)
    key_request = await run_in_threadpool(model_from_body, KeyRequest, await request.body())
    record, token = await run_in_threadpool(keys.issue, key_request.role, case_id)
    await run_in_threadpool(
        audit.append,
        "key_issue",
        caller,
        case_id=case_id,
        side=key_request.role,
        object_id=record.id,
    )
    return IssuedKey(
        id=record.id,
        role=record.role,
        case_id=record.case_id,
        created_at=record.created_at,
        token=token,
    )


@router.get(
    "/{case_id}/keys",
    response_model=KeyList,
    summary="The case's party keys (without tokens)",
    responses=problem_responses(404),
)
def list_keys(request: Request, case_id: CaseId, caller: CallerDep, keys: KeysDep) -> KeyList:
    case_for_caller(request, case_id, caller)
    return KeyList(
        items=[
            KeyView(
                id=r.id,
                role=r.role,
                case_id=r.case_id,
                created_at=r.created_at,
                revoked_at=r.revoked_at,
            )
            for r in keys.of_case(case_id)
        ]
    )


@router.delete(
    "/{case_id}/keys/{key_id}",
    status_code=204,
    summary="Revoke a party key: it stops working at once",
    responses=problem_responses(404),
)
async def revoke_key(
    request: Request,
    case_id: CaseId,
    key_id: Annotated[
        str, Path(max_length=32, openapi_examples={"example": {"value": EXAMPLE_KEY_ID}})
    ],
    caller: CallerDep,
    keys: KeysDep,
    audit: AuditDep,
) -> Response:
    """Revoking a key that is already revoked changes nothing (204 again)."""
    await run_in_threadpool(case_for_caller, request, case_id, caller)
    known = {record.id for record in await run_in_threadpool(keys.of_case, case_id)}
    if key_id not in known:
        raise not_found("key")
    if await run_in_threadpool(keys.revoke, key_id, case_id):
        await run_in_threadpool(
            audit.append, "key_revoke", caller, case_id=case_id, object_id=key_id
        )
    return Response(status_code=204)
