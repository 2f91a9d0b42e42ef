"""Every page router in one place, the pages' static files, and the session signer."""

from __future__ import annotations

import secrets
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from app.core.config import Settings
from app.pages import (
    cases,
    day,
    downloads,
    lists,
    plans,
    reconciliation,
    registry,
    scenarios,
    sign_in,
    solving,
    terms,
    verification,
)
from app.pages.sessions import SessionSigner

STATIC = Path(__file__).resolve().parent.parent / "static"

pages_router = APIRouter(include_in_schema=False)
pages_router.include_router(sign_in.router)
pages_router.include_router(cases.router)
pages_router.include_router(lists.router)
pages_router.include_router(reconciliation.router)
pages_router.include_router(terms.router)
pages_router.include_router(solving.router)
pages_router.include_router(plans.router)
pages_router.include_router(scenarios.router)
pages_router.include_router(verification.router)
pages_router.include_router(downloads.router)
pages_router.include_router(day.router)
pages_router.include_router(registry.router)


def install_pages(app: FastAPI, settings: Settings) -> None:
    """Mount the pages at `/` and their files at `/static`. Without a configured session
    secret, a random one is drawn: sessions then last as long as the process."""
    secret = settings.session_secret
    key = secret.get_secret_value().encode("utf-8") if secret else secrets.token_bytes(32)
    app.state.session_signer = SessionSigner(key, settings.session_max_age_s)
    app.state.pages_router = pages_router
    app.include_router(pages_router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
