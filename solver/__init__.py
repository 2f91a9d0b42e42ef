"""Exchange planning core: exact lexicographic plans for detainee exchanges.

No web imports here: the HTTP service, the CLI and the benchmarks all call `solve`, and
`repair` on the day of the exchange.
"""

import gc as _gc
from typing import TYPE_CHECKING, Any

# Importing the planner loads numpy, OR-Tools and pydantic, hundreds of thousands of
# objects that live as long as the process and are no garbage; the cycle collector,
# triggered by their allocation, walks them over and over meanwhile. Held off until
# they are in place, it takes about 15 ms off every start of the command line.
_collecting = _gc.isenabled()
_gc.disable()
try:
    from solver.planner import Progress, StopSignal, solve
    from solver.schema import ExchangeRequest, Plan, RepairedPlan, RepairRequest
finally:
    if _collecting:
        _gc.enable()

if TYPE_CHECKING:
    from solver.repair_planner import repair


def __getattr__(name: str) -> Any:
    # `repair` is imported on first use: most commands never repair, and every command
    # pays for what the package imports (about 7 ms here).
    if name == "repair":
        from solver.repair_planner import repair

        return repair
    raise AttributeError(f"module 'solver' has no attribute {name!r}")


__all__ = [
    "ExchangeRequest",
    "Plan",
    "Progress",
    "RepairRequest",
    "RepairedPlan",
    "StopSignal",
    "repair",
    "solve",
]
