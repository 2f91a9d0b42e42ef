"""Liveness and readiness probes, outside the versioned API."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from app.api.deps import EngineDep, OffloadDep, PoolDep
from app.core.db import database_reachable
from app.schemas import Health, Readiness

router = APIRouter(tags=["operations"])


@router.get("/healthz", response_model=Health, summary="The process is up")
def healthz() -> Health:
    return Health()


@router.get(
    "/readyz",
    response_model=Readiness,
    summary="The database answers, every solver worker is alive, the document helper started",
    responses={503: {"model": Readiness, "description": "Not ready"}},
)
async def readyz(engine: EngineDep, pool: PoolDep, offload: OffloadDep) -> JSONResponse:
    reachable = await run_in_threadpool(database_reachable, engine)
    alive = pool.workers_alive()
    helper = offload.state()
    ready = reachable and alive == pool.worker_count and helper != "starting"
    body = Readiness(
        status="ready" if ready else "not_ready",
        database="ok" if reachable else "unreachable",
        workers_alive=alive,
        workers=pool.worker_count,
        queue_depth=pool.queue_depth(),
        document_helper=helper,
    )
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)
