"""The service's own wire models, beside the solver's request and plan.

Plans go out exactly as the solver wrote them, with the id they are stored under.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from solver.schema import LevelReport, Objective, Plan

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
    objective: Objective | None


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
