"""The audit trail: appended by every audited action, and any tampering is found."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import delete, update

from app.audit import GENESIS_HASH, AuditLog, canonical_json, entry_hash
from app.core.config import Settings
from app.core.db import make_engine, make_session_factory, migrate
from app.core.security import Caller
from app.models import AuditEntryRecord
from tests.app.negotiation import MEDIATOR, open_negotiation

MEDIATOR_CALLER = Caller(key_id="k1", role="mediator")


def audit_log(tmp_path: Path) -> AuditLog:
    engine = make_engine(Settings(database_url=f"sqlite:///{tmp_path / 'audit.db'}"))
    migrate(engine)
    return AuditLog(make_session_factory(engine))


def test_each_hash_covers_the_previous_hash_and_the_canonical_entry(tmp_path: Path) -> None:
    log = audit_log(tmp_path)
    first = log.append("case_open", MEDIATOR_CALLER, case_id="c1")
    second = log.append("list_upload", MEDIATOR_CALLER, case_id="c1", side="side_a", count=6)
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    fields = {
        "seq": 2,
        "at": second.at,
        "actor": "k1",
        "role": "mediator",
        "action": "list_upload",
        "case_id": "c1",
        "side": "side_a",
        "object_id": None,
        "count": 6,
    }
    assert canonical_json(fields).startswith('{"action":"list_upload","actor":"k1"')
    assert second.hash == entry_hash(first.hash, fields)
    check = log.verify()
    assert check.first_broken is None
    assert check.entries == 2


def test_verify_names_the_first_changed_removed_or_cut_entry(tmp_path: Path) -> None:
    log = audit_log(tmp_path)
    for number in range(5):
        log.append("list_read", MEDIATOR_CALLER, case_id="c1", count=number)
    sessions = log._sessions
    with sessions.begin() as session:
        session.execute(update(AuditEntryRecord).where(AuditEntryRecord.seq == 3).values(count=99))
    broken = log.verify().first_broken
    assert broken is not None
    assert broken.seq == 3
    assert "contents" in broken.reason
    with sessions.begin() as session:
        session.execute(update(AuditEntryRecord).where(AuditEntryRecord.seq == 3).values(count=2))
    assert log.verify().first_broken is None
    with sessions.begin() as session:
        session.execute(delete(AuditEntryRecord).where(AuditEntryRecord.seq == 2))
    broken = log.verify().first_broken
    assert broken is not None
    assert broken.seq == 2
    with sessions.begin() as session:
        session.execute(delete(AuditEntryRecord).where(AuditEntryRecord.seq >= 2))
    broken = log.verify().first_broken  # cut off the end: only the head row knows
    assert broken is not None
    assert broken.seq == 2


def test_actions_are_audited_and_the_endpoint_verifies_the_chain(secured: TestClient) -> None:
    negotiation = open_negotiation(secured)
    secured.get(f"{negotiation.path}/lists/side_a", headers=negotiation.side_a)
    secured.delete(negotiation.path, headers=MEDIATOR)
    entries = secured.get(
        "/v1/audit", params={"case_id": negotiation.case_id}, headers=MEDIATOR
    ).json()["items"]
    actions = [(e["action"], e["role"], e["side"]) for e in entries]
    assert actions == [
        ("case_open", "mediator", None),
        ("key_issue", "mediator", "side_a"),
        ("key_issue", "mediator", "side_b"),
        ("list_upload", "side_a", "side_a"),
        ("list_upload", "side_b", "side_b"),
        ("terms_set", "mediator", None),
        ("solve", "mediator", None),
        ("publish", "mediator", None),
        ("list_read", "side_a", "side_a"),
        ("case_delete", "mediator", None),
    ]
    assert entries[3]["count"] == 6
    assert entries[3]["actor"] == negotiation.key_ids["side_a"]
    report = secured.get("/v1/audit/verify", headers=MEDIATOR).json()
    assert report["valid"] is True
    assert report["first_broken"] is None
    assert report["entries"] >= len(entries)
