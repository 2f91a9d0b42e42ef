"""Negotiation cases: their lists, terms, draft plans and the published plan.

Deleting a case deletes, through the foreign keys, its lists, its plans, its jobs and its
party keys; with SQLite's secure_delete and a checkpoint afterwards (see `app.core.db`)
no trace of its people is left in the database files.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from app.models import (
    CaseListRecord,
    CasePublicationRecord,
    CaseRecord,
    JobRecord,
    PlanRecord,
    utc_now,
)
from app.plan_store import PlanListing, new_id
from app.reconciliation.store import fingerprint, forget_cases
from app.registry_store import RegistryStore
from app.schemas import FINISHED_JOB_STATUSES

SIDES: tuple[str, str] = ("side_a", "side_b")
_LISTING = (
    PlanRecord.id,
    PlanRecord.created_at,
    PlanRecord.source,
    PlanRecord.status,
    PlanRecord.released_side_a,
    PlanRecord.released_side_b,
    PlanRecord.objective_json,
)


class ListChangedError(Exception):
    """A side's list is no longer the one a change was computed on."""


@dataclass(frozen=True)
class ListSummary:
    """An uploaded list without its people."""

    side: str
    uploaded_at: datetime
    source: str
    detainee_count: int


@dataclass(frozen=True)
class Publication:
    """A published plan of a case and its number (1 for the first publication)."""

    version: int
    plan_id: str
    published_at: datetime


@dataclass(frozen=True)
class CasePage:
    cases: list[CaseRecord]
    total: int


