"""The service for the browser tests: the real solver, except that a request with
`options.seed` set to WATCHED_SEED is solved slowly (its progress reported for its whole
time limit, unless stopped), so a browser can watch a job run and stop it. Likewise a
reconciliation whose requests name WATCHED_REQUEST_ID dwells on its first steps, so a
browser can watch the reconciliation page follow a run."""

from __future__ import annotations

import time
from collections.abc import Callable

import app.pages.reconciliation as reconciliation_pages
from app.case_store import CaseStore
from app.main import create_app
from app.reconciliation.case_reconciliation import PreparedRun, run_and_store
from app.reconciliation.store import ReconciliationStore
from reconciliation.schema import Reconciliation
from reconciliation.steps import STEPS, StepReport
from solver import ExchangeRequest, Plan, Progress, StopSignal, solve
from tests.app.fake_solvers import solve_slowly

WATCHED_SEED = 4242
WATCHED_REQUEST_ID = "R-WATCHED"
WATCHED_STEP_S = 1.5


def solve_watchably(
    request: ExchangeRequest,
    *,
    on_progress: Callable[[Progress], None] | None = None,
    stop: StopSignal | None = None,
) -> Plan:
    if request.options.seed == WATCHED_SEED:
        return solve_slowly(request, on_progress=on_progress, stop=stop)
    return solve(request, on_progress=on_progress, stop=stop)


def reconcile_watchably(
    prepared: PreparedRun,
    cases: CaseStore,
    reconciliations: ReconciliationStore,
    on_step: StepReport | None = None,
) -> Reconciliation:
    if on_step is not None and any(r.id == WATCHED_REQUEST_ID for r in prepared.requested):
        for step in STEPS[:3]:
            on_step(step)
            time.sleep(WATCHED_STEP_S)
    return run_and_store(prepared, cases, reconciliations, on_step)


# The page's name for the run, replaced (as a test's monkeypatch would) in this app only.
reconciliation_pages.run_and_store = reconcile_watchably  # type: ignore[attr-defined]
app = create_app(solve=solve_watchably)
