"""What crosses between the service and its solver processes.

Plans travel as their wire JSON: it is what gets stored anyway, and it keeps the pipe
protocol independent of how the solver's objects pickle.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol

from solver import ExchangeRequest, Plan, Progress, StopSignal
from solver.schema import PlanStatus

OutcomeStatus = Literal["optimal", "feasible", "infeasible", "timeout", "cancelled", "failed"]


class SolveFunction(Protocol):
    """The shape of `solver.solve`; tests hand the pool a fake with the same shape."""

    def __call__(
        self,
        request: ExchangeRequest,
        *,
        on_progress: Callable[[Progress], None] | None = None,
        stop: StopSignal | None = None,
    ) -> Plan: ...


@dataclass(frozen=True)
class ProgressSnapshot:
    """A running solve's progress: levels and best objective as JSON, seconds elapsed."""

    levels_json: str
    best_objective_json: str | None
    elapsed_s: float


@dataclass(frozen=True)
class SolvedPlan:
    """A plan as wire JSON, with the facts stored beside it worked out where it was made,
    so the service never has to parse megabytes of JSON to file a plan."""

    status: PlanStatus
    json: str
    released_side_a: int
    released_side_b: int
    objective_json: str | None

    @classmethod
    def of(cls, plan: Plan) -> SolvedPlan:
        return cls(
            status=plan.status,
            json=plan.model_dump_json(),
            released_side_a=len(plan.released.side_a),
            released_side_b=len(plan.released.side_b),
            objective_json=plan.objective.model_dump_json() if plan.objective else None,
        )


@dataclass(frozen=True)
class RepairOrder:
    """Sent to a worker in place of a request's JSON: repair this (a `RepairRequest`).

    Its plan and events were applied and checked when the service took it in
    (`app.repairs`), so the worker does not check them again (`events_checked`)."""

    request_json: str


@dataclass(frozen=True)
class WorkerReady:
    """Sent once by a worker when the solver is imported and it can take requests."""


@dataclass(frozen=True)
class WorkerProgress:
    """Sent by a worker after each proven level; the plan is the best one so far."""

    snapshot: ProgressSnapshot
    best: SolvedPlan | None


@dataclass(frozen=True)
class WorkerDone:
    plan: SolvedPlan
    elapsed_s: float


@dataclass(frozen=True)
class WorkerFailed:
    where: str
    elapsed_s: float


WorkerMessage = WorkerReady | WorkerProgress | WorkerDone | WorkerFailed


@dataclass(frozen=True)
class SolveOutcome:
    """How a solve ended. `plan` is set whenever there is a plan worth keeping."""

    status: OutcomeStatus
    plan: SolvedPlan | None
    elapsed_s: float
    stopped: bool = False
    error: str | None = None

    @classmethod
    def cancelled_in_queue(cls) -> SolveOutcome:
        return cls(status="cancelled", plan=None, elapsed_s=0.0, stopped=True)