class CaseStore:
    """The `cases` and `case_lists` tables, and the plans and jobs that belong to a case."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        # Who was handed over already: a case's lists are read through it (see
        # `app.case_documents.case_request_json`).
        self.registry = RegistryStore(sessions)

    def create(self) -> CaseRecord:
        now = utc_now()
        record = CaseRecord(id=new_id(), created_at=now, updated_at=now)
        with self._sessions.begin() as session:
            session.add(record)
        return record

    def ensure(self, case_id: str) -> bool:
        """Create a case under this id when there is none (the /docs examples)."""
        with self._sessions.begin() as session:
            if session.get(CaseRecord, case_id) is not None:
                return False
            now = utc_now()
            session.add(CaseRecord(id=case_id, created_at=now, updated_at=now))
        return True

    def get(self, case_id: str) -> CaseRecord | None:
        with self._sessions() as session:
            return session.get(CaseRecord, case_id)

    def page(self, offset: int, limit: int, only: str | None = None) -> CasePage:
        """Newest first; `only` restricts the page to one case (a party's view)."""
        condition = CaseRecord.id == only if only is not None else None
        with self._sessions() as session:
            count = select(func.count()).select_from(CaseRecord)
            query = select(CaseRecord).order_by(CaseRecord.created_at.desc(), CaseRecord.id)
            if condition is not None:
                count, query = count.where(condition), query.where(condition)
            total = session.scalar(count) or 0
            rows = list(session.scalars(query.offset(offset).limit(limit)))
        return CasePage(rows, total)

    def set_terms(self, case_id: str, terms_json: str, options_json: str | None) -> bool:
        return self._update_case(
            case_id, terms_json=terms_json, options_json=options_json, updated_at=utc_now()
        )

    def touch(self, case_id: str) -> None:
        self._update_case(case_id, updated_at=utc_now())

    def put_list(
        self,
        case_id: str,
        side: str,
        source: str,
        detainee_count: int,
        list_json: str,
        *,
        replacing: str | None = None,
    ) -> ListSummary | None:
        """Store a party's list in place of its previous one; None when the case is gone.
        With `replacing` (a list's `fingerprint`), only in place of that very list, else
        ListChangedError: the list was uploaded again meanwhile. The case's row is
        written first: that takes SQLite's write lock (which a SELECT ... FOR UPDATE does
        not) before the list is read and compared."""
        now = utc_now()
        with self._sessions.begin() as session:
            touched = session.execute(
                update(CaseRecord).where(CaseRecord.id == case_id).values(updated_at=now)
            )
            if not getattr(touched, "rowcount", 0):
                return None
            if replacing is not None:
                current = session.scalar(
                    select(CaseListRecord.list_json)
                    .where(CaseListRecord.case_id == case_id, CaseListRecord.side == side)
                    .with_for_update()
                )
                if current is None or fingerprint(current) != replacing:
                    raise ListChangedError(side)
            session.execute(
                delete(CaseListRecord).where(
                    CaseListRecord.case_id == case_id, CaseListRecord.side == side
                )
            )
            session.add(
                CaseListRecord(
                    case_id=case_id,
                    side=side,
                    uploaded_at=now,
                    source=source,
                    detainee_count=detainee_count,
                    list_json=list_json,
                )
            )
        return ListSummary(side, now, source, detainee_count)

    def get_list(self, case_id: str, side: str) -> CaseListRecord | None:
        with self._sessions() as session:
            return session.get(CaseListRecord, (case_id, side))

    def list_summaries(self, case_id: str) -> list[ListSummary]:
        with self._sessions() as session:
            rows = session.execute(
                select(
                    CaseListRecord.side,
                    CaseListRecord.uploaded_at,
                    CaseListRecord.source,
                    CaseListRecord.detainee_count,
                )
                .where(CaseListRecord.case_id == case_id)
                .order_by(CaseListRecord.side)
            ).all()
        return [ListSummary(*row) for row in rows]

    def drafts(self, case_id: str) -> list[PlanListing]:
        """The case's plans, newest first, without their documents."""
        with self._sessions() as session:
            rows = session.execute(
                select(*_LISTING)
                .where(PlanRecord.case_id == case_id)
                .order_by(PlanRecord.created_at.desc(), PlanRecord.id)
            ).all()
        return [PlanListing(*row) for row in rows]

    def plan_of_case(self, case_id: str, plan_id: str) -> PlanRecord | None:
        with self._sessions() as session:
            record = session.get(PlanRecord, plan_id)
        return record if record is not None and record.case_id == case_id else None

    def published(self, case_id: str) -> PlanRecord | None:
        with self._sessions() as session:
            return session.scalar(
                select(PlanRecord).where(
                    PlanRecord.case_id == case_id, PlanRecord.published_at.is_not(None)
                )
            )

    def publish(self, case_id: str, plan_id: str) -> datetime:
        now = utc_now()
        with self._sessions.begin() as session:
            # One published plan per case: a new publication replaces the previous one.
            session.execute(
                update(PlanRecord)
                .where(PlanRecord.case_id == case_id, PlanRecord.id != plan_id)
                .values(published_at=None)
            )
            session.execute(
                update(PlanRecord)
                .where(PlanRecord.id == plan_id, PlanRecord.case_id == case_id)
                .values(published_at=now)
            )
            # Every publication keeps its number: the earlier plans stay readable.
            last = session.scalar(
                select(func.max(CasePublicationRecord.version)).where(
                    CasePublicationRecord.case_id == case_id
                )
            )
            session.add(
                CasePublicationRecord(
                    case_id=case_id, version=(last or 0) + 1, plan_id=plan_id, published_at=now
                )
            )
            session.execute(
                update(CaseRecord).where(CaseRecord.id == case_id).values(updated_at=now)
            )
        return now

    def publications(self, case_id: str) -> list[Publication]:
        """Every publication of the case, the first first."""
        with self._sessions() as session:
            rows = session.scalars(
                select(CasePublicationRecord)
                .where(CasePublicationRecord.case_id == case_id)
                .order_by(CasePublicationRecord.version)
            )
            return [Publication(r.version, r.plan_id, r.published_at) for r in rows]

    def published_version(self, case_id: str, version: int) -> PlanRecord | None:
        """The plan published under this number, if any."""
        with self._sessions() as session:
            publication = session.get(CasePublicationRecord, (case_id, version))
            if publication is None:
                return None
            return session.get(PlanRecord, publication.plan_id)

    def unfinished_jobs(self, case_id: str) -> list[str]:
        with self._sessions() as session:
            return list(
                session.scalars(
                    select(JobRecord.id).where(
                        JobRecord.case_id == case_id,
                        JobRecord.status.not_in(FINISHED_JOB_STATUSES),
                    )
                )
            )

    def delete(self, case_id: str) -> bool:
        """Delete the case and, by cascade, its lists, plans, jobs and keys; its
        reconciliation, and its people's names in other cases' reconciliations, in the
        same transaction (`forget_cases`)."""
        with self._sessions.begin() as session:
            result = session.execute(delete(CaseRecord).where(CaseRecord.id == case_id))
            deleted = bool(getattr(result, "rowcount", 0))
            if deleted:
                forget_cases(session, [case_id])
        return deleted

    def untouched_since(self, cutoff: datetime) -> list[str]:
        with self._sessions() as session:
            return list(
                session.scalars(select(CaseRecord.id).where(CaseRecord.updated_at < cutoff))
            )

    def _update_case(self, case_id: str, **values: object) -> bool:
        with self._sessions.begin() as session:
            result = session.execute(
                update(CaseRecord).where(CaseRecord.id == case_id).values(**values)
            )
        return bool(getattr(result, "rowcount", 0))
