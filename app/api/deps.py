"""What handlers depend on, as `Annotated` aliases; everything lives on `app.state`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from app.access import AccessGate, Arrival, parties_may_call
from app.audit import AuditLog
from app.case_store import CaseStore
from app.core.config import Settings
from app.core.metrics import ServiceMetrics
from app.core.offload import Offload
from app.core.origins import cross_site
from app.core.rate_limits import RateLimiter, retry_after_off_loop
from app.core.security import OPEN_ACCESS, Caller
from app.dispatch import SolveDispatcher, SolveOrder
from app.event_store import EventStore
from app.exchange_day import CaseDay
from app.job_store import JobStore
from app.key_store import KeyStore
from app.models import CaseRecord
from app.plan_store import PlanStore
from app.problems import cross_site_refused, not_found, rate_limited, unauthorized
from app.reconciliation.store import ReconciliationStore
from app.registry_store import RegistryStore
from app.request_bodies import order_from_json
from app.solving.pool import SolverPool


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def get_plans(request: Request) -> PlanStore:
    plans: PlanStore = request.app.state.plans
    return plans


def get_jobs(request: Request) -> JobStore:
    jobs: JobStore = request.app.state.jobs
    return jobs


def get_pool(request: Request) -> SolverPool:
    pool: SolverPool = request.app.state.pool
    return pool


def get_dispatcher(request: Request) -> SolveDispatcher:
    dispatcher: SolveDispatcher = request.app.state.dispatcher
    return dispatcher


def get_offload(request: Request) -> Offload:
    offload: Offload = request.app.state.offload
    return offload


def get_metrics(request: Request) -> ServiceMetrics:
    metrics: ServiceMetrics = request.app.state.metrics
    return metrics


def get_cases(request: Request) -> CaseStore:
    cases: CaseStore = request.app.state.cases
    return cases


def get_keys(request: Request) -> KeyStore:
    keys: KeyStore = request.app.state.keys
    return keys


def get_audit(request: Request) -> AuditLog:
    audit: AuditLog = request.app.state.audit
    return audit


def get_events(request: Request) -> EventStore:
    events: EventStore = request.app.state.events
    return events


def get_registry(request: Request) -> RegistryStore:
    registry: RegistryStore = request.app.state.registry
    return registry


def get_case_day(request: Request) -> CaseDay:
    return CaseDay.of(request.app.state)


def get_reconciliations(request: Request) -> ReconciliationStore:
    reconciliations: ReconciliationStore = request.app.state.reconciliations
    return reconciliations


SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[Engine, Depends(get_engine)]
PlansDep = Annotated[PlanStore, Depends(get_plans)]
JobsDep = Annotated[JobStore, Depends(get_jobs)]
PoolDep = Annotated[SolverPool, Depends(get_pool)]
DispatcherDep = Annotated[SolveDispatcher, Depends(get_dispatcher)]
MetricsDep = Annotated[ServiceMetrics, Depends(get_metrics)]
OffloadDep = Annotated[Offload, Depends(get_offload)]
CasesDep = Annotated[CaseStore, Depends(get_cases)]
KeysDep = Annotated[KeyStore, Depends(get_keys)]
AuditDep = Annotated[AuditLog, Depends(get_audit)]
EventsDep = Annotated[EventStore, Depends(get_events)]
RegistryDep = Annotated[RegistryStore, Depends(get_registry)]
CaseDayDep = Annotated[CaseDay, Depends(get_case_day)]
ReconciliationsDep = Annotated[ReconciliationStore, Depends(get_reconciliations)]

api_key_header = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key (`exk_...`): a mediator's, or a party's for one case.",
)
bearer_token = HTTPBearer(
    auto_error=False,
    scheme_name="Bearer",
    description="The same API key as a Bearer token.",
)


async def authenticate(
    request: Request,
    api_key: Annotated[str | None, Security(api_key_header)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_token)],
) -> Caller:
    """Who is calling (401 without a valid key), within its rate (429), on a route its role
    may use (404 for a party on a mediator's route: it does not learn what is there); in
    open access, never a page of another site through the browser (403)."""
    gate: AccessGate = request.app.state.access
    limiter: RateLimiter = request.app.state.rate_limiter
    authorization = request.headers.get("authorization")
    if authorization is not None and bearer is None and api_key is None:
        raise unauthorized("The Authorization header must be `Bearer <API key>`.")
    token = api_key if api_key is not None else bearer.credentials if bearer else None
    try:
        caller = await run_in_threadpool(gate.identify, token, Arrival.of(request))
    except Exception:
        client = request.client.host if request.client else "unknown"
        wait = await retry_after_off_loop(limiter, f"refused:{client}")
        if wait is not None:
            raise rate_limited(wait) from None
        raise
    if caller == OPEN_ACCESS and cross_site(request.headers):
        # Open access trusts the machine, so a page of another site open in its browser
        # must not act through it (a form POST needs no CORS). A key is never sent by a
        # browser on its own, so requests with one need no such check.
        raise cross_site_refused()
    # Open access (no keys configured, loopback only) is one local user: not limited.
    wait = (
        await retry_after_off_loop(limiter, f"key:{caller.key_id}")
        if caller != OPEN_ACCESS
        else None
    )
    if wait is not None:
        raise rate_limited(wait)
    if not caller.is_mediator and not parties_may_call(
        getattr(request.scope.get("route"), "endpoint", None)
    ):
        raise not_found("resource")
    request.state.caller = caller
    return caller


CallerDep = Annotated[Caller, Depends(authenticate)]


def case_for_caller(request: Request, case_id: str, caller: Caller) -> CaseRecord:
    """The case, when the caller may see it; else 404 (also for another party's case)."""
    if not caller.may_see(case_id):
        raise not_found("case")
    cases: CaseStore = request.app.state.cases
    record = cases.get(case_id)
    if record is None:
        raise not_found("case")
    return record


async def exchange_order_body(
    request: Request, settings: SettingsDep, offload: OffloadDep
) -> SolveOrder:
    """The body parsed by the solver's own reader (see `app.request_bodies`), ready to solve."""
    body = await request.body()
    return await offload.run(len(body), order_from_json, body, settings)


ExchangeOrderBody = Annotated[SolveOrder, Depends(exchange_order_body)]


# The largest whole number a query parameter may carry: PostgreSQL's `integer`, the type
# of the audit trail's numbers. Beyond 64 bits the database drivers raise, not answer.
MAX_QUERY_NUMBER = 2**31 - 1


class Page:
    """`offset` and `limit` query parameters, the limit capped by the settings."""

    def __init__(
        self,
        settings: SettingsDep,
        offset: Annotated[int, Query(ge=0, le=MAX_QUERY_NUMBER, description="Items to skip.")] = 0,
        limit: Annotated[int, Query(ge=1, le=1000, description="Items to return.")] = 20,
    ) -> None:
        self.offset = offset
        self.limit = min(limit, settings.max_page_size)


PageDep = Annotated[Page, Depends()]
