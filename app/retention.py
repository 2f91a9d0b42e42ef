"""The retention period: cases untouched for longer, and older stored plans, are purged.

A background task does it at start-up and then every `retention_check_interval_s`; each
purge is audited (actor `retention`) and overwrites the rows like a deletion does.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from app.audit import AuditLog
from app.case_store import CaseStore
from app.core.config import Settings
from app.core.db import checkpoint
from app.core.security import Caller
from app.dispatch import SolveDispatcher
from app.examples import (
    EXAMPLE_CASE_ID,
    EXAMPLE_CASE_PLAN_ID,
    EXAMPLE_CASE_TO_DELETE_ID,
    EXAMPLE_PLAN_ID,
    EXAMPLE_PLAN_TO_DELETE_ID,
)
from app.models import utc_now
from app.plan_store import PlanStore

logger = logging.getLogger(__name__)

RETENTION = Caller(key_id="retention", role="mediator")
# The synthetic /docs examples hold no one real and are stored again at start-up anyway.
_EXAMPLE_CASES = frozenset({EXAMPLE_CASE_ID, EXAMPLE_CASE_TO_DELETE_ID})
_EXAMPLE_PLANS = frozenset({EXAMPLE_PLAN_ID, EXAMPLE_PLAN_TO_DELETE_ID, EXAMPLE_CASE_PLAN_ID})


def purge_expired(
    settings: Settings,
    cases: CaseStore,
    plans: PlanStore,
    audit: AuditLog,
    engine: Engine,
    stop_job: Callable[[str], None] | None = None,
) -> tuple[int, int]:
    """Purge what the retention period has passed; returns (cases, plans) purged.

    `stop_job` stops a running solve of a purged case (the service passes its dispatcher's).
    """
    if settings.case_retention_days is None:
        return 0, 0
    cutoff = utc_now() - timedelta(days=settings.case_retention_days)
    purged_cases = 0
    for case_id in cases.untouched_since(cutoff):
        if case_id in _EXAMPLE_CASES:
            continue
        for job_id in cases.unfinished_jobs(case_id):
            if stop_job is not None:
                stop_job(job_id)
        if cases.delete(case_id):
            audit.append("case_purge", RETENTION, case_id=case_id)
            purged_cases += 1
    purged_plans = 0
    for plan_id in plans.older_than(cutoff, keep=_EXAMPLE_PLANS):
        if plans.delete(plan_id):
            audit.append("plan_purge", RETENTION, object_id=plan_id)
            purged_plans += 1
    if purged_cases or purged_plans:
        checkpoint(engine)
        logger.info(
            "retention purged %d case(s) and %d plan(s)",
            purged_cases,
            purged_plans,
            extra={"event": "retention_purge", "count": purged_cases + purged_plans},
        )
    return purged_cases, purged_plans


async def retention_loop(
    settings: Settings,
    cases: CaseStore,
    plans: PlanStore,
    audit: AuditLog,
    dispatcher: SolveDispatcher,
    engine: Engine,
) -> None:
    """Purge now, then every interval, until cancelled; a failure is logged and retried."""

    def stop_job(job_id: str) -> None:
        dispatcher.stop_job(job_id, settings.stop_grace_s)

    while True:
        try:
            await run_in_threadpool(purge_expired, settings, cases, plans, audit, engine, stop_job)
        except Exception as exc:
            logger.error("retention purge failed: %s", type(exc).__name__)
        await asyncio.sleep(settings.retention_check_interval_s)
