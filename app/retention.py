"""The retention period: cases untouched for longer, and older stored plans, are purged.

A background task does it at start-up and then every `retention_check_interval_s`; each
purge is audited (actor `retention`) and overwrites the rows like a deletion does.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from app.audit import AuditLog
from app.core.config import Settings
from app.core.db import checkpoint
from app.core.security import Caller
from app.dispatch import SolveDispatcher
from app.examples import (
    EXAMPLE_CASE_ID,
    EXAMPLE_CASE_PLAN_ID,
    EXAMPLE_CASE_TO_DELETE_ID,
    EXAMPLE_JOB_ID,
    EXAMPLE_PLAN_ID,
    EXAMPLE_PLAN_TO_DELETE_ID,
)
from app.models import CaseRecord, JobRecord, PlanRecord, utc_now
from app.reconciliation.store import forget_cases
from app.schemas import FINISHED_JOB_STATUSES

logger = logging.getLogger(__name__)

RETENTION = Caller(key_id="retention", role="mediator")
# The synthetic /docs examples hold no one real and are stored again at start-up anyway.
_EXAMPLE_CASES = frozenset({EXAMPLE_CASE_ID, EXAMPLE_CASE_TO_DELETE_ID})
_EXAMPLE_PLANS = frozenset({EXAMPLE_PLAN_ID, EXAMPLE_PLAN_TO_DELETE_ID, EXAMPLE_CASE_PLAN_ID})
_EXAMPLE_JOBS = frozenset({EXAMPLE_JOB_ID})


def purge_expired(
    settings: Settings,
    sessions: sessionmaker[Session],
    audit: AuditLog,
    engine: Engine,
    stop_job: Callable[[str], None] | None = None,
) -> tuple[int, int]:
    """Purge what the retention period has passed; returns (cases, plans) purged.

    Cases, plans and the audit entries that record their purge go in one transaction, so
    nobody ever sees a purge half done. `stop_job` first stops a running solve of a case
    about to go (the service passes its dispatcher's).
    """
    if settings.case_retention_days is None:
        return 0, 0
    cutoff = utc_now() - timedelta(days=settings.case_retention_days)
    expired_case = CaseRecord.updated_at < cutoff
    if stop_job is not None:
        with sessions() as session:
            running = session.scalars(
                select(JobRecord.id)
                .join(CaseRecord, JobRecord.case_id == CaseRecord.id)
                .where(expired_case, JobRecord.status.not_in(FINISHED_JOB_STATUSES))
            ).all()
        for job_id in running:
            stop_job(job_id)
    with sessions.begin() as session:
        case_ids = session.scalars(
            delete(CaseRecord)
            .where(expired_case, CaseRecord.id.not_in(_EXAMPLE_CASES))
            .returning(CaseRecord.id)
        ).all()
        plan_ids = session.scalars(
            delete(PlanRecord)
            .where(
                PlanRecord.case_id.is_(None),
                PlanRecord.created_at < cutoff,
                PlanRecord.id.not_in(_EXAMPLE_PLANS),
            )
            .returning(PlanRecord.id)
        ).all()
        # Jobs outside cases hold their request while unfinished: none may outlive the
        # period either (finished ones hold none; their rows go with them).
        job_ids = session.scalars(
            delete(JobRecord)
            .where(
                JobRecord.case_id.is_(None),
                JobRecord.created_at < cutoff,
                JobRecord.id.not_in(_EXAMPLE_JOBS),
            )
            .returning(JobRecord.id)
        ).all()
        # Their reconciliations, and their people's names in other cases' ones, too.
        forget_cases(session, case_ids)
        for case_id in case_ids:
            audit.append_in(session, "case_purge", RETENTION, case_id=case_id)
        for plan_id in plan_ids:
            audit.append_in(session, "plan_purge", RETENTION, object_id=plan_id)
        for job_id in job_ids:
            audit.append_in(session, "job_purge", RETENTION, object_id=job_id)
    if case_ids or plan_ids or job_ids:
        checkpoint(engine)
        logger.info(
            "retention purged %d case(s) and %d plan(s)",
            len(case_ids),
            len(plan_ids),
            extra={"event": "retention_purge", "count": len(case_ids) + len(plan_ids)},
        )
    return len(case_ids), len(plan_ids)


async def retention_loop(
    settings: Settings,
    sessions: sessionmaker[Session],
    audit: AuditLog,
    dispatcher: SolveDispatcher,
    engine: Engine,
) -> None:
    """Purge now, then every interval, until cancelled; a failure is logged and retried."""

    def stop_job(job_id: str) -> None:
        dispatcher.stop_job(job_id, settings.stop_grace_s)

    while True:
        try:
            await run_in_threadpool(purge_expired, settings, sessions, audit, engine, stop_job)
            # Again at every pass: a checkpoint that readers kept from completing (after a
            # purge or a deletion) leaves purged pages in the database file until one does.
            await run_in_threadpool(checkpoint, engine)
        except Exception as exc:
            logger.error("retention purge failed: %s", type(exc).__name__)
        await asyncio.sleep(settings.retention_check_interval_s)
