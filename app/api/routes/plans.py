"""Plans: solve an exchange now and store the plan; read, list and delete stored plans."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Path, Response
from starlette.concurrency import run_in_threadpool

from app.api.deps import (
    AuditDep,
    CallerDep,
    CasesDep,
    DispatcherDep,
    EngineDep,
    ExchangeOrderBody,
    JobsDep,
    KeysDep,
    PageDep,
    PlansDep,
    SettingsDep,
)
from app.api.openapi import json_body
from app.api.stored_plans import location_of_plan, store_outcome, stored_plan_response
from app.core.db import checkpoint
from app.example_records import store_example_records
from app.examples import EXAMPLE_PLAN_ID, EXAMPLE_PLAN_TO_DELETE_ID, EXCHANGE_EXAMPLES
from app.plan_store import PlanListing
from app.problems import not_found, problem_responses
from app.schemas import AnyStoredPlan, PlanList, PlanSummary, ReleasedCounts, StoredPlan
from solver import ExchangeRequest
from solver.schema import Objective, RepairObjective

router = APIRouter(prefix="/plans", tags=["plans"])

PlanId = Annotated[
    str,
    Path(
        max_length=64,
        description="The id returned when the plan was created.",
        openapi_examples={"example": {"value": EXAMPLE_PLAN_ID}},
    ),
]


@router.post(
    "",
    status_code=201,
    response_model=StoredPlan,
    summary="Solve an exchange and store the plan",
    openapi_extra=json_body(ExchangeRequest, EXCHANGE_EXAMPLES),
    responses={**problem_responses(422, 500, 503)},
)
async def create_plan(
    caller: CallerDep,
    order: ExchangeOrderBody,
    dispatcher: DispatcherDep,
    plans: PlansDep,
    audit: AuditDep,
    settings: SettingsDep,
) -> Response:
    """Solve within `options.time_limit_s` in a worker process, store the plan with its
    request, and return it with its `id`. Infeasible terms are an answer too (201, with
    `conflicts`). A rejected request (422) is not stored; a full queue gives 503.
    Mediators only, when API keys are configured; negotiations between parties who must
    not see each other's lists go through /v1/cases."""
    outcome = await dispatcher.solve_now(order)
    record = await store_outcome(plans, outcome, order, source="json")
    await run_in_threadpool(audit.append, "solve", caller, object_id=record.id)
    location = location_of_plan(settings.api_prefix, record.id)
    return stored_plan_response(record, 201, {"Location": location})


@router.get("", response_model=PlanList, summary="List stored plans, newest first")
def list_plans(caller: CallerDep, plans: PlansDep, page: PageDep) -> PlanList:
    found = plans.page(page.offset, page.limit)
    return PlanList(
        items=[plan_summary(listing) for listing in found.listings],
        total=found.total,
        offset=page.offset,
        limit=page.limit,
    )


@router.get(
    "/{plan_id}",
    response_model=AnyStoredPlan,
    summary="Read a stored plan",
    responses=problem_responses(404),
)
async def read_plan(
    caller: CallerDep, plan_id: PlanId, plans: PlansDep, audit: AuditDep
) -> Response:
    record = await run_in_threadpool(plans.get, plan_id)
    if record is None:
        raise not_found("plan", plan_id)
    await run_in_threadpool(
        audit.append, "plan_read", caller, case_id=record.case_id, object_id=record.id
    )
    return stored_plan_response(record)


@router.delete(
    "/{plan_id}",
    status_code=204,
    summary="Delete a stored plan and the request it answers",
    responses=problem_responses(404),
)
def delete_plan(
    caller: CallerDep,
    plan_id: Annotated[
        str,
        Path(
            max_length=64,
            openapi_examples={"example": {"value": EXAMPLE_PLAN_TO_DELETE_ID}},
        ),
    ],
    plans: PlansDep,
    jobs: JobsDep,
    dispatcher: DispatcherDep,
    settings: SettingsDep,
    audit: AuditDep,
    cases: CasesDep,
    keys: KeysDep,
    engine: EngineDep,
    background: BackgroundTasks,
) -> Response:
    """The plan and its request are removed from the database (overwritten, as when a
    case is deleted)."""
    record = plans.get(plan_id)
    if record is None or not plans.delete(plan_id):
        raise not_found("plan", plan_id)
    checkpoint(engine)
    audit.append("plan_delete", caller, case_id=record.case_id, object_id=plan_id)
    if plan_id == EXAMPLE_PLAN_TO_DELETE_ID and settings.seed_examples:
        # So that the /docs example for this route works every time it is tried.
        background.add_task(store_example_records, settings, dispatcher, plans, jobs, cases, keys)
    return Response(status_code=204)


def plan_summary(listing: PlanListing) -> PlanSummary:
    objective: Objective | None = None
    if listing.objective_json is not None:
        # A repaired plan's objective also counts its changes.
        model = RepairObjective if '"changes"' in listing.objective_json else Objective
        objective = model.model_validate_json(listing.objective_json)
    return PlanSummary(
        id=listing.id,
        created_at=listing.created_at,
        source=listing.source,
        status=listing.status,
        released=ReleasedCounts(side_a=listing.released_side_a, side_b=listing.released_side_b),
        objective=objective,
    )
