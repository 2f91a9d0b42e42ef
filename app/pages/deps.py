"""Who is looking at a page: the session's key, or open loopback access, as for the API.

The same `AccessGate` decides: a session names an active key (and the key still hashes
to what it did at sign-in), or, without any mediator key configured, a request on a
loopback address without proxy headers is the mediator. A party reaches only its own
case; everything else answers 404, exactly as the API does.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from app.access import AccessGate, Arrival
from app.api.deps import case_for_caller
from app.core.rate_limits import RetryAfter, retry_after_off_loop
from app.core.security import OPEN_ACCESS, Caller
from app.models import CaseRecord
from app.pages.routing import NotSignedInError, replace_session, session_of, signer_of
from app.pages.sessions import PageSession
from app.problems import ProblemError, not_found, rate_limited

# The service's per-key rate limiter (`app.state.rate_limiter`), as the pages use it:
# always through `retry_after_off_loop`, as the API does.
Limiter = RetryAfter


def _session_caller(request: Request, gate: AccessGate) -> Caller | None:
    session = session_of(request)
    if session.key_id is None or session.fingerprint is None:
        return None
    found = gate.caller_of_key(session.key_id)
    if found is None:
        return None
    caller, token_sha256 = found
    if signer_of(request).fingerprint(token_sha256) != session.fingerprint:
        return None
    return caller


def identify_page_caller(request: Request) -> Caller:
    """The caller, or NotSignedInError (blocking: call from a thread)."""
    gate: AccessGate = request.app.state.access
    caller = _session_caller(request, gate)
    if caller is None and session_of(request).key_id is not None:
        replace_session(request, PageSession.fresh())  # revoked key, changed bootstrap key
    if caller is not None:
        return caller
    try:
        # Open access as for the API: on loopback, addressed to a loopback name (a page
        # on another site whose name was pointed at 127.0.0.1 gets nothing).
        return gate.identify(None, Arrival.of(request))
    except ProblemError:
        raise NotSignedInError from None


async def page_caller(request: Request) -> Caller:
    """Who is calling, within its key's rate; NotSignedInError when nobody is signed in."""
    caller = await run_in_threadpool(identify_page_caller, request)
    limiter: Limiter = request.app.state.rate_limiter
    wait = (
        await retry_after_off_loop(limiter, f"key:{caller.key_id}")
        if caller != OPEN_ACCESS
        else None
    )
    if wait is not None:
        raise rate_limited(wait)
    request.state.caller = caller
    return caller


PageCaller = Annotated[Caller, Depends(page_caller)]


async def mediator(caller: PageCaller) -> Caller:
    """A mediator's screen: a party gets 404, as from the API."""
    if not caller.is_mediator:
        raise not_found("page")
    return caller


Mediator = Annotated[Caller, Depends(mediator)]


async def case_of_page(request: Request, case_id: str, caller: PageCaller) -> CaseRecord:
    """The case in the path, when the caller may see it; else 404."""
    if len(case_id) > 64:
        raise not_found("case")
    return await run_in_threadpool(case_for_caller, request, case_id, caller)


PageCase = Annotated[CaseRecord, Depends(case_of_page)]
