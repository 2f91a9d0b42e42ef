"""Repair: change an agreed plan with the fewest changes, as the exchange happens.

Stateless: the request, the agreed plan, the events and the settings go in, the
repaired plan comes out, and nothing is stored. Negotiation cases record their events
and keep their repaired plans (`app.api.routes.case_day`).
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from app.api.deps import AuditDep, CallerDep, DispatcherDep, OffloadDep, SettingsDep
from app.api.openapi import json_body
from app.api.stored_plans import require_plan
from app.examples import REPAIR_EXAMPLES
from app.problems import problem_responses
from app.repairs import repair_intake
from solver import RepairedPlan, RepairRequest

router = APIRouter(prefix="/plans", tags=["plans"])


@router.post(
    "/repair",
    response_model=RepairedPlan,
    summary="Repair an agreed plan after the day's events, with the fewest changes",
    openapi_extra=json_body(RepairRequest, REPAIR_EXAMPLES),
    responses=problem_responses(422, 500, 503),
)
async def repair_plan(
    request: Request,
    caller: CallerDep,
    dispatcher: DispatcherDep,
    offload: OffloadDep,
    audit: AuditDep,
    settings: SettingsDep,
) -> Response:
    """The request the agreed plan was made from, the agreed `plan`, the `events` in order
    (dropout, stage_executed, add, update) and `repair` (`policy`, `options`). Executed
    stages stay as handed over; `changes` lists who is added, removed and moved, and is a
    level of the objective of its own. An event naming an unknown id or stage, a stage
    executed twice or out of order, or a plan splitting a group is a 422. Nothing is
    stored: for a negotiation, record the events on its case."""
    body = await request.body()
    order = await offload.run(len(body), repair_intake, body, settings)
    await run_in_threadpool(audit.append, "repair", caller)
    outcome = await dispatcher.solve_now(order)
    return Response(require_plan(outcome).json, media_type="application/json")
