"""Events of the day of the exchange, recorded against a case's published plan.

Events are kept in the order they were recorded, numbered from 1 per case, as the JSON
the repair reads. An executed stage is recorded with who crossed, written out, and its
people go into the registry in the same transaction (`app.registry_store`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from app.models import CaseEventRecord, CaseRecord, utc_now
from app.registry_store import registry_rows


@dataclass(frozen=True)
class RecordedEvent:
    seq: int
    recorded_at: datetime
    type: str
    side: str | None
    plan_id: str | None
    event_json: str


@dataclass(frozen=True)
class NewEvent:
    """An event to record: its JSON, and for an executed stage who crossed per side."""

    type: str
    side: str | None
    event_json: str
    stage: int | None = None
    crossed: Mapping[str, Sequence[str]] | None = None


class EventStore:
    """The `case_events` table (and the registry rows an executed stage adds)."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def record(
        self, case_id: str, plan_id: str | None, events: Sequence[NewEvent]
    ) -> list[RecordedEvent] | None:
        """Append the events to the case's, in order; None when the case is gone."""
        now = utc_now()
        recorded: list[RecordedEvent] = []
        with self._sessions.begin() as session:
            if session.get(CaseRecord, case_id) is None:
                return None
            last = session.scalar(
                select(func.max(CaseEventRecord.seq)).where(CaseEventRecord.case_id == case_id)
            )
            for offset, event in enumerate(events, start=1):
                seq = (last or 0) + offset
                session.add(
                    CaseEventRecord(
                        case_id=case_id,
                        seq=seq,
                        recorded_at=now,
                        type=event.type,
                        side=event.side,
                        plan_id=plan_id,
                        event_json=event.event_json,
                    )
                )
                if event.stage is not None and event.crossed is not None:
                    session.add_all(registry_rows(case_id, event.stage, event.crossed, now, seq))
                recorded.append(
                    RecordedEvent(seq, now, event.type, event.side, plan_id, event.event_json)
                )
            session.execute(
                update(CaseRecord).where(CaseRecord.id == case_id).values(updated_at=now)
            )
        return recorded

    def of_case(self, case_id: str) -> list[RecordedEvent]:
        """The case's events, in the order they were recorded."""
        with self._sessions() as session:
            rows = session.scalars(
                select(CaseEventRecord)
                .where(CaseEventRecord.case_id == case_id)
                .order_by(CaseEventRecord.seq)
            )
            return [
                RecordedEvent(r.seq, r.recorded_at, r.type, r.side, r.plan_id, r.event_json)
                for r in rows
            ]
