"""Jobs: solve an exchange in the background, watch its progress, stop it early."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import APIRouter, Path, Response
from starlette.concurrency import run_in_threadpool

from app.api.deps import DispatcherDep, ExchangeRequestBody, JobsDep, PlansDep, SettingsDep
from app.api.openapi import json_body
from app.api.stored_plans import stored_plan
from app.dispatch import SolveOrder
from app.examples import EXAMPLE_JOB_ID, EXCHANGE_EXAMPLES
from app.job_store import JobStore
from app.models import JobRecord
from app.plan_store import PlanStore
from app.problems import not_found, problem_responses
from app.schemas import FINISHED_JOB_STATUSES, JobProgress, JobStatus, JobView, StoredPlan
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
    request: ExchangeRequestBody,
    dispatcher: DispatcherDep,
    settings: SettingsDep,
    response: Response,
) -> JobView:
    """Queue the solve and answer at once with `202 Accepted`; poll `Location` for
    progress and the plan. A full queue gives 503 with `Retry-After`."""
    order = SolveOrder.of(request)
    record = await run_in_threadpool(dispatcher.start_job, order)
    response.headers["Location"] = f"{settings.api_prefix}/jobs/{record.id}"
    return job_view(record, None)


@router.get(
    "/{job_id}",
    response_model=JobView,
    summary="A job's status, progress and, once finished, its plan",
    responses=problem_responses(404),
)
def read_job(job_id: JobId, jobs: JobsDep, plans: PlansDep) -> JobView:
    return _load_view(job_id, jobs, plans)


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
) -> JobView:
    """A queued job becomes `cancelled`. A running solve stops within about a second and
    the job ends with the best plan found so far (`feasible`, or `optimal` if it had just
    finished); the answer waits up to two seconds for that. A finished job is unchanged."""
    record = jobs.get(job_id)
    if record is None:
        raise not_found("job", job_id)
    if record.status not in FINISHED_JOB_STATUSES:
        dispatcher.stop_job(job_id, settings.cancel_wait_s)
    return _load_view(job_id, jobs, plans)


def _load_view(job_id: str, jobs: JobStore, plans: PlanStore) -> JobView:
    record = jobs.get(job_id)
    if record is None:
        raise not_found("job", job_id)
    plan = plans.get(record.plan_id) if record.plan_id is not None else None
    return job_view(record, StoredPlan.model_validate(stored_plan(plan)) if plan else None)


def job_view(record: JobRecord, plan: StoredPlan | None) -> JobView:
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
        stop_requested=record.stop_requested,
        progress=progress,
        error=record.error,
        plan_id=record.plan_id,
        plan=plan,
    )
