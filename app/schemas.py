"""The service's own wire models, beside the solver's request and plan.

Plans go out exactly as the solver wrote them, with the id they are stored under.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from solver.schema import (
    Event,
    LevelReport,
    Objective,
    Options,
    Plan,
    RepairedPlan,
    RepairObjective,
    Terms,
)

JobStatus = Literal[
    "queued",
    "running",
    "optimal",
    "feasible",
    "infeasible",
    "timeout",
    "cancelled",
    "failed",
    "interrupted",
]
FINISHED_JOB_STATUSES: frozenset[str] = frozenset(
    {"optimal", "feasible", "infeasible", "timeout", "cancelled", "failed", "interrupted"}
)


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StoredPlan(Plan):
    """A plan as stored: the solver's plan plus the id to fetch, list or delete it by."""

    id: str = Field(description="The stored plan's id.")


class StoredRepairedPlan(RepairedPlan):
    """A repaired plan as stored for a case: the repair's plan plus its id."""

    id: str = Field(description="The stored plan's id.")


# A stored plan may be a repaired one (a case's repaired draft, published or not).
AnyStoredPlan = StoredRepairedPlan | StoredPlan


class ReleasedCounts(_Out):
    side_a: int
    side_b: int


class PlanSummary(_Out):
    """One stored plan in a listing: no people, just how it came out."""

    id: str
    created_at: datetime
    source: str = Field(description="How the plan was requested: json, csv or job.")
    status: str
    released: ReleasedCounts
    # A repaired plan's objective also has its `changes`.
    objective: RepairObjective | Objective | None


class PlanList(_Out):
    items: list[PlanSummary]
    total: int
    offset: int
    limit: int


class JobProgress(_Out):
    """How far a background solve has come: levels proven so far and the best objective."""

    levels: list[LevelReport] = Field(default_factory=list)
    levels_proven: int = 0
    best_objective: Objective | None = None
    elapsed_s: float = 0.0


class JobView(_Out):
    """A background solve. Once finished, `plan` holds the plan (also stored as `plan_id`)."""

    id: str
    status: JobStatus
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    time_limit_s: float
    elapsed_s: float | None = Field(
        default=None, description="Seconds since the solve started (until it finished)."
    )
    stop_requested: bool = Field(
        description="DELETE was called: a running solve stops and keeps its best plan."
    )
    attempts: int = Field(
        default=0,
        description="How many times an instance has started this job without finishing it "
        "cleanly (the service stopped or crashed meanwhile); at job_max_attempts it ends "
        "`interrupted`.",
    )
    progress: JobProgress | None = None
    error: str | None = None
    plan_id: str | None = None
    plan: StoredPlan | None = None


class Health(_Out):
    status: Literal["ok"] = "ok"


class Readiness(_Out):
    status: Literal["ready", "not_ready"]
    database: Literal["ok", "unreachable"]
    workers_alive: int
    workers: int
    queue_depth: int
    document_helper: Literal["ready", "starting", "off"] = Field(
        description="The helper process for big documents (off: they go to threads)."
    )


PartySideName = Literal["side_a", "side_b"]


class ListReceipt(_Out):
    """An uploaded list, without its people."""

    side: PartySideName
    uploaded_at: datetime
    source: str = Field(description="json, csv or xlsx")
    detainee_count: int


class CaseView(_Out):
    """A negotiation case. A party sees its own list and whether a plan is published; the
    mediator also sees both lists, whether terms are set, and how many drafts exist."""

    id: str
    created_at: datetime
    updated_at: datetime
    lists: list[ListReceipt]
    published_plan_id: str | None = None
    published_at: datetime | None = None
    terms_set: bool | None = Field(default=None, description="Mediators only.")
    drafts: int | None = Field(default=None, description="Mediators only.")


class CaseList(_Out):
    items: list[CaseView]
    total: int
    offset: int
    limit: int


class CaseTerms(_Out):
    """The terms (and solve options) a case is solved under; options may be left out."""

    terms: Terms
    options: Options | None = None


class DraftList(_Out):
    items: list[PlanSummary]


class PublishRequest(_Out):
    plan_id: str = Field(max_length=64, description="A draft of this case (see /drafts).")


class PublishedPlan(_Out):
    case_id: str
    plan_id: str
    published_at: datetime


class KeyRequest(_Out):
    role: PartySideName = Field(description="The party the key is for.")


class KeyView(_Out):
    """An API key without its token."""

    id: str
    role: str
    case_id: str | None
    created_at: datetime
    revoked_at: datetime | None = None


class IssuedKey(KeyView):
    token: str = Field(
        description="The API key itself. It is shown this once: only its hash is stored."
    )


class KeyList(_Out):
    items: list[KeyView]


class AuditEntry(_Out):
    """One audited action: who, what, about which case, side, plan or job, how many."""

    seq: int
    at: str
    actor: str = Field(description="The API key id (bootstrap, or open without keys).")
    role: str
    action: str
    case_id: str | None
    side: str | None
    object_id: str | None
    count: int | None
    prev_hash: str
    hash: str


class AuditPage(_Out):
    items: list[AuditEntry]
    next_after: int | None = Field(description="Pass as `after` for the next page.")


class BrokenAuditEntry(_Out):
    seq: int
    reason: str


class AuditChainReport(_Out):
    valid: bool
    entries: int = Field(description="Entries checked (up to the first broken one).")
    last_hash: str
    first_broken: BrokenAuditEntry | None = None


# --------------------------------------------------------------------------- repair


class EventsBody(_Out):
    """Events of the day of the exchange, to record in order against the published plan."""

    events: list[Event] = Field(min_length=1)


class RecordedEventView(_Out):
    """An event as recorded: executed stages with who crossed written out (a party sees
    its own side's people only, and only its own side's other events)."""

    seq: int = Field(description="The event's number in the case, from 1.")
    recorded_at: datetime
    plan_id: str | None = Field(description="The plan published when it was recorded.")
    event: dict[str, Any]
    taken_back_at: datetime | None = Field(
        default=None,
        description="When the mediator took the event back; null while it is in force. "
        "Events taken back are listed only when asked for (`?taken_back=true`).",
    )


class EventList(_Out):
    items: list[RecordedEventView]


class PublicationView(_Out):
    """A published plan of a case, numbered from 1; the highest number is the plan."""

    version: int
    plan_id: str
    published_at: datetime
    current: bool


class PublicationList(_Out):
    items: list[PublicationView]


class RegistryEntryView(_Out):
    """A person handed over: from which side, in which case and stage, when."""

    side: PartySideName
    id: str
    case_id: str
    stage: int
    handed_over_at: datetime
    event_seq: int = Field(description="The case event that recorded the handover.")


class RegistryList(_Out):
    items: list[RegistryEntryView]
    total: int
    offset: int
    limit: int
