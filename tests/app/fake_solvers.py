"""Stand-ins for `solver.solve` with behaviour a real small solve never shows.

They run in the pool's worker processes, so they are module-level functions (a spawned
process imports them by name). Each first solves the request for real, so the plans they
report and return are genuine.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

from solver import ExchangeRequest, Plan, Progress, StopSignal, solve

TICK_S = 0.05


def _report_until(
    plan: Plan,
    seconds: float,
    on_progress: Callable[[Progress], None] | None,
    stop: StopSignal | None,
    *,
    obey_stop: bool,
) -> bool:
    """Report `plan` as the best so far every tick for `seconds`; True when stopped."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if obey_stop and stop is not None and stop.is_set():
            return True
        if on_progress is not None:
            partial = [
                level.model_copy(update={"proven": i == 0}) for i, level in enumerate(plan.levels)
            ]
            on_progress(
                Progress(
                    partial,
                    plan.model_copy(update={"status": "feasible"}),
                    time.monotonic() - started,
                )
            )
        time.sleep(TICK_S)
    return False


def solve_slowly(
    request: ExchangeRequest,
    *,
    on_progress: Callable[[Progress], None] | None = None,
    stop: StopSignal | None = None,
) -> Plan:
    """Takes the whole time limit unless stopped; stopped, it returns the plan as feasible."""
    plan = solve(request)
    stopped = _report_until(plan, request.options.time_limit_s, on_progress, stop, obey_stop=True)
    return plan.model_copy(update={"status": "feasible"}) if stopped else plan


def solve_ignoring_stop(
    request: ExchangeRequest,
    *,
    on_progress: Callable[[Progress], None] | None = None,
    stop: StopSignal | None = None,
) -> Plan:
    """Never looks at the stop signal and overruns its time limit: it has to be killed."""
    plan = solve(request)
    _report_until(plan, request.options.time_limit_s + 3600, on_progress, stop, obey_stop=False)
    return plan


def solve_crashing(
    request: ExchangeRequest,
    *,
    on_progress: Callable[[Progress], None] | None = None,
    stop: StopSignal | None = None,
) -> Plan:
    """Dies like a process killed by the OOM killer when side A's name says so."""
    if request.side_a.name == "crash":
        os._exit(9)
    return solve(request, on_progress=on_progress, stop=stop)


def solve_raising(
    request: ExchangeRequest,
    *,
    on_progress: Callable[[Progress], None] | None = None,
    stop: StopSignal | None = None,
) -> Plan:
    """Fails with an exception whose message quotes a name, as a careless bug might."""
    names = [d.name for d in request.side_a.detainees if d.name]
    raise RuntimeError(f"cannot plan for {names}")


def solve_by_side_name(
    request: ExchangeRequest,
    *,
    on_progress: Callable[[Progress], None] | None = None,
    stop: StopSignal | None = None,
) -> Plan:
    """One stand-in for a live server, its behaviour chosen by side A's name: `crash`,
    `slow` (takes its time limit unless stopped), `stubborn` (ignores stop and time limit);
    any other name is solved for real."""
    behaviour = {
        "crash": solve_crashing,
        "slow": solve_slowly,
        "stubborn": solve_ignoring_stop,
    }.get(request.side_a.name)
    if behaviour is None:
        return solve(request, on_progress=on_progress, stop=stop)
    return behaviour(request, on_progress=on_progress, stop=stop)


def solve_finding_nothing(
    request: ExchangeRequest,
    *,
    on_progress: Callable[[Progress], None] | None = None,
    stop: StopSignal | None = None,
) -> Plan:
    """Finds no plan before its time limit or a stop, then answers as the solver does when
    it has none (`timeout`, nobody released)."""
    started = time.monotonic()
    while time.monotonic() - started < request.options.time_limit_s:
        if stop is not None and stop.is_set():
            break
        if on_progress is not None:
            on_progress(Progress([], None, time.monotonic() - started))
        time.sleep(TICK_S)
    stopped = threading.Event()
    stopped.set()
    return solve(request, stop=stopped)
