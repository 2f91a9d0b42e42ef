"""The route class of every page: session cookie in, CSRF check, errors as pages.

Each request gets its session from the signed cookie (or a fresh one); a request that
changes anything (POST) must carry the session's CSRF token, in the form or in the
`X-CSRF-Token` header htmx sends, and must not come from another site. The handler's
problems (404, 409, 422, 429, 503) are answered as pages in the catalogue's words, a
missing sign-in as a redirect to the sign-in form.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException

from app.pages.rendering import page_path, render
from app.pages.sessions import COOKIE_NAME, CSRF_FIELD, CSRF_HEADER, PageSession, SessionSigner
from app.problems import ProblemError
from solver.input_errors import InvalidRequest

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_FORM_FIELDS = 400
MAX_FORM_FILES = 2


class NotSignedInError(Exception):
    """No session key and no open access: the browser is sent to the sign-in form."""


class ForbiddenChangeError(Exception):
    """A change without the session's CSRF token, or sent from another site."""


def signer_of(request: Request) -> SessionSigner:
    signer: SessionSigner = request.app.state.session_signer
    return signer


def session_of(request: Request) -> PageSession:
    session: PageSession = request.state.page_session
    return session


def replace_session(request: Request, session: PageSession) -> None:
    """Use another session from here on (signing in or out, a revoked key)."""
    request.state.page_session = session
    request.state.csrf_token = signer_of(request).csrf_token(session)
    request.state.session_changed = True


async def form_of(request: Request) -> FormData:
    """The request's form, read once within the service's limits (cached on the request)."""
    settings = request.app.state.settings
    return await request.form(
        max_files=MAX_FORM_FILES,
        max_fields=MAX_FORM_FIELDS,
        max_part_size=settings.max_upload_bytes,
    )


class PageRoute(APIRoute):
    """An APIRoute for pages: sessions, CSRF and HTML error pages around the handler."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            signer = signer_of(request)
            loaded = signer.load(request.cookies.get(COOKIE_NAME))
            session = loaded or PageSession.fresh()
            request.state.page_session = session
            request.state.csrf_token = signer.csrf_token(session)
            request.state.session_changed = loaded is None
            try:
                if request.method not in SAFE_METHODS:
                    await _check_change_allowed(request, signer, session)
                response = await handler(request)
            except NotSignedInError:
                response = _to_sign_in(request)
            except ForbiddenChangeError:
                response = error_page(request, 403)
            except ProblemError as problem:
                response = error_page(request, problem.status, problem.detail, problem.headers)
            except (InvalidRequest, RequestValidationError):
                response = error_page(request, 422)
            except HTTPException as error:
                response = error_page(request, error.status_code)
            if request.state.session_changed:
                _set_cookie(request, response, signer)
            return response

        return page_handler


async def _check_change_allowed(
    request: Request, signer: SessionSigner, session: PageSession
) -> None:
    if request.headers.get("sec-fetch-site") == "cross-site":
        raise ForbiddenChangeError
    origin = request.headers.get("origin")
    if origin is not None and urlsplit(origin).netloc != request.headers.get("host"):
        raise ForbiddenChangeError
    token = request.headers.get(CSRF_HEADER)
    if token is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
            field = (await form_of(request)).get(CSRF_FIELD)
            token = field if isinstance(field, str) else None
    if not signer.csrf_ok(session, token):
        raise ForbiddenChangeError


def _to_sign_in(request: Request) -> Response:
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    location = page_path(request, "sign_in_form")
    if request.method in SAFE_METHODS and target != "/":
        location += "?next=" + quote(target, safe="")
    if request.headers.get("hx-request") == "true":
        # htmx follows no redirects for a swap: the browser goes to the form itself.
        return Response(status_code=204, headers={"HX-Redirect": location})
    return RedirectResponse(location, status_code=303)


def error_page(
    request: Request,
    status: int,
    detail: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """The page for a refused request: the catalogue's words for its status."""
    known = status if status in (400, 403, 404, 409, 413, 422, 429, 503) else 500
    # Details are shown only where the service's words carry no personal data and help:
    # what is missing from a case (409).
    shown = detail if status == 409 else None
    return render(
        request,
        "error.html",
        {"status": status, "message_key": f"errors.{known}", "detail": shown},
        status_code=status,
        headers={k: v for k, v in (headers or {}).items() if k.lower() == "retry-after"},
    )


def _set_cookie(request: Request, response: Response, signer: SessionSigner) -> None:
    secure = request.app.state.settings.secure_cookies or request.url.scheme == "https"
    response.set_cookie(
        COOKIE_NAME,
        signer.dump(session_of(request)),
        max_age=signer.max_age_s,
        path="/",
        secure=secure,
        httponly=True,
        samesite="strict",
    )
