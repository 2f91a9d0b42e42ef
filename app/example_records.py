"""The stored plans and job that /docs' examples name, so "Try it out" finds them.

They are solved from the synthetic example exchange at start-up, through the same worker
pool as every other solve, and only when missing (setting `seed_examples`).
"""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool

from app.core.config import Settings
from app.dispatch import SolveDispatcher, SolveOrder
from app.examples import EXAMPLE_JOB_ID, EXAMPLE_PLAN_ID, EXAMPLE_PLAN_TO_DELETE_ID, EXCHANGE
from app.job_store import JobStore
from app.plan_store import PlanStore, plan_record
from app.request_bodies import exchange_request_of

logger = logging.getLogger(__name__)


async def store_example_records(
    settings: Settings, dispatcher: SolveDispatcher, plans: PlanStore, jobs: JobStore
) -> None:
    """Solve and store each missing example record; a failure is logged, never raised."""
    try:
        order = SolveOrder.of(exchange_request_of(EXCHANGE, settings))
        for plan_id in (EXAMPLE_PLAN_ID, EXAMPLE_PLAN_TO_DELETE_ID):
            if await run_in_threadpool(plans.exists, plan_id):
                continue
            outcome = await dispatcher.solve_now(order)
            if outcome.plan is None:
                logger.warning("example plan %s not stored: %s", plan_id, outcome.status)
                continue
            record = plan_record(outcome.plan, order.request_json, source="json", plan_id=plan_id)
            await run_in_threadpool(plans.add, record)
        if await run_in_threadpool(jobs.get, EXAMPLE_JOB_ID) is None:
            await run_in_threadpool(dispatcher.start_job, order, EXAMPLE_JOB_ID)
    except Exception as exc:  # the examples are a convenience; the service runs without them
        logger.warning("example records not stored: %s", type(exc).__name__)
