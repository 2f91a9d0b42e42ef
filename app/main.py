"""The ASGI application: `uvicorn app.main:app`.

Start-up applies the database migrations, says how requests are authenticated, starts the
solver worker processes, the job queue (which claims queued jobs, also those a previous
run or another instance left) and the retention task; shut-down waits for the tasks it
started (and the calls they have in threads), gives this instance's jobs back to the
queue, then stops the solves and ends every process it started.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from app.access import AccessGate
from app.api.docs import install_docs
from app.api.main import api_router, operations_router
from app.api.openapi import install_openapi
from app.audit import AuditLog
from app.case_store import CaseStore
from app.core.config import Settings
from app.core.db import make_engine, make_session_factory, migrate
from app.core.logs import configure_logging
from app.core.metrics import RequestMetricsMiddleware, ServiceMetrics
from app.core.middleware import BodySizeLimitMiddleware, RequestContextMiddleware
from app.core.offload import Offload
from app.core.rate_limits import RateLimiter
from app.core.service_tasks import ServiceTasks
from app.dispatch import SolveDispatcher
from app.event_store import EventStore
from app.example_records import store_example_records
from app.job_queue import JobQueue
from app.job_store import JobStore
from app.key_store import KeyStore
from app.pages.main import install_pages
from app.plan_store import PlanStore
from app.problems import Problem, UnexpectedErrorMiddleware, install_problem_handlers
from app.reconciliation.runs import ReconciliationRuns
from app.reconciliation.store import ReconciliationStore
from app.retention import retention_loop
from app.solving.messages import SolveFunction
from app.solving.pool import SolverPool
from solver import ExchangeRequest
from solver import solve as solver_solve

logger = logging.getLogger(__name__)

# The solver may spend 3 s or more after its time limit naming the conflicts of
# infeasible terms; a shorter grace would kill those solves.
MIN_SAFE_OVERRUN_GRACE_S = 5.0

DESCRIPTION = """\
Exact, explained plans for detainee exchanges: who each side releases, in which stage.

Every route that takes an id has a working example: the service stores a synthetic
example plan and job at start-up. All example people are made up.
"""


def create_app(
    settings: Settings | None = None,
    solve: SolveFunction | None = None,
    *,
    own_logging: bool = True,
) -> FastAPI:
    """Build the service; tests pass their own settings and a stand-in for the solver.

    With `own_logging`, start-up installs the JSON log handler on the root logger and
    switches off uvicorn's access log (see `app.core.logs`); code that embeds the app and
    handles logging itself (the tests) turns it off.
    """
    settings = settings or Settings()
    solve_function: SolveFunction = solve or solver_solve
    metrics = ServiceMetrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if own_logging:
            # Here rather than at import: uvicorn has set up its loggers by now, and
            # importing the module (tests, tools) leaves logging alone.
            configure_logging(settings.log_format, settings.log_level)
        engine = make_engine(settings)
        if settings.migrate_on_start:
            await run_in_threadpool(migrate, engine)
        sessions = make_session_factory(engine)
        plans, jobs = PlanStore(sessions), JobStore(sessions)
        cases, keys, audit = CaseStore(sessions), KeyStore(sessions), AuditLog(sessions)
        access = AccessGate(settings, keys)
        logger.warning("access: %s", await run_in_threadpool(access.describe))
        if settings.overrun_grace_s < MIN_SAFE_OVERRUN_GRACE_S:
            logger.warning(
                "overrun grace %.1f s is under %.0f s: solves still explaining infeasible "
                "terms after their time limit may be killed",
                settings.overrun_grace_s,
                MIN_SAFE_OVERRUN_GRACE_S,
            )
        pool = SolverPool(
            solve_function,
            workers=settings.worker_count,
            queue_size=settings.queue_size,
            start_method=settings.worker_start_method,
            stop_grace_s=settings.stop_grace_s,
            overrun_grace_s=settings.overrun_grace_s,
        )
        pool.start()
        metrics.track_pool(pool)
        offload = Offload(
            settings.document_processes,
            settings.inline_below_bytes,
            settings.worker_start_method,
        )
        offload.start()
        queue = JobQueue(jobs, pool, metrics, settings)
        queue.start()
        logger.info("job queue: this instance is %s", queue.instance)
        dispatcher = SolveDispatcher(pool, jobs, queue, metrics)
        app.state.engine = engine
        app.state.plans = plans
        app.state.jobs = jobs
        app.state.pool = pool
        app.state.dispatcher = dispatcher
        app.state.queue = queue
        app.state.offload = offload
        app.state.cases = cases
        app.state.keys = keys
        app.state.audit = audit
        app.state.events = EventStore(sessions)
        app.state.registry = cases.registry
        app.state.reconciliations = ReconciliationStore(sessions)
        app.state.reconciliation_runs = ReconciliationRuns(app.state.reconciliations)
        app.state.access = access
        app.state.rate_limiter = RateLimiter(
            settings.rate_limit_per_s,
            settings.rate_limit_burst,
            settings.rate_limit_storage,
            engine,
        )
        tasks = ServiceTasks()
        if settings.seed_examples:
            tasks.start(
                store_example_records(
                    settings, dispatcher, plans, jobs, cases, keys, app.state.reconciliations
                ),
                "example records",
            )
        tasks.start(retention_loop(settings, sessions, audit, dispatcher, engine), "retention")
        try:
            yield
        finally:
            # First, while the solves and the database are still there: a call a task has
            # in a thread (the example reconciliation on DuckDB, a purge) must end before
            # the service does, or it runs on into the interpreter's exit.
            await tasks.stop()
            app.state.reconciliation_runs.close()
            # Jobs held here go back to the queue before their solves are stopped.
            await run_in_threadpool(queue.close)
            await run_in_threadpool(offload.close)
            await run_in_threadpool(pool.close, settings.stop_grace_s + 5.0)
            engine.dispose()

    app = FastAPI(
        title="exchange-planner",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.metrics = metrics
    install_problem_handlers(app)
    # Outermost last: request id and access line, metrics, body size (before routing and
    # authentication), then the catch-all for bugs.
    app.add_middleware(UnexpectedErrorMiddleware)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestMetricsMiddleware, metrics=metrics)
    app.add_middleware(RequestContextMiddleware)
    app.include_router(api_router, prefix=settings.api_prefix)
    app.include_router(operations_router)
    install_openapi(app, extra_models=[Problem, ExchangeRequest])
    install_docs(app)
    install_pages(app, settings)
    return app


app = create_app()
