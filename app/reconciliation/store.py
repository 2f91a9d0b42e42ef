"""The `reconciliations`, `reconciliation_decisions` and `reconciliation_runs` tables.

One reconciliation per case: a new run replaces the previous one and, by cascade, its
decisions. A run started from the web page is recorded while it goes (one per case at a
time, across every instance of the service). Deleting the case deletes all three, like
its lists.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from app.models import (
    CaseRecord,
    ReconciliationDecisionRecord,
    ReconciliationRecord,
    ReconciliationRunRecord,
    utc_now,
)

Decision = str  # "confirmed" or "rejected"; "pending" is the absence of a row
ACTIVE_RUN = ("queued", "running")


def fingerprint(text: str) -> str:
    """A list as stored (its JSON text), by SHA-256: what a reconciliation compared."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class StoredReconciliation:
    case_id: str
    held_side: str
    created_at: datetime
    requested_json: str
    exchanged_json: str
    result_json: str
    applied_at: datetime | None
    held_sha256: str | None  # the held list compared (None: stored before this was kept)


@dataclass(frozen=True)
class StoredRun:
    case_id: str
    run_id: str
    held_side: str
    requested: int
    status: str
    step: str | None
    step_number: int
    started_at: datetime
    updated_at: datetime
    finished_at: datetime | None


def forget_cases(session: Session, case_ids: Sequence[str]) -> int:
    """Within a deletion's or a purge's transaction: remove these cases' reconciliations,
    decisions and runs (the foreign keys would too; this does not depend on them), and
    strip the names of their people from every other case's stored reconciliation, where
    the service's registry brought them in (`handed_over.case_id`): those entries keep
    their ids and where they crossed, nothing that names them. Returns how many other
    reconciliations were rewritten."""
    if not case_ids:
        return 0
    gone = set(case_ids)
    for table in (ReconciliationDecisionRecord, ReconciliationRecord, ReconciliationRunRecord):
        session.execute(delete(table).where(table.case_id.in_(gone)))
    rewritten = 0
    mentions = or_(*(ReconciliationRecord.exchanged_json.contains(case_id) for case_id in gone))
    for record in session.scalars(select(ReconciliationRecord).where(mentions)):
        entries = json.loads(record.exchanged_json)
        kept = [_without_names(entry, gone) for entry in entries]
        if kept != entries:
            record.exchanged_json = json.dumps(kept, ensure_ascii=False)
            rewritten += 1
    return rewritten


def _without_names(entry: Any, gone: set[str]) -> Any:
    handed = entry.get("handed_over") if isinstance(entry, dict) else None
    if not isinstance(handed, dict) or handed.get("case_id") not in gone:
        return entry
    return {"id": entry.get("id"), "handed_over": handed}


