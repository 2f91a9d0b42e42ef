"""Errors as RFC 9457 problem details (`application/problem+json`), for every route.

A 422 lists every problem with its side, id, field and rule; nothing the client sent is
echoed back, because the fields that fail are often the personal ones (FastAPI's default
422 body would quote them in `input`).
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.logs import request_id_var
from app.core.metrics import route_template
from app.solving.pool import QueueFullError
from solver.input_errors import InputProblem, InvalidRequest

logger = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
INVALID_REQUEST_TYPE = "tag:exchange-planner,2025:problem:invalid-request"
SOLVER_BUSY_TYPE = "tag:exchange-planner,2025:problem:solver-busy"
SOLVE_FAILED_TYPE = "tag:exchange-planner,2025:problem:solve-failed"
UNAUTHORIZED_TYPE = "tag:exchange-planner,2025:problem:unauthorized"
RATE_LIMITED_TYPE = "tag:exchange-planner,2025:problem:rate-limited"
CONFLICT_TYPE = "tag:exchange-planner,2025:problem:case-state"
CROSS_SITE_TYPE = "tag:exchange-planner,2025:problem:cross-site"
WWW_AUTHENTICATE = 'Bearer realm="exchange-planner"'


class ProblemItem(BaseModel):
    """One thing wrong with a request: where it is and which rule it breaks."""

    model_config = ConfigDict(extra="forbid")

    side: str | None = Field(description="side_a or side_b, when the problem is with a side")
    id: str | None = Field(description="the detainee id concerned, when there is one")
    field: str = Field(description="the detainee's field, or a dotted path in the request")
    rule: str = Field(description="a stable code for programs")
    message: str
    index: int | None = Field(default=None, description="position in the side's list")
    row: int | None = Field(default=None, description="CSV row number (header is row 1)")


class Problem(BaseModel):
    """RFC 9457 problem details; `errors` is present on 422 responses."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[ProblemItem] | None = None
    last_seq: int | None = Field(
        default=None,
        description="On a 409 taking back an event: the case's last event in force, the "
        "only one that can be taken back (absent when none is left).",
    )

    def document(self) -> dict[str, Any]:
        """The JSON body: absent members are left out, but an error's null side or id stays."""
        return {key: value for key, value in self.model_dump().items() if value is not None}


class ProblemError(Exception):
    """Raise from anywhere in a request to answer with this problem."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        type_: str = "about:blank",
        title: str | None = None,
        errors: Sequence[ProblemItem] | None = None,
        headers: dict[str, str] | None = None,
        last_seq: int | None = None,
    ) -> None:
        super().__init__(detail)
        self.last_seq = last_seq
        self.status = status
        self.detail = detail
        self.type = type_
        self.title = title or HTTPStatus(status).phrase
        self.errors = list(errors) if errors is not None else None
        self.headers = headers


_FIELD_SEGMENT = re.compile(r"[a-z_][a-z0-9_]{0,63}(\[\d+\])*|\d+|column \d+")


def field_shown(field: str) -> str:
    """The field path, with any segment that is not a plain field name masked: an unknown
    key is the client's text, and a careless one may be a person's name."""
    return ".".join(
        segment if _FIELD_SEGMENT.fullmatch(segment) else "(unknown key)"
        for segment in field.split(".")
    )


def invalid_request(problems: Sequence[InputProblem | ProblemItem]) -> ProblemError:
    """The 422 for a request that cannot be solved as sent; nothing was stored."""
    items = [
        p if isinstance(p, ProblemItem) else ProblemItem.model_validate(p.model_dump())
        for p in problems
    ]
    items = [item.model_copy(update={"field": field_shown(item.field)}) for item in items]
    count = len(items)
    return ProblemError(
        422,
        f"{count} problem{'s' if count != 1 else ''} in the request; nothing was solved or stored.",
        type_=INVALID_REQUEST_TYPE,
        title="Invalid exchange request",
        errors=items,
    )


def not_found(what: str, id_: str | None = None) -> ProblemError:
    """404, the same for what does not exist and for what the caller may not see.

    The id is not repeated: a path is the client's text, and may hold anything.
    """
    return ProblemError(404, f"No such {what}, or not one this key may see.")


def unauthorized(detail: str) -> ProblemError:
    return ProblemError(
        401,
        detail,
        type_=UNAUTHORIZED_TYPE,
        headers={"WWW-Authenticate": WWW_AUTHENTICATE},
    )


def cross_site_refused() -> ProblemError:
    """403 for a browser request a page of another site sent, in open access."""
    return ProblemError(
        403,
        "No API keys are configured, so this service does not answer requests that a web "
        "page of another site makes the browser send. Use the service's own pages, /docs, "
        "curl or the command line, or configure an API key.",
        type_=CROSS_SITE_TYPE,
    )


def rate_limited(retry_after_s: int) -> ProblemError:
    return ProblemError(
        429,
        "This API key has made too many requests; retry after the given seconds.",
        type_=RATE_LIMITED_TYPE,
        title="Too Many Requests",
        headers={"Retry-After": str(retry_after_s)},
    )


def case_conflict(detail: str) -> ProblemError:
    """409: the case is not in a state where this can be done (lists missing, published)."""
    return ProblemError(409, detail, type_=CONFLICT_TYPE, title="Conflict")


def instance_of_request() -> str | None:
    """The problem's `instance`: the request id, which the logs carry too (never the URL)."""
    request_id = request_id_var.get()
    return f"urn:x-request-id:{request_id}" if request_id is not None else None


