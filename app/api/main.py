"""Every router in one place: the versioned API, and the operational routes beside it."""

from __future__ import annotations

from fastapi import APIRouter

from app.api.routes import (
    charts,
    csv_uploads,
    health,
    jobs,
    manifests,
    metrics,
    plans,
    scenarios,
    verification,
)

api_router = APIRouter()
# /plans/verify is declared before /plans/{plan_id} so the literal path wins.
api_router.include_router(verification.router)
api_router.include_router(csv_uploads.router)
api_router.include_router(plans.router)
api_router.include_router(manifests.router)
api_router.include_router(charts.router)
api_router.include_router(jobs.router)
api_router.include_router(scenarios.router)

operations_router = APIRouter()
operations_router.include_router(health.router)
operations_router.include_router(metrics.router)
