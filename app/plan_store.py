"""Stored plans: saved with the request they answer, listed as summaries, deleted on demand.

Every method opens its own short session, so the store can be used from request handlers,
from the threadpool and from the solver pool's threads alike.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from app.models import PlanRecord
from app.solving.messages import SolvedPlan


def new_id() -> str:
    """A random id: it says nothing about the exchange and cannot be guessed."""
    return str(uuid.uuid4())


def plan_record(
    plan: SolvedPlan,
    request_json: str,
    *,
    source: str,
    plan_id: str | None = None,
    case_id: str | None = None,
) -> PlanRecord:
    """The row for a solved plan; its JSON is stored as the solver wrote it."""
    return PlanRecord(
        case_id=case_id,
        id=plan_id or new_id(),
        source=source,
        status=plan.status,
        released_side_a=plan.released_side_a,
        released_side_b=plan.released_side_b,
        objective_json=plan.objective_json,
        request_json=request_json,
        plan_json=plan.json,
    )


@dataclass(frozen=True)
class PlanListing:
    """A stored plan without its documents: what a listing shows."""

    id: str
    created_at: datetime
    source: str
    status: str
    released_side_a: int
    released_side_b: int
    objective_json: str | None


@dataclass(frozen=True)
class PlanPage:
    listings: list[PlanListing]
    total: int


class PlanStore:
    """The `plans` table, seen as a collection of solved exchanges."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def add(self, record: PlanRecord) -> PlanRecord:
        with self._sessions.begin() as session:
            session.add(record)
        return record

    def get(self, plan_id: str) -> PlanRecord | None:
        with self._sessions() as session:
            return session.get(PlanRecord, plan_id)

    def exists(self, plan_id: str) -> bool:
        with self._sessions() as session:
            found = session.scalar(select(PlanRecord.id).where(PlanRecord.id == plan_id))
            return found is not None

    def page(self, offset: int, limit: int) -> PlanPage:
        """Newest first, without loading the stored JSON documents."""
        columns = (
            PlanRecord.id,
            PlanRecord.created_at,
            PlanRecord.source,
            PlanRecord.status,
            PlanRecord.released_side_a,
            PlanRecord.released_side_b,
            PlanRecord.objective_json,
        )
        with self._sessions() as session:
            total = session.scalar(select(func.count()).select_from(PlanRecord)) or 0
            rows = session.execute(
                select(*columns)
                .order_by(PlanRecord.created_at.desc(), PlanRecord.id)
                .offset(offset)
                .limit(limit)
            ).all()
        return PlanPage([PlanListing(*row) for row in rows], total)

    def older_than(self, cutoff: datetime, keep: frozenset[str] = frozenset()) -> list[str]:
        """Plans outside any case created before `cutoff` (the retention period's end)."""
        with self._sessions() as session:
            ids = session.scalars(
                select(PlanRecord.id).where(
                    PlanRecord.case_id.is_(None), PlanRecord.created_at < cutoff
                )
            )
            return [plan_id for plan_id in ids if plan_id not in keep]

    def delete(self, plan_id: str) -> bool:
        with self._sessions.begin() as session:
            result = session.execute(delete(PlanRecord).where(PlanRecord.id == plan_id))
        return bool(getattr(result, "rowcount", 0))
