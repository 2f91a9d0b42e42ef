"""Jobs: solve an exchange in the background, watch its progress, stop it early."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import APIRouter, Path, Response
from starlette.concurrency import run_in_threadpool

from app.api.deps import (
    AuditDep,
    CallerDep,
    DispatcherDep,
    ExchangeOrderBody,
    JobsDep,
    PlansDep,
    SettingsDep,
)
from app.api.openapi import json_body
from app.api.stored_plans import plan_json_with_id
from app.examples import EXAMPLE_JOB_ID, EXCHANGE_EXAMPLES
from app.job_store import JobStore
from app.models import JobRecord, utc_now
from app.plan_store import PlanStore
from app.problems import not_found, problem_responses
from app.schemas import FINISHED_JOB_STATUSES, JobProgress, JobStatus, JobView
from solver import ExchangeRequest

router = APIRouter(prefix="/jobs", tags=["jobs"])

JobId = Annotated[
    str,
    Path(
        max_length=64,
        description="The id returned when the job was created.",
        openapi_examples={"example": {"value": EXAMPLE_JOB_ID}},
    ),
]


@router.post(
    "",
    status_code=202,
    response_model=JobView,
    summary="Solve an exchange in the background",
    openapi_extra=json_body(ExchangeRequest, EXCHANGE_EXAMPLES),
    responses={
        202: {"headers": {"Location": {"description": "Where to poll the job."}}},
        **problem_responses(422, 503),
    },
)
async def create_job(
    caller: CallerDep,
    order: ExchangeOrderBody,
    dispatcher: DispatcherDep,
    audit: AuditDep,
    settings: SettingsDep,
    response: Response,
) -> JobView:
    """Queue the solve and answer at once with `202 Accepted`; poll `Location` for
    progress and the plan. A full queue gives 503 with `Retry-After`."""
    record = await run_in_threadpool(dispatcher.start_job, order)
    await run_in_threadpool(audit.append, "solve", caller, object_id=record.id)
    response.headers["Location"] = f"{settings.api_prefix}/jobs/{record.id}"
    return job_view(record)


@router.get(
    "/{job_id}",
    response_model=JobView,
    summary="A job's status, progress and, once finished, its plan",
    responses=problem_responses(404),
)
def read_job(job_id: JobId, jobs: JobsDep, plans: PlansDep) -> Response:
    return _job_response(job_id, jobs, plans)


@router.delete(
    "/{job_id}",
    response_model=JobView,
    summary="Stop a job: cancel it if queued, else end the solve keeping its best plan",
    responses=problem_responses(404),
)
def stop_job(
    job_id: JobId,
    jobs: JobsDep,
    plans: PlansDep,
    dispatcher: DispatcherDep,
    settings: SettingsDep,
) -> Response:
    """A queued job becomes `cancelled`. A running solve is told to stop and the job ends
    with the best plan found so far (`feasible`, or `optimal` if it had just finished); a
    solver that does not stop within `stop_grace_s` is killed, so this takes under two
    seconds. The answer waits for that. A finished job is returned unchanged."""
    record = jobs.get(job_id)
    if record is None:
        raise not_found("job", job_id)
    if record.status not in FINISHED_JOB_STATUSES:
        dispatcher.stop_job(job_id, settings.cancel_wait_s)
    return _job_response(job_id, jobs, plans)


def _job_response(job_id: str, jobs: JobStore, plans: PlanStore) -> Response:
    """The job with its plan spliced in as stored: a plan of 100,000 people is megabytes,
    and re-validating it on every poll would cost more than the poll itself."""
    record = jobs.get(job_id)
    if record is None:
        raise not_found("job", job_id)
    plan = plans.get(record.plan_id) if record.plan_id is not None else None
    head = job_view(record).model_dump_json(exclude={"plan"})
    body = head[:-1] + ',"plan":' + (plan_json_with_id(plan) if plan else "null") + "}"
    return Response(body, media_type="application/json")


def _elapsed_s(record: JobRecord) -> float | None:
    if record.started_at is None:
        return None
    until = record.finished_at or utc_now()
    return round(max(0.0, (until - record.started_at).total_seconds()), 3)


def job_view(record: JobRecord) -> JobView:
    """The job as a model, without its plan (see `_job_response`)."""
    progress = (
        JobProgress.model_validate_json(record.progress_json)
        if record.progress_json is not None
        else None
    )
    return JobView(
        id=record.id,
        status=cast(JobStatus, record.status),
        created_at=record.created_at,
        started_at=record.started_at,
        finished_at=record.finished_at,
        time_limit_s=record.time_limit_s,
        elapsed_s=_elapsed_s(record),
        stop_requested=record.stop_requested,
        attempts=record.attempts,
        progress=progress,
        error=record.error,
        plan_id=record.plan_id,
    )
