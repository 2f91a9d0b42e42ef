"""ASGI middleware that runs before any route: request ids and access lines, body size.

Both are plain ASGI (no `BaseHTTPMiddleware`), so a body streams through them untouched
except for being counted.
"""

from __future__ import annotations

import json
import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.logs import request_id_from, request_id_var
from app.core.metrics import route_template

logger = logging.getLogger("app.access")

PROBLEM_JSON = "application/problem+json"
BODY_TOO_LARGE_TYPE = "tag:exchange-planner,2025:problem:body-too-large"


class RequestContextMiddleware:
    """Gives each request an id (X-Request-ID, echoed back) and logs one line per request:
    method, route template, status and duration. Never the raw path or query."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        header = _header(scope, b"x-request-id")
        request_id = request_id_from(header)
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode("ascii")))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            logger.info(
                "request",
                extra={
                    "event": "request",
                    "method": str(scope.get("method", "")),
                    "route": route_template(scope),
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            request_id_var.reset(token)


class BodySizeLimitMiddleware:
    """Refuses a body over `max_bytes` with 413 before routing, authentication or parsing.

    A declared Content-Length over the limit is refused unread. Otherwise the body is read
    here, counted chunk by chunk as it arrives (chunked bodies included), and refused as
    soon as it passes the limit; a body within it is handed on whole. Handlers read the
    whole body anyway, so holding it here costs no extra memory.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared is not None and declared.strip().isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client is gone: nothing to answer
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(send)
                return
            if chunk:
                chunks.append(chunk)
            if not message.get("more_body", False):
                break
        whole: Message | None = {
            "type": "http.request",
            "body": b"".join(chunks),
            "more_body": False,
        }
        chunks.clear()

        async def replay() -> Message:
            nonlocal whole
            if whole is not None:
                message, whole = whole, None
                return message
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps(
            {
                "type": BODY_TOO_LARGE_TYPE,
                "title": "Content Too Large",
                "status": 413,
                "detail": f"The request body is larger than {self.max_bytes:,} bytes.",
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", PROBLEM_JSON.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None
