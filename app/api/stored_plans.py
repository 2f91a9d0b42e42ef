"""Turning a finished solve into a stored plan, and a stored plan into a response.

A stored plan is sent back as the solver wrote it, with its id spliced in front, so the
bytes a client receives are the bytes that were stored (and nothing is re-validated).
"""

from __future__ import annotations

import json

from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from app.dispatch import SolveOrder
from app.models import PlanRecord
from app.plan_store import PlanStore, plan_record
from app.problems import SOLVE_FAILED_TYPE, SOLVER_BUSY_TYPE, ProblemError
from app.solving.messages import SolvedPlan, SolveOutcome


def plan_json_with_id(record: PlanRecord) -> str:
    return '{"id":' + json.dumps(record.id) + "," + record.plan_json[1:]


def stored_plan_response(
    record: PlanRecord, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        plan_json_with_id(record),
        status_code=status_code,
        media_type="application/json",
        headers=headers,
    )


def require_plan(outcome: SolveOutcome) -> SolvedPlan:
    """The outcome's plan, or the problem to answer when the solve produced none."""
    if outcome.plan is not None:
        return outcome.plan
    if outcome.status == "cancelled":
        raise ProblemError(
            503,
            "The solve was cancelled because the service is stopping; nothing was stored.",
            type_=SOLVER_BUSY_TYPE,
            title="Service stopping",
        )
    raise ProblemError(
        500,
        f"The solver failed ({outcome.error or 'no reason given'}); nothing was stored.",
        type_=SOLVE_FAILED_TYPE,
        title="Solve failed",
    )


async def store_outcome(
    plans: PlanStore, outcome: SolveOutcome, order: SolveOrder, *, source: str
) -> PlanRecord:
    """Store a finished solve with its request; raises the problem when there is no plan."""
    record = plan_record(require_plan(outcome), order.request_json, source=source)
    return await run_in_threadpool(plans.add, record)


def location_of_plan(api_prefix: str, plan_id: str) -> str:
    return f"{api_prefix}/plans/{plan_id}"
