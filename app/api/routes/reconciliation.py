"""Reconciliation: who is who across the held and the requested lists (mediators only).

`POST /reconcile` answers at once and stores nothing. On a case, `POST .../reconcile`
reconciles the list one side holds (as uploaded) with the people the other side asks
for, and stores the answer; `GET .../matches` is the review queue, `PUT
.../matches/{item}` a mediator's yes or no, and `POST .../reconcile/apply` writes the
outcome into the held list: `requested` for auto and confirmed matches, ineligible
("already exchanged") for confirmed people of the registry. None of these routes is a
party's: the queue shows both sides' names. Every call is audited (ids and counts).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from app.api.deps import (
    AuditDep,
    CallerDep,
    CasesDep,
    EngineDep,
    OffloadDep,
    PageDep,
    ReconciliationsDep,
    RegistryDep,
    SettingsDep,
    case_for_caller,
)
from app.api.openapi import json_body
from app.examples import EXAMPLE_CASE_ID
from app.party_lists import Side
from app.problems import problem_responses
from app.reconciliation.case_reconciliation import (
    ApplyReceipt,
    CaseReconciliation,
    apply_decisions,
    prepare_run,
    record_decision,
    review_queue,
    run_and_store,
    stored_reconciliation,
)
from app.reconciliation.examples import (
    CASE_RECONCILE_EXAMPLE,
    EXAMPLE_ITEM_ID,
    RECONCILE_EXAMPLE,
)
from app.reconciliation.review import DecisionName, ReviewItem, ReviewPage
from app.reconciliation.stateless import reconcile_body
from app.request_bodies import model_from_body
from reconciliation.schema import ReconcileOptions, ReconcileRequest, Reconciliation

router = APIRouter(tags=["reconciliation"])

CaseId = Annotated[
    str,
    Path(
        max_length=64,
        description="The id returned when the case was opened.",
        openapi_examples={"example": {"value": EXAMPLE_CASE_ID}},
    ),
]
ItemId = Annotated[
    str,
    Path(
        max_length=16,
        description="m-N (the N-th match) or x-N (the N-th held person already exchanged).",
        openapi_examples={"example": {"value": EXAMPLE_ITEM_ID}},
    ),
]


class CaseReconcileRequest(BaseModel):
    """Reconcile a case's held list (the list `held_side` uploaded) with the requested
    people the other side asks for, and an optional registry of people exchanged before."""

    model_config = ConfigDict(extra="forbid")

    held_side: Side = Field(description="Whose uploaded list is the held list.")
    requested: list[dict[str, Any]]
    exchanged: list[dict[str, Any]] = Field(
        default_factory=list,
        description="An uploaded registry of people exchanged before, with their own ids.",
    )
    use_registry: bool = Field(
        default=True,
        description="Also compare with the service's registry of people handed over from "
        "`held_side` (GET /v1/registry), as recorded in the lists of their cases.",
    )
    options: ReconcileOptions = Field(default_factory=ReconcileOptions)


class DecisionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: DecisionName = Field(description="confirmed, rejected, or pending (take back)")


@router.post(
    "/reconcile",
    response_model=Reconciliation,
    summary="Reconcile a held list with the people the other side asks for (stores nothing)",
    openapi_extra=json_body(
        ReconcileRequest, {"names": {"summary": "Two people", "value": RECONCILE_EXAMPLE}}
    ),
    responses=problem_responses(422),
)
async def reconcile_lists(
    request: Request, caller: CallerDep, audit: AuditDep, settings: SettingsDep, offload: OffloadDep
) -> Response:
    """`held`, `requested` and optionally `exchanged` as lists of records; identity
    fields are `name` or `surname`/`given_name`/`patronymic`, `birth_date`
    (YYYY-MM-DD or DD.MM.YYYY), `birth_place`, `serial_number`, `unit`. The answer
    names people by id only. A bad list is a 422 naming list, id, field and rule; so is
    one longer than the service takes (`service_limit`: `max_reconcile_held`,
    `max_reconcile_requested`). The work runs off the event loop (a big body in the
    document helper process), so other requests are answered meanwhile."""
    body = await request.body()
    answer = await offload.run(len(body), reconcile_body, body, settings)
    await run_in_threadpool(audit.append, "reconcile", caller, count=answer.requested)
    return Response(answer.json, media_type="application/json")


@router.post(
    "/cases/{case_id}/reconcile",
    status_code=201,
    response_model=CaseReconciliation,
    summary="Reconcile a case's held list with the other side's requests, and store it",
    openapi_extra=json_body(
        CaseReconcileRequest,
        {"example": {"summary": "The example case", "value": CASE_RECONCILE_EXAMPLE}},
    ),
    responses=problem_responses(404, 409, 422),
)
async def reconcile_case(
    request: Request,
    case_id: CaseId,
    caller: CallerDep,
    cases: CasesDep,
    reconciliations: ReconciliationsDep,
    registry: RegistryDep,
    audit: AuditDep,
    settings: SettingsDep,
) -> CaseReconciliation:
    """The held list is the one `held_side` uploaded (409 until it has); `requested` is
    what the other side asks for. People already exchanged are looked for in the
    service's registry of people handed over from `held_side` (in any case; found by
    their records in their cases' lists, as `registry-N`), and in `exchanged`, an
    uploaded registry of earlier rounds. Replaces the case's previous reconciliation and
    its decisions."""
    await run_in_threadpool(case_for_caller, request, case_id, caller)
    document = await run_in_threadpool(model_from_body, CaseReconcileRequest, await request.body())
    prepared = await run_in_threadpool(
        prepare_run,
        settings,
        cases,
        registry,
        case_id,
        document.held_side,
        document.requested,
        document.exchanged,
        document.use_registry,
        document.options,
    )
    await run_in_threadpool(run_and_store, prepared, cases, reconciliations)
    await run_in_threadpool(
        audit.append,
        "reconcile",
        caller,
        case_id=case_id,
        side=document.held_side,
        count=len(prepared.requested),
    )
    return await run_in_threadpool(stored_reconciliation, reconciliations, case_id)


@router.get(
    "/cases/{case_id}/reconcile",
    response_model=CaseReconciliation,
    summary="A case's stored reconciliation (ids only)",
    responses=problem_responses(404),
)
def read_reconciliation(
    request: Request, case_id: CaseId, caller: CallerDep, reconciliations: ReconciliationsDep
) -> CaseReconciliation:
    case_for_caller(request, case_id, caller)
    return stored_reconciliation(reconciliations, case_id)


@router.get(
    "/cases/{case_id}/matches",
    response_model=ReviewPage,
    summary="The review queue: each pair with both records, for a mediator to decide",
    responses=problem_responses(404),
)
async def list_matches(
    request: Request,
    case_id: CaseId,
    caller: CallerDep,
    cases: CasesDep,
    reconciliations: ReconciliationsDep,
    audit: AuditDep,
    page: PageDep,
    band: Annotated[Literal["auto", "review"] | None, Query(description="Only this band.")] = None,
    decision: Annotated[DecisionName | None, Query(description="Only this decision.")] = None,
) -> ReviewPage:
    """Matches (`m-N`) then held people found already exchanged (`x-N`), with the
    evidence per field and both records' identity fields. `?band=review&decision=pending`
    is what is left to decide among the matches; every `x-N` waits for a decision in
    either band. Every read is audited."""
    await run_in_threadpool(case_for_caller, request, case_id, caller)
    items = await run_in_threadpool(review_queue, cases, reconciliations, case_id)
    chosen = [
        item
        for item in items
        if (band is None or item.band == band) and (decision is None or item.decision == decision)
    ]
    shown = chosen[page.offset : page.offset + page.limit]
    await run_in_threadpool(audit.append, "matches_read", caller, case_id=case_id, count=len(shown))
    return ReviewPage(items=shown, total=len(chosen), offset=page.offset, limit=page.limit)


@router.put(
    "/cases/{case_id}/matches/{item_id}",
    response_model=ReviewItem,
    summary="Confirm or reject one pair (or take a decision back: pending)",
    openapi_extra=json_body(
        DecisionRequest, {"confirm": {"summary": "Yes", "value": {"decision": "confirmed"}}}
    ),
    responses=problem_responses(404, 409, 422),
)
async def decide_match(
    request: Request,
    case_id: CaseId,
    item_id: ItemId,
    caller: CallerDep,
    cases: CasesDep,
    reconciliations: ReconciliationsDep,
    audit: AuditDep,
) -> ReviewItem:
    """One to one: confirming a pair while another pair of the same requested, held or
    registry person stands (confirmed, or an auto match not rejected) is a 409 naming
    both pairs and the rule `one_to_one`; nothing is recorded."""
    await run_in_threadpool(case_for_caller, request, case_id, caller)
    decided = await run_in_threadpool(model_from_body, DecisionRequest, await request.body())
    await run_in_threadpool(
        record_decision, reconciliations, case_id, item_id, decided.decision, caller.key_id
    )
    await run_in_threadpool(
        audit.append, "match_decide", caller, case_id=case_id, object_id=item_id
    )
    items = await run_in_threadpool(review_queue, cases, reconciliations, case_id)
    return next(item for item in items if item.id == item_id)


@router.post(
    "/cases/{case_id}/reconcile/apply",
    response_model=ApplyReceipt,
    summary="Apply the reconciliation to the held list: requested people, people already exchanged",
    responses=problem_responses(404, 409, 422),
)
async def apply_reconciliation(
    request: Request,
    case_id: CaseId,
    caller: CallerDep,
    cases: CasesDep,
    reconciliations: ReconciliationsDep,
    audit: AuditDep,
    settings: SettingsDep,
    engine: EngineDep,
) -> ApplyReceipt:
    """`requested: true` on the held person of every auto match a mediator has not
    rejected and of every confirmed one; `eligible: false` with `ineligible_reason`
    "already exchanged" on every confirmed held person of the registry. The list is
    checked again as an upload is, and replaces the held side's list. A 409 when the
    held side uploaded its list again since the reconciliation ran
    (`stale_reconciliation`: reconcile again), or when standing pairs share a person
    (`one_to_one`)."""
    await run_in_threadpool(case_for_caller, request, case_id, caller)
    receipt = await run_in_threadpool(
        apply_decisions, cases, reconciliations, settings, engine, case_id
    )
    await run_in_threadpool(
        audit.append,
        "reconcile_apply",
        caller,
        case_id=case_id,
        side=receipt.held_side,
        count=receipt.requested_set + receipt.made_ineligible,
    )
    return receipt
