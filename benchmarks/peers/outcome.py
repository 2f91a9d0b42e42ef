"""What a peer reports: its verdict, its objective vector, and what the plan checker says."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from solver.categories import reference_date_of
from solver.schema import ExchangeRequest, Plan, PlanStatus, Released, Side, Stage
from solver.validation import check_plan, level_values, stage_count

PeerStatus = Literal[
    "optimal", "feasible", "infeasible", "timeout", "heuristic", "killed", "crashed"
]
"""`heuristic`: a plan without any claim of optimality; `killed`: stopped for overrunning
its time limit (its model could not even be built in time); `crashed`: it failed."""

FINISHED: frozenset[str] = frozenset({"optimal", "infeasible", "heuristic"})
"""Verdicts reached before the time limit; the others are reported as not finished."""

StageOf = Mapping[tuple[Side, str], int]


@dataclass(frozen=True)
class PeerOutcome:
    """One peer's run on one request.

    `levels` is the objective vector, one value per lexicographic level: proven when the
    status is `optimal`, that of the best plan found otherwise, empty without a plan.
    `seconds` runs from the parsed request to the answer (model building included), and
    `level_seconds` holds each level's search time when the peer measures it.
    `violations` lists the rules `solver.validation.check_plan` finds broken.
    """

    peer: str
    status: PeerStatus
    levels: tuple[int, ...] = ()
    seconds: float = 0.0
    build_seconds: float | None = None
    level_seconds: tuple[float, ...] = ()
    violations: tuple[str, ...] = ()
    peak_mb: float | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "finished": self.finished}

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> PeerOutcome:
        return cls(
            peer=str(document["peer"]),
            status=document["status"],
            levels=tuple(int(v) for v in document["levels"]),
            seconds=float(document["seconds"]),
            build_seconds=document.get("build_seconds"),
            level_seconds=tuple(float(s) for s in document.get("level_seconds", ())),
            violations=tuple(str(v) for v in document.get("violations", ())),
            peak_mb=document.get("peak_mb"),
            notes=tuple(str(n) for n in document.get("notes", ())),
        )


def plan_of(request: ExchangeRequest, stage_of: StageOf, status: PlanStatus) -> Plan:
    """A plan releasing exactly the people in `stage_of`, in list order within each stage."""
    released = {
        side: [d.id for d in request.side(side).detainees if (side, d.id) in stage_of]
        for side in (Side.A, Side.B)
    }
    return Plan(
        status=status,
        reference_date=reference_date_of(request.terms),
        released=Released(side_a=released[Side.A], side_b=released[Side.B]),
        stages=[
            Stage(
                number=s,
                side_a=[pid for pid in released[Side.A] if stage_of[Side.A, pid] == s],
                side_b=[pid for pid in released[Side.B] if stage_of[Side.B, pid] == s],
            )
            for s in range(1, stage_count(request) + 1)
        ],
    )


def checked(request: ExchangeRequest, stage_of: StageOf) -> tuple[tuple[int, ...], tuple[str, ...]]:
    """The plan's objective vector and broken rules, recomputed by `solver.validation`."""
    plan = plan_of(request, stage_of, "feasible")
    rules = tuple(sorted({violation.rule for violation in check_plan(request, plan)}))
    return level_values(request, plan), rules