def _names_of_cases_gone(session: Session, exchanged_json: str) -> str:
    """`exchanged_json` with the names of the people whose case no longer exists taken
    out (`_without_names`); those still there are read FOR SHARE (PostgreSQL), so that
    their deletion waits for this transaction and then finds the names to strip."""
    entries = json.loads(exchanged_json)
    named = {
        str(handed.get("case_id"))
        for entry in entries
        if isinstance(entry, dict) and isinstance(handed := entry.get("handed_over"), dict)
    }
    if not named:
        return exchanged_json
    present = set(
        session.scalars(
            select(CaseRecord.id).where(CaseRecord.id.in_(named)).with_for_update(read=True)
        )
    )
    gone = named - present
    if not gone:
        return exchanged_json
    return json.dumps([_without_names(entry, gone) for entry in entries], ensure_ascii=False)


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
        held_sha256: str,
    ) -> datetime:
        """Store a case's reconciliation in place of its previous one (and its decisions),
        with the fingerprint of the held list it compared. People of the registry whose
        case was deleted while this ran lose their names here, as `forget_cases` took
        them out of the reconciliations stored then."""
        now = utc_now()
        with self._sessions.begin() as session:
            # The first write: from here SQLite holds the write lock, so no deletion can
            # land between the look at the cases below and this row.
            session.execute(
                delete(ReconciliationDecisionRecord).where(
                    ReconciliationDecisionRecord.case_id == case_id
                )
            )
            session.execute(
                delete(ReconciliationRecord).where(ReconciliationRecord.case_id == case_id)
            )
            exchanged_json = _names_of_cases_gone(session, exchanged_json)
            session.add(
                ReconciliationRecord(
                    case_id=case_id,
                    held_side=held_side,
                    created_at=now,
                    requested_json=requested_json,
                    exchanged_json=exchanged_json,
                    result_json=result_json,
                    held_sha256=held_sha256,
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
                record.held_sha256,
            )

    def decisions(self, case_id: str) -> dict[str, Decision]:
        with self._sessions() as session:
            rows = session.execute(
                select(
                    ReconciliationDecisionRecord.item_id, ReconciliationDecisionRecord.decision
                ).where(ReconciliationDecisionRecord.case_id == case_id)
            ).all()
        return {item_id: decision for item_id, decision in rows}

    def decide(
        self,
        case_id: str,
        item_id: str,
        decision: str,
        decided_by: str,
        rivals: Mapping[str, bool] | None = None,
    ) -> list[str]:
        """Record a yes or no; `pending` takes an earlier one back. The decision is
        refused (nothing written) while one of `rivals` stands: the pairs sharing a person
        with this one, each with whether it is an auto match (which stands unless
        rejected); the caller passes them when this pair would stand after the decision.
        Those standing are returned. The case's row is written first, before the rivals
        are read: that takes SQLite's write lock (which a SELECT ... FOR UPDATE does not)
        and PostgreSQL's row lock, so two decisions on rivals cannot both pass."""
        with self._sessions.begin() as session:
            session.execute(
                update(CaseRecord).where(CaseRecord.id == case_id).values(updated_at=utc_now())
            )
            if rivals:
                decided: dict[str, str] = dict(
                    session.execute(
                        select(
                            ReconciliationDecisionRecord.item_id,
                            ReconciliationDecisionRecord.decision,
                        ).where(
                            ReconciliationDecisionRecord.case_id == case_id,
                            ReconciliationDecisionRecord.item_id.in_(list(rivals)),
                        )
                    ).all()
                )
                standing = [
                    rival
                    for rival, auto in rivals.items()
                    if decided.get(rival) == "confirmed"
                    or (auto and decided.get(rival) != "rejected")
                ]
                if standing:
                    return standing
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
        return []

    def mark_applied(self, applied: StoredReconciliation, held_sha256: str) -> bool:
        """Applied now; the held list is now the applied one (`held_sha256`), so the same
        reconciliation can be applied again after more decisions. Only the very row that
        was applied (created then, against that list): a run stored meanwhile keeps its
        own fingerprint. False when that row is gone."""
        if applied.held_sha256 is None:
            return False
        record = ReconciliationRecord
        with self._sessions.begin() as session:
            result = session.execute(
                update(record)
                .where(
                    record.case_id == applied.case_id,
                    record.created_at == applied.created_at,
                    record.held_sha256 == applied.held_sha256,
                )
                .values(applied_at=utc_now(), held_sha256=held_sha256)
            )
        return bool(getattr(result, "rowcount", 0))

    def claim_run(
        self, case_id: str, run_id: str, held_side: str, requested: int, stale_before: datetime
    ) -> bool:
        """Record a new run of the case as queued, unless it has one queued or running
        that was heard from since `stale_before`; True when recorded. One statement
        decides, so two instances cannot both start one."""
        now = utc_now()
        values = {
            "run_id": run_id,
            "held_side": held_side,
            "requested": requested,
            "status": "queued",
            "step": None,
            "step_number": 0,
            "started_at": now,
            "updated_at": now,
            "finished_at": None,
        }
        record = ReconciliationRunRecord
        with self._sessions.begin() as session:
            result = session.execute(
                update(record)
                .where(
                    record.case_id == case_id,
                    or_(record.status.not_in(ACTIVE_RUN), record.updated_at < stale_before),
                )
                .values(**values)
            )
        if getattr(result, "rowcount", 0):
            return True
        try:
            with self._sessions.begin() as session:
                session.add(record(case_id=case_id, **values))
        except IntegrityError:  # a run is there, and still going
            return False
        return True

    def update_run(self, case_id: str, run_id: str, **values: object) -> bool:
        """Change this run's row (and note that it was heard from); False when another
        run has taken the case's row since."""
        record = ReconciliationRunRecord
        with self._sessions.begin() as session:
            result = session.execute(
                update(record)
                .where(record.case_id == case_id, record.run_id == run_id)
                .values(updated_at=utc_now(), **values)
            )
        return bool(getattr(result, "rowcount", 0))

    def run(self, case_id: str) -> StoredRun | None:
        with self._sessions() as session:
            record = session.get(ReconciliationRunRecord, case_id)
            if record is None:
                return None
            return StoredRun(
                record.case_id,
                record.run_id,
                record.held_side,
                record.requested,
                record.status,
                record.step,
                record.step_number,
                record.started_at,
                record.updated_at,
                record.finished_at,
            )
