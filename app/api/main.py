"""Every router in one place: the versioned API, and the operational routes beside it."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from app.api.deps import authenticate
from app.api.routes import (
    audit,
    case_day,
    cases,
    charts,
    csv_uploads,
    health,
    jobs,
    manifests,
    metrics,
    plans,
    reconciliation,
    registry,
    repairs,
    scenarios,
    verification,
)

# Every versioned route needs a key (or open loopback access) and is for mediators, unless
# its handler is marked `party_route` (see app.access).
api_router = APIRouter(dependencies=[Depends(authenticate)])
# /plans/verify is declared before /plans/{plan_id} so the literal path wins.
api_router.include_router(verification.router)
api_router.include_router(repairs.router)
api_router.include_router(csv_uploads.router)
api_router.include_router(plans.router)
api_router.include_router(manifests.router)
api_router.include_router(charts.router)
api_router.include_router(jobs.router)
api_router.include_router(scenarios.router)
api_router.include_router(cases.router)
api_router.include_router(case_day.router)
api_router.include_router(audit.router)
api_router.include_router(registry.router)
api_router.include_router(reconciliation.router)

operations_router = APIRouter()
operations_router.include_router(health.router)
operations_router.include_router(metrics.router)
