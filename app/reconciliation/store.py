"""The `reconciliations` and `reconciliation_decisions` tables of a case.

One reconciliation per case: a new run replaces the previous one and, by cascade, its
decisions. Deleting the case deletes both, like its lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from app.models import ReconciliationDecisionRecord, ReconciliationRecord, utc_now

Decision = str  # "confirmed" or "rejected"; "pending" is the absence of a row


@dataclass(frozen=True)
class StoredReconciliation:
    case_id: str
    held_side: str
    created_at: datetime
    requested_json: str
    exchanged_json: str
    result_json: str
    applied_at: datetime | None


class ReconciliationStore:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def put(
        self,
        case_id: str,
        held_side: str,
        requested_json: str,
        exchanged_json: str,
        result_json: str,
    ) -> datetime:
        """Store a case's reconciliation in place of its previous one (and its decisions)."""
        now = utc_now()
        with self._sessions.begin() as session:
            session.execute(
                delete(ReconciliationDecisionRecord).where(
                    ReconciliationDecisionRecord.case_id == case_id
                )
            )
            session.execute(
                delete(ReconciliationRecord).where(ReconciliationRecord.case_id == case_id)
            )
            session.add(
                ReconciliationRecord(
                    case_id=case_id,
                    held_side=held_side,
                    created_at=now,
                    requested_json=requested_json,
                    exchanged_json=exchanged_json,
                    result_json=result_json,
                )
            )
        return now

    def get(self, case_id: str) -> StoredReconciliation | None:
        with self._sessions() as session:
            record = session.get(ReconciliationRecord, case_id)
            if record is None:
                return None
            return StoredReconciliation(
                record.case_id,
                record.held_side,
                record.created_at,
                record.requested_json,
                record.exchanged_json,
                record.result_json,
                record.applied_at,
            )

    def decisions(self, case_id: str) -> dict[str, Decision]:
        with self._sessions() as session:
            rows = session.execute(
                select(
                    ReconciliationDecisionRecord.item_id, ReconciliationDecisionRecord.decision
                ).where(ReconciliationDecisionRecord.case_id == case_id)
            ).all()
        return {item_id: decision for item_id, decision in rows}

    def decide(self, case_id: str, item_id: str, decision: str, decided_by: str) -> None:
        """Record a yes or no; `pending` takes an earlier one back."""
        with self._sessions.begin() as session:
            session.execute(
                delete(ReconciliationDecisionRecord).where(
                    ReconciliationDecisionRecord.case_id == case_id,
                    ReconciliationDecisionRecord.item_id == item_id,
                )
            )
            if decision != "pending":
                session.add(
                    ReconciliationDecisionRecord(
                        case_id=case_id,
                        item_id=item_id,
                        decision=decision,
                        decided_at=utc_now(),
                        decided_by=decided_by,
                    )
                )

    def mark_applied(self, case_id: str) -> datetime:
        now = utc_now()
        with self._sessions.begin() as session:
            session.execute(
                update(ReconciliationRecord)
                .where(ReconciliationRecord.case_id == case_id)
                .values(applied_at=now)
            )
        return now
