"""Exchange planning core: exact lexicographic plans for detainee exchanges.

No web imports here: the HTTP service, the CLI and the benchmarks all call `solve`.
"""

from solver.planner import Progress, StopSignal, solve
from solver.schema import ExchangeRequest, Plan

__all__ = ["ExchangeRequest", "Plan", "Progress", "StopSignal", "solve"]
