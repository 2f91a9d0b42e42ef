"""Where a solve spends its time: one extra run through `solver.planner.solve_with_stats`.

The planner records its phases (reading the lists and pooling, the search, writing the
plan, the re-check) and each level's search seconds (levels settled in one search
share its time evenly). The timed runs of the benchmark use plain `solver.solve`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from solver.planner import solve_with_stats
from solver.schema import Plan, RequestRecord

PHASES: tuple[tuple[str, str], ...] = (
    ("read", "read the lists into columns, pool interchangeable people"),
    ("search", "lexicographic search (every CP-SAT call)"),
    ("plan", "write the plan (who, when, reasons, warnings)"),
    ("check", "independent re-check of the plan"),
    ("conflicts", "conflict search (infeasible terms only)"),
    ("other", "the rest (model building outside the search, bookkeeping)"),
)
"""The planner's phases, in order, with what each does."""


@dataclass
class Probe:
    """Seconds per phase and per level, from one solve."""

    phases: dict[str, float] = field(default_factory=dict)
    levels: dict[str, float] = field(default_factory=dict)
    pools: int = 0
    searches: int = 0
    total_seconds: float = 0.0


def probe_solve(request: RequestRecord) -> tuple[Probe, Plan]:
    """Solve once, recording the planner's own timings; return them with the plan."""
    started = time.perf_counter()
    plan, stats = solve_with_stats(request)
    total = time.perf_counter() - started
    phases = dict(stats.phases)
    phases["other"] = max(0.0, total - sum(phases.values()))
    probe = Probe(
        phases=phases,
        levels=dict(stats.levels),
        pools=stats.pools,
        searches=stats.searches,
        total_seconds=total,
    )
    return probe, plan
