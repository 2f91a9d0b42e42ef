"""Background jobs: their rows, how an instance claims one, and the listener that records
a solve's life in it.

A job is queued with its request. Any instance of the service with a free solver worker
claims the oldest claimable job: it names itself in `claimed_by` and holds a lease
(`lease_until`), which it renews while the job runs. A claim is one statement that skips
rows another instance is claiming at that moment (`FOR UPDATE SKIP LOCKED` on
PostgreSQL; SQLite has a single writer at a time). A job whose lease ran out (its
instance crashed) is claimable again, until it has been claimed `max_attempts` times;
then it ends `interrupted`. Every write about a running job names the instance that
claimed it, so an instance that lost its lease cannot overwrite another's work.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from pydantic import TypeAdapter
from sqlalchemy import ColumnElement, and_, case, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from app.models import JobRecord, utc_now
from app.plan_store import plan_record
from app.schemas import JobProgress
from app.solving.messages import ProgressSnapshot, SolveOutcome
from solver.schema import LevelReport, Objective

logger = logging.getLogger(__name__)

_LEVELS = TypeAdapter(list[LevelReport])
UNFINISHED = ("queued", "running")
OUT_OF_ATTEMPTS = "the service stopped or crashed each time this job ran"


@dataclass(frozen=True)
class ClaimedJob:
    """A job this instance now holds: what it needs to run it."""

    id: str
    request_json: str
    time_limit_s: float
    attempts: int


@dataclass(frozen=True)
class LeaseCheck:
    """What a heartbeat learnt about this instance's jobs."""

    held: frozenset[str]  # still claimed by this instance, unfinished
    stop_requested: frozenset[str]  # of those, the ones someone asked to stop


def _claimable(now: object) -> ColumnElement[bool]:
    """Unfinished, and held by no instance (or by one whose lease ran out)."""
    return and_(
        JobRecord.status.in_(UNFINISHED),
        or_(JobRecord.claimed_by.is_(None), JobRecord.lease_until < now),
    )


