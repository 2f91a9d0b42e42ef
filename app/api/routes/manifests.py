"""The handover manifest of a stored plan, as CSV for the people at the crossing."""

from __future__ import annotations

from fastapi import APIRouter, Response
from starlette.concurrency import run_in_threadpool

from app.api.deps import AuditDep, CallerDep, OffloadDep, PlansDep
from app.api.routes.plans import PlanId
from app.manifest import manifest_of_documents
from app.problems import not_found, problem_responses

router = APIRouter(prefix="/plans", tags=["plans"])


@router.get(
    "/{plan_id}/manifest.csv",
    response_class=Response,
    summary="The handover manifest of a plan, per stage, like-for-like pairs first",
    responses={
        200: {"content": {"text/csv": {"schema": {"type": "string"}}}},
        **problem_responses(404),
    },
)
async def read_manifest(
    caller: CallerDep, plan_id: PlanId, plans: PlansDep, offload: OffloadDep, audit: AuditDep
) -> Response:
    """One row per pair: civilian with civilian and seriously ill with seriously ill
    first, then by status, then by health, then the rest; people without a counterpart
    close each stage. Cells that a spreadsheet would run as formulas start with a quote."""
    record = await run_in_threadpool(plans.get, plan_id)
    if record is None:
        raise not_found("plan", plan_id)
    await run_in_threadpool(
        audit.append, "manifest_read", caller, case_id=record.case_id, object_id=record.id
    )
    size = len(record.request_json) + len(record.plan_json)
    text = await offload.run(size, manifest_of_documents, record.request_json, record.plan_json)
    return Response(
        text.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="manifest-{record.id}.csv"'},
    )
