"""Peer: the straightforward per-person CP-SAT model of the same terms (`solver.per_person`)."""

from __future__ import annotations

import time

from benchmarks.peers.outcome import PeerOutcome, checked
from solver.per_person import solve_per_person
from solver.schema import ExchangeRequest


def solve_per_person_cpsat(request: ExchangeRequest, time_limit_s: float) -> PeerOutcome:
    """Solve level by level on one yes/no per person and stage; re-check the plan it finds."""
    started = time.perf_counter()
    result = solve_per_person(request, time_limit_s=time_limit_s)
    seconds = time.perf_counter() - started
    if not result.levels:
        return PeerOutcome("per_person_cpsat", result.status, seconds=seconds)
    levels, violations = checked(request, result.stage_of)
    notes = () if levels == result.levels else (f"model says {result.levels}",)
    return PeerOutcome(
        "per_person_cpsat",
        result.status,
        levels=levels,
        seconds=seconds,
        violations=violations,
        notes=notes,
    )
