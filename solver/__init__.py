"""Exchange planning core: exact lexicographic plans for detainee exchanges.

No web imports here: the HTTP service, the CLI and the benchmarks all call `solve`.
"""

import gc as _gc

# Importing the planner loads numpy, OR-Tools and pydantic, hundreds of thousands of
# objects that live as long as the process and are no garbage; the cycle collector,
# triggered by their allocation, walks them over and over meanwhile. Held off until
# they are in place, it takes about 15 ms off every start of the command line.
_collecting = _gc.isenabled()
_gc.disable()
try:
    from solver.planner import Progress, StopSignal, solve
    from solver.schema import ExchangeRequest, Plan
finally:
    if _collecting:
        _gc.enable()

__all__ = ["ExchangeRequest", "Plan", "Progress", "StopSignal", "solve"]
