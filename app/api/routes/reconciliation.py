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

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from app.api.deps import (
    AuditDep,
    CallerDep,
    CasesDep,
    EngineDep,
    PageDep,
    ReconciliationsDep,
    RegistryDep,
    SettingsDep,
    case_for_caller,
)
from app.api.openapi import json_body
from app.case_store import CaseStore
from app.core.db import checkpoint
from app.examples import EXAMPLE_CASE_ID
from app.party_lists import Side, list_from_json
from app.problems import ProblemItem, case_conflict, invalid_request, not_found, problem_responses
from app.reconciliation.examples import (
    CASE_RECONCILE_EXAMPLE,
    EXAMPLE_ITEM_ID,
    RECONCILE_EXAMPLE,
)
from app.reconciliation.registry import registry_people
from app.reconciliation.review import (
    DecisionName,
    ReviewItem,
    ReviewPage,
    applied_list,
    item_exists,
    review_items,
)
from app.reconciliation.store import ReconciliationStore
from app.request_bodies import model_from_body
from reconciliation.records import InvalidLists, ListProblem, read_records
from reconciliation.schema import (
    IdentityRecord,
    ReconcileOptions,
    ReconcileRequest,
    Reconciliation,
)
from solver.input_errors import InvalidRequest

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


class CaseReconciliation(BaseModel):
    """A case's stored reconciliation: when, which list, and the answer (ids only)."""

    model_config = ConfigDict(extra="forbid")

    case_id: str
    held_side: Side
    created_at: str
    applied_at: str | None
    pending_review: int = Field(description="Review pairs no one has decided yet.")
    result: Reconciliation


class DecisionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: DecisionName = Field(description="confirmed, rejected, or pending (take back)")


class ApplyReceipt(BaseModel):
    model_config = ConfigDict(extra="forbid")

    case_id: str
    held_side: Side
    requested_set: int = Field(description="Held people newly marked `requested`.")
    made_ineligible: int = Field(description='Held people newly ineligible: "already exchanged".')
    detainee_count: int


def _list_problems(problems: list[ListProblem]) -> list[ProblemItem]:
    return [
        ProblemItem(side=p.side, id=p.id, field=p.field, rule=p.rule, message=p.message, row=p.row)
        for p in problems
    ]


def _checked_records(
    held: list[Any], requested: list[Any], exchanged: list[Any]
) -> tuple[list[IdentityRecord], list[IdentityRecord], list[IdentityRecord]]:
    read = [
        read_records("held", held),
        read_records("requested", requested),
        read_records("exchanged", exchanged),
    ]
    problems = [problem for one in read for problem in one.problems]
    if problems:
        raise invalid_request(_list_problems(problems))
    return read[0].records, read[1].records, read[2].records


def _run(
    held: list[IdentityRecord],
    requested: list[IdentityRecord],
    exchanged: list[IdentityRecord],
    options: ReconcileOptions,
) -> Reconciliation:
    from reconciliation.reconcile import reconcile

    if options.backend != "duckdb":
        # Spark is for registries beyond one machine, from the command line; the service
        # keeps to its embedded database (and starts no JVM inside a request).
        raise invalid_request(
            [
                ProblemItem(
                    side=None,
                    id=None,
                    field="options.backend",
                    rule="backend_unavailable",
                    message="the service reconciles on its embedded DuckDB only",
                )
            ]
        )
    try:
        return reconcile(held, requested, exchanged, options)
    except InvalidLists as error:  # pragma: no cover - the lists were checked before
        raise invalid_request(_list_problems(error.problems)) from None


@router.post(
    "/reconcile",
    response_model=Reconciliation,
    summary="Reconcile a held list with the people the other side asks for (stores nothing)",
    openapi_extra=json_body(
        ReconcileRequest, {"names": {"summary": "Two people", "value": RECONCILE_EXAMPLE}}
    ),
    responses=problem_responses(422),
)
async def reconcile_lists(request: Request, caller: CallerDep, audit: AuditDep) -> Reconciliation:
    """`held`, `requested` and optionally `exchanged` as lists of records; identity
    fields are `name` or `surname`/`given_name`/`patronymic`, `birth_date`
    (YYYY-MM-DD or DD.MM.YYYY), `birth_place`, `serial_number`, `unit`. The answer
    names people by id only. A bad list is a 422 naming list, id, field and rule."""
    body = await request.body()
    document = await run_in_threadpool(model_from_body, ReconcileRequest, body)
    held, requested, exchanged = await run_in_threadpool(
        _checked_records, document.held, document.requested, document.exchanged
    )
    result = await run_in_threadpool(_run, held, requested, exchanged, document.options)
    await run_in_threadpool(audit.append, "reconcile", caller, count=len(requested))
    return result


def _held_list(cases: CaseStore, case_id: str, side: str) -> tuple[dict[str, Any], str]:
    stored = cases.get_list(case_id, side)
    if stored is None:
        raise case_conflict(f"Not reconciled: no list uploaded yet for {side}.")
    document: dict[str, Any] = json.loads(stored.list_json)
    return document, stored.source


