"""API keys in the database: issued with their token shown once, found by id, revoked."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from app.core.security import Role, new_token, token_sha256
from app.models import ApiKeyRecord, utc_now


class KeyStore:
    """The `api_keys` table. Each method is one short transaction, safe from any thread."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def issue(
        self, role: Role, case_id: str | None = None, key_id: str | None = None
    ) -> tuple[ApiKeyRecord, str]:
        """A new key and its token; the token is not kept, only its hash. (`key_id` is for
        the /docs example key, whose token is thrown away: the id is not in the token.)"""
        if (role == "mediator") != (case_id is None):
            raise ValueError("mediator keys have no case; party keys have one")
        new_key_id, token = new_token()
        key_id = key_id or new_key_id
        record = ApiKeyRecord(
            id=key_id, token_sha256=token_sha256(token), role=role, case_id=case_id
        )
        with self._sessions.begin() as session:
            session.add(record)
        return record, token

    def active(self, key_id: str) -> ApiKeyRecord | None:
        with self._sessions() as session:
            record = session.get(ApiKeyRecord, key_id)
        return record if record is not None and record.revoked_at is None else None

    def of_case(self, case_id: str) -> list[ApiKeyRecord]:
        with self._sessions() as session:
            rows = session.scalars(
                select(ApiKeyRecord)
                .where(ApiKeyRecord.case_id == case_id)
                .order_by(ApiKeyRecord.created_at, ApiKeyRecord.id)
            )
            return list(rows)

    def all(self) -> list[ApiKeyRecord]:
        with self._sessions() as session:
            rows = session.scalars(
                select(ApiKeyRecord).order_by(ApiKeyRecord.created_at, ApiKeyRecord.id)
            )
            return list(rows)

    def revoke(self, key_id: str, case_id: str | None = None) -> bool:
        """Revoke a key (of that case, when one is given); False when there is none."""
        condition = (ApiKeyRecord.id == key_id) & ApiKeyRecord.revoked_at.is_(None)
        if case_id is not None:
            condition &= ApiKeyRecord.case_id == case_id
        with self._sessions.begin() as session:
            result = session.execute(
                update(ApiKeyRecord).where(condition).values(revoked_at=utc_now())
            )
        return bool(getattr(result, "rowcount", 0))

    def mediator_keys_exist(self) -> bool:
        with self._sessions() as session:
            found = session.scalar(
                select(ApiKeyRecord.id)
                .where(ApiKeyRecord.role == "mediator", ApiKeyRecord.revoked_at.is_(None))
                .limit(1)
            )
        return found is not None
