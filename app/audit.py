"""The audit trail: every upload, solve, publication, read of a list and deletion.

Entries hold who (key id and role), what (an action name), about what (case, side, plan
or job id) and how many (a count): never a name, a birth date or a list. Each entry's
hash is SHA-256 of the previous entry's hash followed by the entry's canonical JSON, so
changing, removing or reordering any entry breaks every hash after it; the `audit_head`
row (last number and hash) also shows entries cut off the end.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from app.core.security import Caller
from app.models import AuditEntryRecord, AuditHeadRecord, utc_now

GENESIS_HASH = "0" * 64
_CHUNK = 1000

AuditAction = Literal[
    "case_open",
    "case_delete",
    "case_purge",
    "key_issue",
    "key_revoke",
    "list_upload",
    "list_read",
    "terms_set",
    "solve",
    "publish",
    "plan_read",
    "plan_delete",
    "plan_purge",
    "job_purge",
    "manifest_read",
    "event_record",
    "event_take_back",
    "events_read",
    "repair",
    "registry_read",
    "reconcile",
    "matches_read",
    "match_decide",
    "reconcile_apply",
]
HASHED_FIELDS = ("seq", "at", "actor", "role", "action", "case_id", "side", "object_id", "count")


def canonical_json(entry: dict[str, object]) -> str:
    """Sorted keys, no spaces, UTF-8: the same entry always gives the same text."""
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(prev_hash: str, entry: dict[str, object]) -> str:
    return hashlib.sha256((prev_hash + canonical_json(entry)).encode("utf-8")).hexdigest()


def hashed_fields(record: AuditEntryRecord) -> dict[str, object]:
    return {name: getattr(record, name) for name in HASHED_FIELDS}


@dataclass(frozen=True)
class BrokenEntry:
    seq: int
    reason: str


@dataclass(frozen=True)
class ChainCheck:
    entries: int
    last_hash: str
    first_broken: BrokenEntry | None


class AuditLog:
    """Appends entries to the chain and checks it."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def append(
        self,
        action: AuditAction,
        caller: Caller,
        *,
        case_id: str | None = None,
        side: str | None = None,
        object_id: str | None = None,
        count: int | None = None,
    ) -> AuditEntryRecord:
        """Add one entry at the end of the chain (blocking: call from a thread)."""
        with self._sessions.begin() as session:
            return self.append_in(
                session,
                action,
                caller,
                case_id=case_id,
                side=side,
                object_id=object_id,
                count=count,
            )

    def append_in(
        self,
        session: Session,
        action: AuditAction,
        caller: Caller,
        *,
        case_id: str | None = None,
        side: str | None = None,
        object_id: str | None = None,
        count: int | None = None,
    ) -> AuditEntryRecord:
        """Add an entry within the caller's transaction: it is kept only if what it
        records is (a purge and its entries commit together)."""
        # Touching the head first takes the write lock (SQLite) or the row lock
        # (PostgreSQL), so concurrent appends line up instead of forking the chain.
        session.execute(
            update(AuditHeadRecord).where(AuditHeadRecord.id == 1).values(seq=AuditHeadRecord.seq)
        )
        head = session.get(AuditHeadRecord, 1, populate_existing=True)
        if head is None:
            raise RuntimeError("the audit_head row is missing; run the migrations")
        fields: dict[str, object] = {
            "seq": head.seq + 1,
            "at": utc_now().isoformat(timespec="microseconds"),
            "actor": caller.key_id,
            "role": caller.role,
            "action": action,
            "case_id": case_id,
            "side": side,
            "object_id": object_id,
            "count": count,
        }
        digest = entry_hash(head.hash, fields)
        record = AuditEntryRecord(**fields, prev_hash=head.hash, hash=digest)
        session.add(record)
        head.seq = record.seq
        head.hash = digest
        return record

    def page(
        self, after_seq: int, limit: int, case_id: str | None = None
    ) -> list[AuditEntryRecord]:
        with self._sessions() as session:
            query = select(AuditEntryRecord).where(AuditEntryRecord.seq > after_seq)
            if case_id is not None:
                query = query.where(AuditEntryRecord.case_id == case_id)
            return list(session.scalars(query.order_by(AuditEntryRecord.seq).limit(limit)))

    def verify(self) -> ChainCheck:
        """Recompute every hash in order; name the first entry that does not fit."""
        expected_prev = GENESIS_HASH
        expected_seq = 1
        count = 0
        with self._sessions() as session:
            head = session.get(AuditHeadRecord, 1)
            after = 0
            while True:
                rows = list(
                    session.scalars(
                        select(AuditEntryRecord)
                        .where(AuditEntryRecord.seq > after)
                        .order_by(AuditEntryRecord.seq)
                        .limit(_CHUNK)
                    )
                )
                if not rows:
                    break
                for record in rows:
                    broken = _check(record, expected_seq, expected_prev)
                    if broken is not None:
                        return ChainCheck(count, expected_prev, broken)
                    expected_prev = record.hash
                    expected_seq += 1
                    count += 1
                after = rows[-1].seq
        if head is None or head.seq != count or head.hash != expected_prev:
            reason = "entries after this one are missing: the chain's head names a later one"
            return ChainCheck(count, expected_prev, BrokenEntry(count + 1, reason))
        return ChainCheck(count, expected_prev, None)


def _check(record: AuditEntryRecord, seq: int, prev_hash: str) -> BrokenEntry | None:
    if record.seq != seq:
        return BrokenEntry(seq, "the entry is missing")
    if record.prev_hash != prev_hash:
        return BrokenEntry(seq, "its previous hash is not the hash of the entry before it")
    if entry_hash(prev_hash, hashed_fields(record)) != record.hash:
        return BrokenEntry(seq, "its contents do not match its hash")
    return None