class JobStore:
    """The `jobs` table. Each method is one short transaction, safe from any thread."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def create(
        self,
        job_id: str,
        time_limit_s: float,
        request_json: str,
        case_id: str | None = None,
    ) -> JobRecord:
        record = JobRecord(
            id=job_id,
            status="queued",
            time_limit_s=time_limit_s,
            stop_requested=False,
            case_id=case_id,
            request_json=request_json,
            attempts=0,
        )
        with self._sessions.begin() as session:
            session.add(record)
        return record

    def get(self, job_id: str) -> JobRecord | None:
        with self._sessions() as session:
            return session.get(JobRecord, job_id)

    def waiting(self) -> int:
        """Jobs no instance is working on: the line in front of every instance's workers."""
        with self._sessions() as session:
            count = session.scalar(
                select(func.count())
                .select_from(JobRecord)
                .where(_claimable(utc_now()), JobRecord.status == "queued")
            )
        return int(count or 0)

    # ------------------------------------------------------------------ claims

    def claim(self, instance: str, lease_s: float, max_attempts: int) -> ClaimedJob | None:
        """The oldest claimable job, now held by `instance` for `lease_s`; None if none.

        Jobs already claimed `max_attempts` times end `interrupted` first.
        """
        now = utc_now()
        with self._sessions.begin() as session:
            given_up = session.execute(
                update(JobRecord)
                .where(_claimable(now), JobRecord.attempts >= max_attempts)
                .values(
                    status="interrupted",
                    finished_at=now,
                    error=OUT_OF_ATTEMPTS,
                    request_json=None,
                    claimed_by=None,
                    lease_until=None,
                )
            )
            gone = int(getattr(given_up, "rowcount", 0) or 0)
            if gone:
                logger.warning("%d job(s) out of attempts marked interrupted", gone)
            oldest = (
                select(JobRecord.id)
                .where(_claimable(now), JobRecord.attempts < max_attempts)
                .order_by(JobRecord.created_at, JobRecord.id)
                .limit(1)
                .with_for_update(skip_locked=True)
                .scalar_subquery()
            )
            row = session.execute(
                update(JobRecord)
                # The conditions again: another instance may have claimed the row between
                # the choice and the update (PostgreSQL re-checks them on the new row).
                .where(JobRecord.id == oldest, _claimable(now))
                .values(
                    claimed_by=instance,
                    lease_until=now + timedelta(seconds=lease_s),
                    attempts=JobRecord.attempts + 1,
                )
                .returning(
                    JobRecord.id,
                    JobRecord.request_json,
                    JobRecord.time_limit_s,
                    JobRecord.attempts,
                )
            ).first()
        if row is None:
            return None
        job_id, request_json, time_limit_s, attempts = row
        if request_json is None:  # a job queued before requests were kept with jobs
            self._end(job_id, instance, "interrupted", "its request was not kept")
            return None
        return ClaimedJob(job_id, request_json, float(time_limit_s), int(attempts))

    def heartbeat(self, instance: str, lease_s: float) -> LeaseCheck:
        """Renew the leases of `instance`'s jobs; say which it holds and which to stop."""
        now = utc_now()
        with self._sessions.begin() as session:
            session.execute(
                update(JobRecord)
                .where(JobRecord.claimed_by == instance, JobRecord.status.in_(UNFINISHED))
                .values(lease_until=now + timedelta(seconds=lease_s))
            )
            rows = session.execute(
                select(JobRecord.id, JobRecord.stop_requested).where(
                    JobRecord.claimed_by == instance, JobRecord.status.in_(UNFINISHED)
                )
            ).all()
        return LeaseCheck(
            held=frozenset(job_id for job_id, _ in rows),
            stop_requested=frozenset(job_id for job_id, stop in rows if stop),
        )

    def stop_requested_among(self, job_ids: frozenset[str]) -> list[str]:
        """Which of these jobs someone asked to stop (through any instance)."""
        if not job_ids:
            return []
        with self._sessions() as session:
            return list(
                session.scalars(
                    select(JobRecord.id).where(
                        JobRecord.id.in_(job_ids), JobRecord.stop_requested.is_(True)
                    )
                )
            )

    def release(self, instance: str, job_ids: frozenset[str] | None = None) -> int:
        """Put `instance`'s unfinished jobs back in the queue (a clean stop: the attempt
        does not count), for another instance or the next start to run."""
        condition = and_(JobRecord.claimed_by == instance, JobRecord.status.in_(UNFINISHED))
        if job_ids is not None:
            condition = and_(condition, JobRecord.id.in_(job_ids))
        with self._sessions.begin() as session:
            result = session.execute(
                update(JobRecord)
                .where(condition)
                .values(
                    status="queued",
                    claimed_by=None,
                    lease_until=None,
                    started_at=None,
                    progress_json=None,
                    attempts=case((JobRecord.attempts > 0, JobRecord.attempts - 1), else_=0),
                )
            )
        return int(getattr(result, "rowcount", 0) or 0)

    # ------------------------------------------------------------------ one job's life

    def mark_running(self, job_id: str, instance: str) -> None:
        self._update_held(job_id, instance, status="running", started_at=utc_now())

    def record_progress(self, job_id: str, instance: str, progress: JobProgress) -> None:
        self._update_held(job_id, instance, progress_json=progress.model_dump_json())

    def mark_stop_requested(self, job_id: str) -> None:
        """Ask for a stop (a finished job is left as it is)."""
        with self._sessions.begin() as session:
            session.execute(
                update(JobRecord)
                .where(JobRecord.id == job_id, JobRecord.status.in_(UNFINISHED))
                .values(stop_requested=True)
            )

    def cancel_waiting(self, job_id: str) -> bool:
        """Cancel a job no instance holds; False when one does (or it has finished)."""
        now = utc_now()
        with self._sessions.begin() as session:
            result = session.execute(
                update(JobRecord)
                .where(JobRecord.id == job_id, _claimable(now), JobRecord.status == "queued")
                .values(
                    status="cancelled",
                    stop_requested=True,
                    finished_at=now,
                    request_json=None,
                    claimed_by=None,
                    lease_until=None,
                )
            )
        return bool(getattr(result, "rowcount", 0))

    def finish(self, job_id: str, instance: str, outcome: SolveOutcome, request_json: str) -> bool:
        """Store the plan (if any) with its request, and close the job, in one transaction;
        the job's own copy of the request goes. False, and nothing written, when the job
        is no longer held by `instance` (deleted with its case, or taken over).

        A case's job stores its plan as a draft of that case.
        """
        with self._sessions.begin() as session:
            closed = session.execute(
                update(JobRecord)
                .where(
                    JobRecord.id == job_id,
                    JobRecord.claimed_by == instance,
                    JobRecord.status.in_(UNFINISHED),
                )
                .values(
                    status=outcome.status,
                    finished_at=utc_now(),
                    error=outcome.error,
                    request_json=None,
                    claimed_by=None,
                    lease_until=None,
                )
            )
            if not getattr(closed, "rowcount", 0):
                return False
            if outcome.plan is not None:
                case_id = session.scalar(select(JobRecord.case_id).where(JobRecord.id == job_id))
                source = "case" if case_id is not None else "job"
                record = plan_record(outcome.plan, request_json, source=source, case_id=case_id)
                session.add(record)
                session.flush()
                session.execute(
                    update(JobRecord).where(JobRecord.id == job_id).values(plan_id=record.id)
                )
        return True

    def _end(self, job_id: str, instance: str, status: str, error: str) -> None:
        self._update_held(
            job_id,
            instance,
            status=status,
            error=error,
            finished_at=utc_now(),
            request_json=None,
            claimed_by=None,
            lease_until=None,
        )

    def _update_held(self, job_id: str, instance: str, **values: object) -> None:
        with self._sessions.begin() as session:
            session.execute(
                update(JobRecord)
                .where(
                    JobRecord.id == job_id,
                    JobRecord.claimed_by == instance,
                    JobRecord.status.in_(UNFINISHED),
                )
                .values(**values)
            )


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
    """Listens to one background solve and writes each step to its job row, as the
    instance that claimed it. Once `abandon`ed (the instance is stopping and has put the
    job back in the queue) it writes nothing more."""

    def __init__(
        self,
        jobs: JobStore,
        job_id: str,
        instance: str,
        request_json: str,
        on_finished: Callable[[SolveOutcome], None] | None = None,
    ) -> None:
        self._jobs = jobs
        self._job_id = job_id
        self._instance = instance
        self._request_json: str | None = request_json
        self._on_finished = on_finished
        self._abandoned = False

    def abandon(self) -> None:
        self._abandoned = True

    def started(self) -> None:
        if not self._abandoned:
            self._jobs.mark_running(self._job_id, self._instance)

    def progressed(self, progress: ProgressSnapshot) -> None:
        if not self._abandoned:
            self._jobs.record_progress(self._job_id, self._instance, progress_of(progress))

    def finished(self, outcome: SolveOutcome) -> None:
        try:
            if self._abandoned:
                logger.info("job %s left to the queue: %s", self._job_id, outcome.status)
            elif self._jobs.finish(self._job_id, self._instance, outcome, self._request_json or ""):
                logger.info(
                    "job %s finished: %s in %.2f s",
                    self._job_id,
                    outcome.status,
                    outcome.elapsed_s,
                )
            else:
                logger.warning("job %s no longer held here; its outcome is dropped", self._job_id)
        finally:
            self._request_json = None
            if self._on_finished is not None:
                self._on_finished(outcome)