def problem_response(request: Request | None, problem: ProblemError) -> JSONResponse:
    body = Problem(
        type=problem.type,
        title=problem.title,
        status=problem.status,
        detail=problem.detail,
        instance=instance_of_request(),
        errors=problem.errors,
        last_seq=problem.last_seq,
    )
    return JSONResponse(
        body.document(),
        status_code=problem.status,
        headers=problem.headers,
        media_type=PROBLEM_JSON,
    )


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries documenting problem+json bodies for these statuses."""
    return {
        status: {
            "description": HTTPStatus(status).phrase,
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }


def install_problem_handlers(app: FastAPI) -> None:
    """Route every error the service can raise to a problem+json response."""

    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ProblemError)
        return problem_response(request, exc)

    async def on_invalid_request(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, InvalidRequest)
        return problem_response(request, invalid_request(exc.problems))

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        # Query, path and form parameters: keep the location and the reason, drop `input`.
        assert isinstance(exc, RequestValidationError)
        items = [_parameter_problem(error) for error in exc.errors()]
        return problem_response(request, invalid_request(items))

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        detail = exc.detail if isinstance(exc.detail, str) else None
        headers = dict(exc.headers) if exc.headers else None
        if exc.status_code == 405:
            # The router names the methods of the first route with this path only; a path
            # served by several routes (GET and DELETE, say) allows all of theirs.
            headers = {**(headers or {}), "Allow": ", ".join(_allowed_methods(request))}
        return problem_response(
            request, ProblemError(exc.status_code, detail or "", headers=headers)
        )

    async def on_queue_full(request: Request, exc: Exception) -> JSONResponse:
        retry_after = str(request.app.state.settings.retry_after_s)
        return problem_response(
            request,
            ProblemError(
                503,
                "Every solver is busy and the queue is full; retry after the given seconds.",
                type_=SOLVER_BUSY_TYPE,
                title="Solver busy",
                headers={"Retry-After": retry_after},
            ),
        )

    app.add_exception_handler(ProblemError, on_problem)
    app.add_exception_handler(InvalidRequest, on_invalid_request)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(QueueFullError, on_queue_full)


class UnexpectedErrorMiddleware:
    """Answers a bug with a bare 500 problem, and logs where it happened but not its text.

    The message of an arbitrary exception may quote request data (a name, say), so neither
    the response nor the log carries it; the traceback's frames are enough to find the bug.
    Left to the server, the exception would be logged with its message.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            frames = "".join(traceback.format_tb(exc.__traceback__))
            route = route_template(scope)
            logger.error(
                "unhandled %s on %s %s\n%s", type(exc).__name__, scope.get("method"), route, frames
            )
            if started:
                return
            body = Problem(
                title="Internal Server Error",
                status=500,
                detail="An unexpected error occurred.",
                instance=instance_of_request(),
            )
            response = JSONResponse(body.document(), status_code=500, media_type=PROBLEM_JSON)
            await response(scope, receive, send)


def _allowed_methods(request: Request) -> list[str]:
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches({**request.scope, "method": "GET"})
        route_methods = getattr(route, "methods", None)
        if match != Match.NONE and route_methods:
            methods.update(route_methods)
    return sorted(methods)


def _parameter_problem(error: Any) -> ProblemItem:
    loc = [str(part) for part in error.get("loc", ())]
    return ProblemItem(
        side=None,
        id=None,
        field=".".join(loc) or "request",
        rule=str(error.get("type", "invalid_value")),
        message=str(error.get("msg", "is not valid")),
    )
