"""Signing in with an API key, and out.

The key is checked by the same `AccessGate` as the API's `X-API-Key`; the session that
follows names the key by its id (see `app.pages.sessions`). Refused attempts are limited
per client address, as for the API.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from app.access import KEY_ONLY, AccessGate
from app.core.rate_limits import retry_after_off_loop
from app.core.security import token_sha256
from app.pages.deps import Limiter, identify_page_caller
from app.pages.rendering import page_path, render
from app.pages.routing import NotSignedInError, PageRoute, replace_session, session_of, signer_of
from app.pages.sessions import PageSession
from app.problems import ProblemError, rate_limited

router = APIRouter(route_class=PageRoute)


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this service only, never another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/sign-in", name="sign_in_form")
async def sign_in_form(request: Request, next: str | None = None) -> Response:
    return render(request, "sign_in.html", {"next": safe_next(next), "failed": False})


@router.post("/sign-in", name="sign_in")
async def sign_in(
    request: Request,
    api_key: Annotated[str, Form(max_length=512)] = "",
    next: Annotated[str, Form(max_length=2048)] = "/",
) -> Response:
    gate: AccessGate = request.app.state.access
    token = api_key.strip()
    try:
        caller = await run_in_threadpool(gate.identify, token or None, KEY_ONLY)
    except ProblemError:
        limiter: Limiter = request.app.state.rate_limiter
        client = request.client.host if request.client else "unknown"
        wait = await retry_after_off_loop(limiter, f"refused:{client}")
        if wait is not None:
            raise rate_limited(wait) from None
        return render(
            request, "sign_in.html", {"next": safe_next(next), "failed": True}, status_code=401
        )
    fingerprint = signer_of(request).fingerprint(token_sha256(token))
    replace_session(request, session_of(request).signed_in(caller.key_id, fingerprint))
    target = safe_next(next)
    if not caller.is_mediator and target == "/":
        target = page_path(request, "case_page", case_id=str(caller.case_id))
    return RedirectResponse(target, status_code=303)


@router.post("/sign-out", name="sign_out")
async def sign_out(request: Request) -> Response:
    """Ends the session; in open loopback mode the pages stay open, as the API does."""
    replace_session(request, PageSession.fresh())
    try:
        await run_in_threadpool(identify_page_caller, request)
        target = page_path(request, "home")
    except NotSignedInError:
        target = page_path(request, "sign_in_form")
    return RedirectResponse(target, status_code=303)
