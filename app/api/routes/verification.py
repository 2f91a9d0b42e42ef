"""Verify: check a proposed plan against the terms, and compare it with the optimum."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from app.api.deps import DispatcherDep, SettingsDep
from app.api.openapi import json_body
from app.dispatch import SolveOrder
from app.examples import VERIFY_EXAMPLES
from app.problems import problem_responses
from app.request_bodies import read_json_object
from app.verification import VerifyReport, VerifyRequest, read_verify_body, verify_report
from solver import Plan

router = APIRouter(prefix="/plans", tags=["plans"])


@router.post(
    "/verify",
    response_model=VerifyReport,
    summary="Check a proposed plan and compare it with the optimum",
    openapi_extra=json_body(VerifyRequest, VERIFY_EXAMPLES),
    responses=problem_responses(422, 503),
)
async def verify_plan(
    request: Request, dispatcher: DispatcherDep, settings: SettingsDep
) -> VerifyReport:
    """Every broken rule of the proposal is named (`valid` is false when there is one),
    and its value on every level is put next to the optimum's, found by solving the same
    request within its time limit. Nothing is stored."""
    document = await read_json_object(request)
    exchange, proposal = await run_in_threadpool(read_verify_body, document, settings)
    order = await run_in_threadpool(SolveOrder.of, exchange)
    outcome = await dispatcher.solve_now(order)
    optimum = (
        await run_in_threadpool(Plan.model_validate_json, outcome.plan.json)
        if outcome.plan is not None
        else None
    )
    return await run_in_threadpool(verify_report, exchange, proposal, optimum)
