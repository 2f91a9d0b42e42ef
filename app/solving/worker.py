"""The solver process: receives requests over a pipe, answers with progress and a plan.

It runs in a separate process so that a CPU-bound solve never blocks the service's
event loop, and so that a solve that will not stop can be killed. It logs nothing:
what goes wrong is reported as an exception type and place, never a message that could
carry a name.
"""

from __future__ import annotations

import signal
import time
import traceback
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event

from pydantic import TypeAdapter

from app.solving.messages import (
    ProgressSnapshot,
    RepairOrder,
    SolvedPlan,
    SolveFunction,
    WorkerDone,
    WorkerFailed,
    WorkerProgress,
    WorkerReady,
)
from solver import ExchangeRequest, Plan, Progress, RepairRequest
from solver.repair_planner import repair
from solver.schema import LevelReport

_LEVELS = TypeAdapter(list[LevelReport])
PLAN_EVERY_S = 1.0


def serve(conn: Connection, stop: Event, solve: SolveFunction) -> None:
    """Solve one request at a time until the pipe closes or `None` arrives."""
    # Ctrl-C reaches the whole process group; the service decides when workers stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    conn.send(WorkerReady())
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message is None:
            return
        _solve_one(conn, stop, solve, message)


def _solve_one(
    conn: Connection, stop: Event, solve: SolveFunction, message: str | RepairOrder
) -> None:
    started = time.monotonic()
    plan_sent_at: float | None = None

    def report(progress: Progress) -> None:
        nonlocal plan_sent_at
        best = progress.best_plan
        # The best plan only matters if this process has to be killed; for a long list it
        # is megabytes, so it crosses the pipe at most once per PLAN_EVERY_S.
        now = time.monotonic()
        send_plan = best is not None and (
            plan_sent_at is None or now - plan_sent_at >= PLAN_EVERY_S
        )
        if send_plan:
            plan_sent_at = now
        snapshot = ProgressSnapshot(
            levels_json=_LEVELS.dump_json(progress.levels).decode(),
            best_objective_json=(
                best.objective.model_dump_json()
                if best is not None and best.objective is not None
                else None
            ),
            elapsed_s=progress.elapsed_s,
        )
        conn.send(
            WorkerProgress(
                snapshot=snapshot,
                best=SolvedPlan.of(best) if best is not None and send_plan else None,
            )
        )

    try:
        plan: Plan
        if isinstance(message, RepairOrder):
            plan = repair(
                RepairRequest.model_validate_json(message.request_json),
                on_progress=report,
                stop=stop,
                events_checked=True,  # by the service, when it took the request in
            )
        else:
            request = ExchangeRequest.model_validate_json(message)
            plan = solve(request, on_progress=report, stop=stop)
        conn.send(WorkerDone(SolvedPlan.of(plan), time.monotonic() - started))
    except Exception as exc:
        conn.send(WorkerFailed(_where(exc), time.monotonic() - started))


def _where(exc: BaseException) -> str:
    """`TypeName at file:line`: enough to find the bug, with no message text (no data)."""
    frames = traceback.extract_tb(exc.__traceback__)
    place = f" at {frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno}" if frames else ""
    return f"{type(exc).__name__}{place}"[:200]
