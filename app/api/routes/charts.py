"""The chart of a stored plan: the plan at a glance as SVG, drawn on the server."""

from __future__ import annotations

from fastapi import APIRouter, Response
from starlette.concurrency import run_in_threadpool

from app.api.deps import OffloadDep, PlansDep
from app.api.routes.plans import PlanId
from app.problems import not_found, problem_responses
from solver.chart import chart_of_documents

router = APIRouter(prefix="/plans", tags=["plans"])

# The picture holds no script and loads nothing; a browser that opens it directly is
# told to run and fetch nothing, whatever a side's name says.
SVG_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    "X-Content-Type-Options": "nosniff",
}


@router.get(
    "/{plan_id}/chart.svg",
    response_class=Response,
    summary="The plan at a glance: per stage, per side, by category, and who stays behind",
    responses={
        200: {"content": {"image/svg+xml": {"schema": {"type": "string"}}}},
        **problem_responses(404),
    },
)
async def read_chart(plan_id: PlanId, plans: PlansDep, offload: OffloadDep) -> Response:
    """An SVG picture with counts only (no names): each stage's releases per side, stacked
    by category against the stage's capacity; each category released out of listed; the
    people not released by reason, the seriously ill among them in red; then the plan's
    conflicts and warnings."""
    record = await run_in_threadpool(plans.get, plan_id)
    if record is None:
        raise not_found("plan", plan_id)
    size = len(record.request_json) + len(record.plan_json)
    svg = await offload.run(size, chart_of_documents, record.request_json, record.plan_json)
    return Response(svg.encode("utf-8"), media_type="image/svg+xml", headers=SVG_HEADERS)
