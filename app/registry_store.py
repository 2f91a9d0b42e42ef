"""The registry of people handed over: who crossed, from which side, in which case and
stage, and when. Service-wide, read by mediators only.

A `stage_executed` event recorded on a case adds its people here (`app.event_store`);
taking that event back removes them again.
Plans of cases never release anyone the registry holds as handed over from that side:
such a person is made ineligible before the case is solved, repaired, or its scenarios
and drafts are checked (`with_registry`, through `app.case_documents.case_request_json`).
The list reconciliation reads the registry the same way, side by side
(`entries_for_side`).

Ids only, never a name: entries outlive the case they came from, so that nobody is
exchanged twice.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.elements import ColumnElement

from app.models import RegistryEntryRecord

SIDES: tuple[str, str] = ("side_a", "side_b")

# Why a person in the registry is not released again: shown in `not_released`.
REGISTRY_REASON = "already handed over (registry)"


@dataclass(frozen=True)
class RegistryEntry:
    """One person handed over."""

    case_id: str
    side: str
    detainee_id: str
    stage: int
    handed_over_at: datetime
    event_seq: int  # the case event that recorded the handover


@dataclass(frozen=True)
class RegistryPage:
    entries: list[RegistryEntry]
    total: int


def registry_rows(
    case_id: str, stage: int, crossed: Mapping[str, Sequence[str]], at: datetime, event_seq: int
) -> list[RegistryEntryRecord]:
    """The rows one executed stage adds (written with the event, in its transaction)."""
    return [
        RegistryEntryRecord(
            case_id=case_id,
            side=side,
            detainee_id=detainee_id,
            stage=stage,
            handed_over_at=at,
            event_seq=event_seq,
        )
        for side in SIDES
        for detainee_id in crossed.get(side, ())
    ]


def remove_rows_of_event(session: Session, case_id: str, event_seq: int) -> int:
    """Delete the rows one executed stage added, when its event is taken back (in the
    caller's transaction); return how many there were."""
    of_event = (
        RegistryEntryRecord.case_id == case_id,
        RegistryEntryRecord.event_seq == event_seq,
    )
    count = session.scalar(select(func.count()).select_from(RegistryEntryRecord).where(*of_event))
    session.execute(delete(RegistryEntryRecord).where(*of_event))
    return count or 0


class RegistryStore:
    """Reads the `registry_entries` table."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def page(
        self, offset: int, limit: int, *, case_id: str | None = None, side: str | None = None
    ) -> RegistryPage:
        """Entries in the order they were handed over, filtered by case and side."""
        conditions = _conditions(case_id, side)
        with self._sessions() as session:
            total = session.scalar(
                select(func.count()).select_from(RegistryEntryRecord).where(*conditions)
            )
            rows = session.scalars(
                select(RegistryEntryRecord)
                .where(*conditions)
                .order_by(RegistryEntryRecord.id)
                .offset(offset)
                .limit(limit)
            )
            return RegistryPage([_entry(row) for row in rows], total or 0)

    def entries(
        self, *, case_id: str | None = None, side: str | None = None
    ) -> list[RegistryEntry]:
        """Every entry, filtered by case and side, in the order they were handed over."""
        with self._sessions() as session:
            rows = session.scalars(
                select(RegistryEntryRecord)
                .where(*_conditions(case_id, side))
                .order_by(RegistryEntryRecord.id)
            )
            return [_entry(row) for row in rows]

    def entries_for_side(self, side: str) -> list[RegistryEntry]:
        """Everyone handed over from `side` in any case, first handed over first."""
        return self.entries(side=side)

    def held(self, people: Sequence[tuple[str, str, str]]) -> set[tuple[str, str, str]]:
        """Which of these (case id, side, id) the registry still holds: an entry goes
        when its stage is taken back."""
        if not people:
            return set()
        wanted = set(people)
        with self._sessions() as session:
            rows = session.execute(
                select(
                    RegistryEntryRecord.case_id,
                    RegistryEntryRecord.side,
                    RegistryEntryRecord.detainee_id,
                ).where(RegistryEntryRecord.case_id.in_({case_id for case_id, _, _ in wanted}))
            ).all()
        return {(case_id, side, pid) for case_id, side, pid in rows} & wanted

    def handed_over_by_side(self) -> dict[str, dict[str, RegistryEntry]]:
        """Per side, each id handed over from it, with its first handover."""
        found: dict[str, dict[str, RegistryEntry]] = {side: {} for side in SIDES}
        for entry in self.entries():
            found.setdefault(entry.side, {}).setdefault(entry.detainee_id, entry)
        return found


HandedOverBySide = Mapping[str, Mapping[str, RegistryEntry]]


def mark_handed_over(document: dict[str, Any], handed: HandedOverBySide) -> int:
    """Make ineligible everyone the registry holds as handed over from their side; return
    how many were. A plan then never releases them again (`REGISTRY_REASON`)."""
    marked = 0
    for side in SIDES:
        known = handed.get(side) or {}
        listed = document.get(side)
        people = listed.get("detainees") if isinstance(listed, dict) else None
        if not known or not isinstance(people, list):
            continue
        for person in people:
            if isinstance(person, dict) and person.get("id") in known:
                person["eligible"] = False
                person["ineligible_reason"] = REGISTRY_REASON
                marked += 1
    return marked


def hold_back_on_the_day(document: dict[str, Any], handed: HandedOverBySide) -> int:
    """A case's repair request (its lists, plan and events) with the registry applied:
    everyone it holds as handed over from their side is made ineligible in the lists
    (`mark_handed_over`), and again after the day's events, so that no `update` recorded
    on the case (`"eligible": true`, say) makes them releasable again. Return how many
    people the registry holds back."""
    mark_handed_over(document, handed)
    events = document.setdefault("events", [])
    held = 0
    for side in SIDES:
        known = handed.get(side) or {}
        listed = document.get(side)
        people = listed.get("detainees") if isinstance(listed, dict) else None
        ids = (
            [p.get("id") for p in people if isinstance(p, dict)] if isinstance(people, list) else []
        )
        ids += [
            e["detainee"].get("id")
            for e in events
            if isinstance(e, dict)
            and e.get("type") == "add"
            and e.get("side") == side
            and isinstance(e.get("detainee"), dict)
        ]
        for pid in dict.fromkeys(pid for pid in ids if pid in known):
            events.append(
                {
                    "type": "update",
                    "side": side,
                    "id": pid,
                    "fields": {"eligible": False, "ineligible_reason": REGISTRY_REASON},
                }
            )
            held += 1
    return held


def with_registry(request_json: bytes, handed: HandedOverBySide) -> bytes:
    """A case's exchange request with the people of the registry made ineligible (the
    request unchanged, unparsed, when the registry is empty)."""
    if not any(handed.values()):
        return request_json
    document = json.loads(request_json)
    if not mark_handed_over(document, handed):
        return request_json
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _conditions(case_id: str | None, side: str | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if case_id is not None:
        conditions.append(RegistryEntryRecord.case_id == case_id)
    if side is not None:
        conditions.append(RegistryEntryRecord.side == side)
    return conditions


def _entry(row: RegistryEntryRecord) -> RegistryEntry:
    return RegistryEntry(
        case_id=row.case_id,
        side=row.side,
        detainee_id=row.detainee_id,
        stage=row.stage,
        handed_over_at=row.handed_over_at,
        event_seq=row.event_seq,
    )
