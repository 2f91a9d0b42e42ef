"""Scenarios: the same lists under several variants of the terms, compared in one table."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from app.api.deps import AuditDep, CallerDep, DispatcherDep, OffloadDep, SettingsDep
from app.api.openapi import json_body
from app.examples import SCENARIO_EXAMPLES
from app.problems import problem_responses
from app.scenarios import ScenarioComparison, ScenarioRequest, comparison_json, scenario_intake

router = APIRouter(prefix="/scenarios", tags=["scenarios"])


@router.post(
    "",
    response_model=ScenarioComparison,
    summary="Solve several variants of the terms side by side",
    openapi_extra=json_body(ScenarioRequest, SCENARIO_EXAMPLES),
    responses=problem_responses(422, 503),
)
async def compare_scenarios(
    request: Request,
    caller: CallerDep,
    dispatcher: DispatcherDep,
    offload: OffloadDep,
    audit: AuditDep,
    settings: SettingsDep,
) -> Response:
    """Each variant replaces only the terms it names. The variants are solved in parallel,
    one per worker process at a time; 503 when the queue cannot take even the first.
    Nothing is stored: solve the chosen variant with POST /v1/plans."""
    body = await request.body()
    variants = await offload.run(len(body), scenario_intake, body, settings)
    await run_in_threadpool(audit.append, "solve", caller, count=len(variants))
    outcomes = await dispatcher.solve_all([order for _, order in variants])
    plan_jsons = [o.plan.json if o.plan is not None else None for o in outcomes]
    errors = [o.error or o.status if o.plan is None else None for o in outcomes]
    names = [name for name, _ in variants]
    table = await offload.run(len(body), comparison_json, names, plan_jsons, errors)
    return Response(table, media_type="application/json")
