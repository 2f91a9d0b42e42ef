"""Events of the day of the exchange, recorded against a case's published plan.

Events are kept in the order they were recorded, numbered from 1 per case, as the JSON
the repair reads. An executed stage is recorded with who crossed, written out, and its
people go into the registry in the same transaction (`app.registry_store`).

The last event still in force can be taken back (a stack undo: every earlier event was
checked against those before it only, so they all stay valid). The row is kept, marked
with when it was taken back, so the history still shows it; checks and repairs read the
events in force only, and a number is never given twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from app.models import CaseEventRecord, CaseRecord, utc_now
from app.registry_store import registry_rows, remove_rows_of_event


@dataclass(frozen=True)
class RecordedEvent:
    seq: int
    recorded_at: datetime
    type: str
    side: str | None
    plan_id: str | None
    event_json: str
    taken_back_at: datetime | None = None


class EventsChangedError(Exception):
    """The case's events in force changed between checking new events and recording them."""


@dataclass(frozen=True)
class TakenBack:
    """What `EventStore.take_back` did: the event taken back and the registry rows it
    removed; or, when it refused, why (`rule`) and the case's last event in force."""

    event: RecordedEvent | None
    registry_removed: int = 0
    rule: str | None = None
    last_seq: int | None = None


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
        self,
        case_id: str,
        plan_id: str | None,
        events: Sequence[NewEvent],
        *,
        checked_after: Sequence[int] | None = None,
    ) -> list[RecordedEvent] | None:
        """Append the events to the case's, in order; None when the case is gone. With
        `checked_after` (the seqs of the events in force they were checked against),
        raise `EventsChangedError` and record nothing when those are no longer the
        events in force (one was taken back, or recorded, in the meantime)."""
        now = utc_now()
        recorded: list[RecordedEvent] = []
        with self._sessions.begin() as session:
            if session.get(CaseRecord, case_id) is None:
                return None
            # The case's row first, as `take_back` does: on PostgreSQL the two then go
            # one after the other, and this one reads the events in force as left.
            session.execute(
                update(CaseRecord).where(CaseRecord.id == case_id).values(updated_at=now)
            )
            if checked_after is not None:
                in_force = session.scalars(
                    select(CaseEventRecord.seq)
                    .where(
                        CaseEventRecord.case_id == case_id,
                        CaseEventRecord.taken_back_at.is_(None),
                    )
                    .order_by(CaseEventRecord.seq)
                )
                if list(in_force) != list(checked_after):
                    raise EventsChangedError
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
        return recorded

    def of_case(self, case_id: str, *, taken_back: bool = False) -> list[RecordedEvent]:
        """The case's events in force, in the order they were recorded (with those taken
        back too, in their place, when `taken_back`)."""
        conditions = [CaseEventRecord.case_id == case_id]
        if not taken_back:
            conditions.append(CaseEventRecord.taken_back_at.is_(None))
        with self._sessions() as session:
            rows = session.scalars(
                select(CaseEventRecord).where(*conditions).order_by(CaseEventRecord.seq)
            )
            return [_recorded(r) for r in rows]

    def take_back(self, case_id: str, seq: int) -> TakenBack | None:
        """Take back event `seq` if it is the case's last event in force, and the registry
        rows of an executed stage with it, in one transaction; None when the case or the
        event does not exist. Refused (nothing changed) with the rule `not_last_event`
        or `already_taken_back`."""
        with self._sessions() as session:
            if session.get(CaseRecord, case_id) is None:
                return None
            # Touch the case first: its row is then locked to the end (on PostgreSQL), so
            # two take-backs of one case go one after the other.
            now = utc_now()
            session.execute(
                update(CaseRecord).where(CaseRecord.id == case_id).values(updated_at=now)
            )
            row = session.get(CaseEventRecord, (case_id, seq))
            last = session.scalar(
                select(func.max(CaseEventRecord.seq)).where(
                    CaseEventRecord.case_id == case_id, CaseEventRecord.taken_back_at.is_(None)
                )
            )
            if row is None or row.taken_back_at is not None or seq != last:
                refused = None
                if row is not None:
                    rule = "already_taken_back" if row.taken_back_at else "not_last_event"
                    refused = TakenBack(None, rule=rule, last_seq=last)
                session.rollback()
                return refused
            row.taken_back_at = now
            removed = remove_rows_of_event(session, case_id, seq)
            taken = _recorded(row)
            session.commit()
            return TakenBack(taken, registry_removed=removed)


def _recorded(row: CaseEventRecord) -> RecordedEvent:
    return RecordedEvent(
        row.seq,
        row.recorded_at,
        row.type,
        row.side,
        row.plan_id,
        row.event_json,
        row.taken_back_at,
    )
