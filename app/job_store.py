"""Background jobs: their rows, and the listener that records a solve's life in them."""

from __future__ import annotations

import logging
from collections.abc import Callable

from pydantic import TypeAdapter
from sqlalchemy import delete, update
from sqlalchemy.orm import Session, sessionmaker

from app.models import JobRecord, utc_now
from app.plan_store import plan_record
from app.schemas import FINISHED_JOB_STATUSES, JobProgress
from app.solving.messages import ProgressSnapshot, SolveOutcome
from solver.schema import LevelReport, Objective

logger = logging.getLogger(__name__)

_LEVELS = TypeAdapter(list[LevelReport])


class JobStore:
    """The `jobs` table. Each method is one short transaction, safe from any thread."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def create(self, job_id: str, time_limit_s: float, case_id: str | None = None) -> JobRecord:
        record = JobRecord(
            id=job_id,
            status="queued",
            time_limit_s=time_limit_s,
            stop_requested=False,
            case_id=case_id,
        )
        with self._sessions.begin() as session:
            session.add(record)
        return record

    def delete(self, job_id: str) -> None:
        """Only for a job the queue refused: it never existed for the client."""
        with self._sessions.begin() as session:
            session.execute(delete(JobRecord).where(JobRecord.id == job_id))

    def get(self, job_id: str) -> JobRecord | None:
        with self._sessions() as session:
            return session.get(JobRecord, job_id)

    def mark_running(self, job_id: str) -> None:
        self._update(job_id, status="running", started_at=utc_now())

    def mark_stop_requested(self, job_id: str) -> None:
        self._update(job_id, stop_requested=True)

    def record_progress(self, job_id: str, progress: JobProgress) -> None:
        self._update(job_id, progress_json=progress.model_dump_json())

    def finish(self, job_id: str, outcome: SolveOutcome, request_json: str) -> None:
        """Store the plan (if any) with its request, and close the job, in one transaction.

        A case's job stores its plan as a draft of that case; when the case was deleted
        meanwhile, the job row is gone too and nothing is stored.
        """
        with self._sessions.begin() as session:
            job = session.get(JobRecord, job_id)
            if job is None:
                return
            plan_id = None
            if outcome.plan is not None:
                source = "case" if job.case_id is not None else "job"
                record = plan_record(outcome.plan, request_json, source=source, case_id=job.case_id)
                session.add(record)
                session.flush()
                plan_id = record.id
            session.execute(
                update(JobRecord)
                .where(JobRecord.id == job_id)
                .values(
                    status=outcome.status,
                    finished_at=utc_now(),
                    error=outcome.error,
                    plan_id=plan_id,
                )
            )

    def interrupt_unfinished(self) -> int:
        """Jobs left queued or running by a previous run of the service can never finish."""
        with self._sessions.begin() as session:
            result = session.execute(
                update(JobRecord)
                .where(JobRecord.status.not_in(FINISHED_JOB_STATUSES))
                .values(
                    status="interrupted",
                    finished_at=utc_now(),
                    error="the service restarted before this job finished",
                )
            )
        return int(getattr(result, "rowcount", 0) or 0)

    def _update(self, job_id: str, **values: object) -> None:
        with self._sessions.begin() as session:
            session.execute(update(JobRecord).where(JobRecord.id == job_id).values(**values))


def progress_of(snapshot: ProgressSnapshot) -> JobProgress:
    levels = _LEVELS.validate_json(snapshot.levels_json)
    objective = (
        Objective.model_validate_json(snapshot.best_objective_json)
        if snapshot.best_objective_json is not None
        else None
    )
    return JobProgress(
        levels=levels,
        levels_proven=sum(1 for level in levels if level.proven),
        best_objective=objective,
        elapsed_s=round(snapshot.elapsed_s, 3),
    )


class JobRecorder:
    """Listens to one background solve and writes each step to its job row.

    The request is held here, in memory, until the plan is stored beside it.
    """

    def __init__(
        self,
        jobs: JobStore,
        job_id: str,
        request_json: str,
        on_finished: Callable[[SolveOutcome], None] | None = None,
    ) -> None:
        self._jobs = jobs
        self._job_id = job_id
        self._request_json: str | None = request_json
        self._on_finished = on_finished

    def started(self) -> None:
        self._jobs.mark_running(self._job_id)

    def progressed(self, progress: ProgressSnapshot) -> None:
        self._jobs.record_progress(self._job_id, progress_of(progress))

    def finished(self, outcome: SolveOutcome) -> None:
        self._jobs.finish(self._job_id, outcome, self._request_json or "")
        self._request_json = None
        logger.info(
            "job %s finished: %s in %.2f s", self._job_id, outcome.status, outcome.elapsed_s
        )
        if self._on_finished is not None:
            self._on_finished(outcome)
