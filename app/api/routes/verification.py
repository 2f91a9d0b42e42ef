"""Verify: check a proposed plan against the terms, and compare it with the optimum."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from app.api.deps import AuditDep, CallerDep, DispatcherDep, OffloadDep, SettingsDep
from app.api.openapi import json_body
from app.examples import VERIFY_EXAMPLES
from app.problems import problem_responses
from app.verification import VerifyReport, VerifyRequest, verify_intake, verify_report_json

router = APIRouter(prefix="/plans", tags=["plans"])


@router.post(
    "/verify",
    response_model=VerifyReport,
    summary="Check a proposed plan and compare it with the optimum",
    openapi_extra=json_body(VerifyRequest, VERIFY_EXAMPLES),
    responses=problem_responses(422, 503),
)
async def verify_plan(
    request: Request,
    caller: CallerDep,
    dispatcher: DispatcherDep,
    offload: OffloadDep,
    audit: AuditDep,
    settings: SettingsDep,
) -> Response:
    """Every broken rule of the proposal is named (`valid` is false when there is one),
    and its value on every level is put next to the optimum's, found by solving the same
    request within its time limit. Nothing is stored."""
    body = await request.body()
    intake = await offload.run(len(body), verify_intake, body, settings)
    await run_in_threadpool(audit.append, "solve", caller)
    outcome = await dispatcher.solve_now(intake.order)
    optimum_json = outcome.plan.json if outcome.plan is not None else None
    report = await offload.run(
        len(body),
        verify_report_json,
        intake.order.request_json,
        intake.proposal_json,
        optimum_json,
    )
    return Response(report, media_type="application/json")
