"""What handlers depend on, as `Annotated` aliases; everything lives on `app.state`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy import Engine

from app.core.config import Settings
from app.core.metrics import ServiceMetrics
from app.core.offload import Offload
from app.dispatch import SolveDispatcher, SolveOrder
from app.job_store import JobStore
from app.plan_store import PlanStore
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


SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[Engine, Depends(get_engine)]
PlansDep = Annotated[PlanStore, Depends(get_plans)]
JobsDep = Annotated[JobStore, Depends(get_jobs)]
PoolDep = Annotated[SolverPool, Depends(get_pool)]
DispatcherDep = Annotated[SolveDispatcher, Depends(get_dispatcher)]
MetricsDep = Annotated[ServiceMetrics, Depends(get_metrics)]
OffloadDep = Annotated[Offload, Depends(get_offload)]


async def exchange_order_body(
    request: Request, settings: SettingsDep, offload: OffloadDep
) -> SolveOrder:
    """The body parsed by the solver's own reader (see `app.request_bodies`), ready to solve."""
    body = await request.body()
    return await offload.run(len(body), order_from_json, body, settings)


ExchangeOrderBody = Annotated[SolveOrder, Depends(exchange_order_body)]


class Page:
    """`offset` and `limit` query parameters, the limit capped by the settings."""

    def __init__(
        self,
        settings: SettingsDep,
        offset: Annotated[int, Query(ge=0, description="Items to skip.")] = 0,
        limit: Annotated[int, Query(ge=1, le=1000, description="Items to return.")] = 20,
    ) -> None:
        self.offset = offset
        self.limit = min(limit, settings.max_page_size)


PageDep = Annotated[Page, Depends()]
