"""The service for the browser tests: the real solver, except that a request with
`options.seed` set to WATCHED_SEED is solved slowly (its progress reported for its whole
time limit, unless stopped), so a browser can watch a job run and stop it."""

from __future__ import annotations

from collections.abc import Callable

from app.main import create_app
from solver import ExchangeRequest, Plan, Progress, StopSignal, solve
from tests.app.fake_solvers import solve_slowly

WATCHED_SEED = 4242


def solve_watchably(
    request: ExchangeRequest,
    *,
    on_progress: Callable[[Progress], None] | None = None,
    stop: StopSignal | None = None,
) -> Plan:
    if request.options.seed == WATCHED_SEED:
        return solve_slowly(request, on_progress=on_progress, stop=stop)
    return solve(request, on_progress=on_progress, stop=stop)


app = create_app(solve=solve_watchably)
