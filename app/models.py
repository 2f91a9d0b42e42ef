"""Database tables: stored plans, background jobs, negotiation cases, API keys, audit trail.

Requests and plans are stored as their wire JSON, byte for byte, so a stored plan is
returned exactly as it was solved. A few summary columns are kept beside the JSON so
listings never parse it. New tables join `Base.metadata` and get their own migration.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

ID_LENGTH = 64


def utc_now() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC, also on SQLite (which drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class PlanRecord(Base):
    """One solved exchange: the request it answers and the plan, as sent on the wire."""

    __tablename__ = "plans"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now, index=True)
    source: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    released_side_a: Mapped[int] = mapped_column(Integer)
    released_side_b: Mapped[int] = mapped_column(Integer)
    objective_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    request_json: Mapped[str] = mapped_column(Text)
    plan_json: Mapped[str] = mapped_column(Text)
    case_id: Mapped[str | None] = mapped_column(
        String(ID_LENGTH), ForeignKey("cases.id", ondelete="CASCADE"), nullable=True, index=True
    )
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class JobRecord(Base):
    """A background solve: its state, its progress, and the plan it produced.

    The request is kept here while the job is unfinished, so that any instance of the
    service can run it, also after a restart; when the job finishes it moves to the plan
    (or is dropped), so personal data is never kept twice. `claimed_by` names the
    instance running the job, which holds it until `lease_until` and renews the lease
    while it runs; `attempts` counts the claims that did not end cleanly.
    """

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    time_limit_s: Mapped[float] = mapped_column(Float)
    stop_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    progress_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    error: Mapped[str | None] = mapped_column(String(200), nullable=True)
    plan_id: Mapped[str | None] = mapped_column(
        String(ID_LENGTH), ForeignKey("plans.id", ondelete="SET NULL"), nullable=True
    )
    case_id: Mapped[str | None] = mapped_column(
        String(ID_LENGTH), ForeignKey("cases.id", ondelete="CASCADE"), nullable=True, index=True
    )
    request_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class CaseRecord(Base):
    """A negotiation: two parties' lists, the mediator's terms, draft plans, one published.

    `updated_at` moves with every upload, change of terms, solve and publication; the
    retention period counts from it.
    """

    __tablename__ = "cases"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now, index=True)
    terms_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    options_json: Mapped[str | None] = mapped_column(Text, nullable=True)


class CaseListRecord(Base):
    """The list one party holds, as it uploaded it last (a new upload replaces it)."""

    __tablename__ = "case_lists"

    case_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    side: Mapped[str] = mapped_column(String(8), primary_key=True)
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    source: Mapped[str] = mapped_column(String(8))
    detainee_count: Mapped[int] = mapped_column(Integer)
    list_json: Mapped[str] = mapped_column(Text)


class ApiKeyRecord(Base):
    """An API key: only the SHA-256 of its token is kept. Party keys belong to a case."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    case_id: Mapped[str | None] = mapped_column(
        String(ID_LENGTH), ForeignKey("cases.id", ondelete="CASCADE"), nullable=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class AuditEntryRecord(Base):
    """One audited action, chained to the one before by `hash` (see `app.audit`).

    Ids, roles and counts only: never a name, a birth date or a list. Entries outlive the
    cases they are about.
    """

    __tablename__ = "audit_entries"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(32))
    case_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), nullable=True, index=True)
    side: Mapped[str | None] = mapped_column(String(8), nullable=True)
    object_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), nullable=True)
    count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHeadRecord(Base):
    """The newest entry's number and hash, in one row: appending updates it first, which
    serialises appends across processes, and it shows when entries were cut off the end."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


# --------------------------------------------------------------------------- repair
#
# The day of the exchange: events recorded against a case's published plan, every
# publication kept under its number, and the registry of people handed over.


class CaseEventRecord(Base):
    """One event of the day of the exchange (a dropout, an executed stage, a person listed
    late, changed facts), recorded against the case's published plan, in order; the last
    one still in force may be taken back."""

    __tablename__ = "case_events"

    case_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    type: Mapped[str] = mapped_column(String(16))
    side: Mapped[str | None] = mapped_column(String(8), nullable=True)
    plan_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), nullable=True)
    event_json: Mapped[str] = mapped_column(Text)
    # Set when the mediator took the event back (`app.event_store.EventStore.take_back`):
    # the row stays, for the history, but no check or repair uses it any more.
    taken_back_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class CasePublicationRecord(Base):
    """A plan published for a case, under its number (1 for the first publication): the
    latest is the plan; the earlier ones stay readable."""

    __tablename__ = "case_publications"

    case_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    plan_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey("plans.id", ondelete="CASCADE"), index=True
    )
    published_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)


class RegistryEntryRecord(Base):
    """A person handed over: from which side, in which case and stage, when.

    Ids only, never a name. Entries outlive their case on purpose: the registry is how
    the service keeps anyone from being exchanged twice.
    """

    __tablename__ = "registry_entries"
    __table_args__ = (
        UniqueConstraint("case_id", "side", "detainee_id", name="uq_registry_case_side_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(ID_LENGTH), index=True)
    side: Mapped[str] = mapped_column(String(8))
    detainee_id: Mapped[str] = mapped_column(String(ID_LENGTH), index=True)
    stage: Mapped[int] = mapped_column(Integer)
    handed_over_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    event_seq: Mapped[int] = mapped_column(Integer)


# --------------------------------------------------------------- reconciliation (issue 15)


class ReconciliationRecord(Base):
    """A case's reconciliation of one side's held list against the other side's requests:
    the requested people (and the uploaded registry of people already exchanged) as sent,
    and the answer, ids only. One per case: a new run replaces it, and its decisions."""

    __tablename__ = "reconciliations"

    case_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    held_side: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    requested_json: Mapped[str] = mapped_column(Text)
    exchanged_json: Mapped[str] = mapped_column(Text)
    result_json: Mapped[str] = mapped_column(Text)
    applied_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    # What was compared (migration 0009): the held list as stored, by SHA-256; applying
    # refuses when the held list is no longer the one compared.
    held_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)


class ReconciliationDecisionRecord(Base):
    """A mediator's yes or no on one pair of a case's reconciliation (`m-3`, `x-1`)."""

    __tablename__ = "reconciliation_decisions"

    case_id: Mapped[str] = mapped_column(
        String(ID_LENGTH),
        ForeignKey("reconciliations.case_id", ondelete="CASCADE"),
        primary_key=True,
    )
    item_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    decision: Mapped[str] = mapped_column(String(12))
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    decided_by: Mapped[str] = mapped_column(String(40))


class RateLimitCounterRecord(Base):
    """Requests counted for one rate-limit key in one time window, when the service's
    instances share their rate limit through the database (see `app.core.rate_limits`).
    Keys are API key ids or client addresses, never anything a request carried."""

    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    window: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    count: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[float] = mapped_column(Float)


# ------------------------------------------------- reconciliation runs of the pages (issue 16)


class ReconciliationRunRecord(Base):
    """A case's reconciliation started from the web page, while it runs and once it has
    ended: which list, how many people asked for, the step it is at. Ids, counts and step
    names only. Kept in the database so that every instance of the service sees it, and a
    case has one run at a time across them; the run itself goes on in the instance that
    started it, which touches `updated_at` at every step."""

    __tablename__ = "reconciliation_runs"

    case_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    held_side: Mapped[str] = mapped_column(String(8))
    requested: Mapped[int] = mapped_column(Integer)
    run_id: Mapped[str] = mapped_column(String(36))  # which run holds the row
    status: Mapped[str] = mapped_column(String(12))
    step: Mapped[str | None] = mapped_column(String(80), nullable=True)
    step_number: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
