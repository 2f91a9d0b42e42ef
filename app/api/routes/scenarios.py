"""Scenarios: the same lists under several variants of the terms, compared in one table."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from app.api.deps import DispatcherDep, SettingsDep
from app.api.openapi import json_body
from app.dispatch import SolveOrder
from app.examples import SCENARIO_EXAMPLES
from app.problems import problem_responses
from app.request_bodies import read_json_object
from app.scenarios import ScenarioComparison, ScenarioRequest, comparison, read_scenario_body
from solver import Plan

router = APIRouter(prefix="/scenarios", tags=["scenarios"])


@router.post(
    "",
    response_model=ScenarioComparison,
    summary="Solve several variants of the terms side by side",
    openapi_extra=json_body(ScenarioRequest, SCENARIO_EXAMPLES),
    responses=problem_responses(422, 503),
)
async def compare_scenarios(
    request: Request, dispatcher: DispatcherDep, settings: SettingsDep
) -> ScenarioComparison:
    """Each variant replaces only the terms it names. The variants are solved in parallel
    on the worker processes (all are queued, or none: 503 when the queue has no room for
    all of them). Nothing is stored; solve the chosen variant with POST /v1/plans."""
    document = await read_json_object(request)
    variants = await run_in_threadpool(read_scenario_body, document, settings)
    orders = await run_in_threadpool(lambda: [SolveOrder.of(r) for _, r in variants])
    outcomes = await dispatcher.solve_all(orders)
    plans = [
        await run_in_threadpool(Plan.model_validate_json, o.plan.json)
        if o.plan is not None
        else None
        for o in outcomes
    ]
    errors = [o.error or o.status if o.plan is None else None for o in outcomes]
    names = [name for name, _ in variants]
    return await run_in_threadpool(comparison, names, plans, errors)