def _view(case_id: str, reconciliations: ReconciliationStore) -> CaseReconciliation:
    stored = reconciliations.get(case_id)
    if stored is None:
        raise not_found("reconciliation")
    result = Reconciliation.model_validate_json(stored.result_json)
    decisions = reconciliations.decisions(case_id)
    pending = sum(
        1 for n, m in enumerate(result.matches) if m.band == "review" and f"m-{n}" not in decisions
    ) + sum(1 for n, e in enumerate(result.already_exchanged) if f"x-{n}" not in decisions)
    return CaseReconciliation(
        case_id=case_id,
        held_side=stored.held_side,
        created_at=stored.created_at.isoformat(),
        applied_at=stored.applied_at.isoformat() if stored.applied_at else None,
        pending_review=pending,
        result=result,
    )


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
) -> CaseReconciliation:
    """The held list is the one `held_side` uploaded (409 until it has); `requested` is
    what the other side asks for. People already exchanged are looked for in the
    service's registry of people handed over from `held_side` (in any case; found by
    their records in their cases' lists, as `registry-N`), and in `exchanged`, an
    uploaded registry of earlier rounds. Replaces the case's previous reconciliation and
    its decisions."""
    await run_in_threadpool(case_for_caller, request, case_id, caller)
    document = await run_in_threadpool(model_from_body, CaseReconcileRequest, await request.body())
    held_list, _ = await run_in_threadpool(_held_list, cases, case_id, document.held_side)
    handed_over = (
        await run_in_threadpool(registry_people, cases, registry, document.held_side)
        if document.use_registry
        else []
    )
    held, requested, exchanged = await run_in_threadpool(
        _checked_records,
        held_list.get("detainees", []),
        document.requested,
        [*document.exchanged, *(person.record for person in handed_over)],
    )
    result = await run_in_threadpool(_run, held, requested, exchanged, document.options)
    await run_in_threadpool(
        reconciliations.put,
        case_id,
        document.held_side,
        json.dumps(document.requested, ensure_ascii=False),
        json.dumps(
            [*document.exchanged, *(person.shown for person in handed_over)], ensure_ascii=False
        ),
        result.model_dump_json(),
    )
    await run_in_threadpool(cases.touch, case_id)
    await run_in_threadpool(
        audit.append,
        "reconcile",
        caller,
        case_id=case_id,
        side=document.held_side,
        count=len(requested),
    )
    return await run_in_threadpool(_view, case_id, reconciliations)


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
    return _view(case_id, reconciliations)


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
    is what is left to decide. Every read is audited."""
    await run_in_threadpool(case_for_caller, request, case_id, caller)
    items = await run_in_threadpool(_items, cases, reconciliations, case_id)
    chosen = [
        item
        for item in items
        if (band is None or item.band == band) and (decision is None or item.decision == decision)
    ]
    shown = chosen[page.offset : page.offset + page.limit]
    await run_in_threadpool(audit.append, "matches_read", caller, case_id=case_id, count=len(shown))
    return ReviewPage(items=shown, total=len(chosen), offset=page.offset, limit=page.limit)


def _items(
    cases: CaseStore, reconciliations: ReconciliationStore, case_id: str
) -> list[ReviewItem]:
    stored = reconciliations.get(case_id)
    if stored is None:
        raise not_found("reconciliation")
    held_list, _ = _held_list(cases, case_id, stored.held_side)
    return review_items(
        Reconciliation.model_validate_json(stored.result_json),
        held_list,
        json.loads(stored.requested_json),
        json.loads(stored.exchanged_json),
        reconciliations.decisions(case_id),
    )


@router.put(
    "/cases/{case_id}/matches/{item_id}",
    response_model=ReviewItem,
    summary="Confirm or reject one pair (or take a decision back: pending)",
    openapi_extra=json_body(
        DecisionRequest, {"confirm": {"summary": "Yes", "value": {"decision": "confirmed"}}}
    ),
    responses=problem_responses(404, 422),
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
    await run_in_threadpool(case_for_caller, request, case_id, caller)
    decided = await run_in_threadpool(model_from_body, DecisionRequest, await request.body())
    stored = await run_in_threadpool(reconciliations.get, case_id)
    if stored is None:
        raise not_found("reconciliation")
    result = Reconciliation.model_validate_json(stored.result_json)
    if not item_exists(result, item_id):
        raise not_found("match")
    await run_in_threadpool(
        reconciliations.decide, case_id, item_id, decided.decision, caller.key_id
    )
    await run_in_threadpool(
        audit.append, "match_decide", caller, case_id=case_id, object_id=item_id
    )
    items = await run_in_threadpool(_items, cases, reconciliations, case_id)
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
    checked again as an upload is, and replaces the held side's list."""
    await run_in_threadpool(case_for_caller, request, case_id, caller)
    stored = await run_in_threadpool(reconciliations.get, case_id)
    if stored is None:
        raise not_found("reconciliation")
    held_list, source = await run_in_threadpool(_held_list, cases, case_id, stored.held_side)
    decisions = await run_in_threadpool(reconciliations.decisions, case_id)
    result = Reconciliation.model_validate_json(stored.result_json)
    applied = applied_list(result, held_list, decisions)
    side: Side = stored.held_side  # type: ignore[assignment]
    body = json.dumps(applied.document, ensure_ascii=False).encode("utf-8")
    try:
        checked = await run_in_threadpool(list_from_json, body, side, settings)
    except InvalidRequest as error:  # pragma: no cover - the stored list was checked
        raise invalid_request(error.problems) from None
    receipt = await run_in_threadpool(
        cases.put_list, case_id, side, source, checked.detainee_count, checked.list_json
    )
    if receipt is None:
        raise not_found("case")
    await run_in_threadpool(checkpoint, engine)
    await run_in_threadpool(reconciliations.mark_applied, case_id)
    await run_in_threadpool(
        audit.append,
        "reconcile_apply",
        caller,
        case_id=case_id,
        side=side,
        count=applied.requested_set + applied.made_ineligible,
    )
    return ApplyReceipt(
        case_id=case_id,
        held_side=side,
        requested_set=applied.requested_set,
        made_ineligible=applied.made_ineligible,
        detainee_count=checked.detainee_count,
    )
