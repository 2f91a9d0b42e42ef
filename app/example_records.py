"""The stored plans, job and cases that /docs' examples name, so "Try it out" finds them.

They are solved from the synthetic example exchange at start-up, through the same worker
pool as every other solve, and only when missing (setting `seed_examples`).
"""

from __future__ import annotations

import json
import logging

from starlette.concurrency import run_in_threadpool

from app.case_store import CaseStore
from app.core.config import Settings
from app.dispatch import SolveDispatcher, SolveOrder
from app.examples import (
    EXAMPLE_CASE_ID,
    EXAMPLE_CASE_PLAN_ID,
    EXAMPLE_CASE_TO_DELETE_ID,
    EXAMPLE_JOB_ID,
    EXAMPLE_KEY_ID,
    EXAMPLE_PLAN_ID,
    EXAMPLE_PLAN_TO_DELETE_ID,
    EXCHANGE,
)
from app.job_store import JobStore
from app.key_store import KeyStore
from app.models import PlanRecord
from app.plan_store import PlanStore, plan_record
from app.reconciliation.examples import store_example_reconciliation
from app.reconciliation.store import ReconciliationStore
from app.request_bodies import exchange_request_of

logger = logging.getLogger(__name__)


async def store_example_records(
    settings: Settings,
    dispatcher: SolveDispatcher,
    plans: PlanStore,
    jobs: JobStore,
    cases: CaseStore,
    keys: KeyStore,
    reconciliations: ReconciliationStore | None = None,
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
        await store_example_cases(dispatcher, plans, cases, keys, order)
        if reconciliations is not None:
            await run_in_threadpool(store_example_reconciliation, cases, reconciliations)
    except Exception as exc:  # the examples are a convenience; the service runs without them
        logger.warning("example records not stored: %s", type(exc).__name__)


def ensure_case(cases: CaseStore, case_id: str) -> bool:
    """Create the case under this id when it is missing; True when it was created."""
    return cases.ensure(case_id)


async def store_example_cases(
    dispatcher: SolveDispatcher,
    plans: PlanStore,
    cases: CaseStore,
    keys: KeyStore,
    order: SolveOrder,
) -> None:
    """The example case (both lists, terms, a published draft, a party key nobody holds)
    and the example case to delete."""
    await run_in_threadpool(ensure_case, cases, EXAMPLE_CASE_TO_DELETE_ID)
    if not await run_in_threadpool(ensure_case, cases, EXAMPLE_CASE_ID):
        return
    for side in ("side_a", "side_b"):
        listed = json.dumps(EXCHANGE[side], separators=(",", ":"))
        count = len(EXCHANGE[side]["detainees"])
        await run_in_threadpool(cases.put_list, EXAMPLE_CASE_ID, side, "json", count, listed)
    terms = json.dumps(EXCHANGE["terms"], separators=(",", ":"))
    options = json.dumps(EXCHANGE["options"], separators=(",", ":"))
    await run_in_threadpool(cases.set_terms, EXAMPLE_CASE_ID, terms, options)
    outcome = await dispatcher.solve_now(order)
    if outcome.plan is None:
        logger.warning("example case plan not stored: %s", outcome.status)
        return
    record: PlanRecord = plan_record(
        outcome.plan,
        order.request_json,
        source="case",
        plan_id=EXAMPLE_CASE_PLAN_ID,
        case_id=EXAMPLE_CASE_ID,
    )
    await run_in_threadpool(plans.add, record)
    await run_in_threadpool(cases.publish, EXAMPLE_CASE_ID, EXAMPLE_CASE_PLAN_ID)
    # A key to show revocation on: its token is thrown away, so it can never be used.
    await run_in_threadpool(keys.issue, "side_b", EXAMPLE_CASE_ID, EXAMPLE_KEY_ID)
