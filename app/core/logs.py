"""Structured logs: one JSON object per line, with the id of the request being served.

What may be logged is ids (cases, plans, jobs, keys, requests), counts, route templates
and status codes; never a name, a birth date, a list, a raw URL or an exception's message
(which may quote any of these). Uvicorn's own access log writes raw URLs, so it is
switched off and replaced by one `request` line per request (see `app.core.middleware`).
"""

from __future__ import annotations

import json
import logging
import re
import sys
import traceback
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Literal

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

# Fields a log call may add with `extra=`; anything else a record carries is left out.
LOGGED_FIELDS = (
    "event",
    "method",
    "route",
    "status",
    "duration_ms",
    "case_id",
    "plan_id",
    "job_id",
    "key_id",
    "role",
    "side",
    "count",
)
_OURS = "_exchange_planner_handler"
_REQUEST_ID = re.compile(r"[0-9A-Fa-f][0-9A-Fa-f-]{7,63}")


def request_id_from(header: str | None) -> str:
    """The caller's X-Request-ID when it is a UUID or hex token, else a new UUID.

    Only hex digits and dashes are taken, so a request id can never carry a name into
    the logs.
    """
    if header is not None and _REQUEST_ID.fullmatch(header):
        return header
    return str(uuid.uuid4())


def exception_summary(exc_info: Any) -> str:
    """`TypeName` and the frames where it happened, without the message (it may hold data)."""
    kind, _value, tb = exc_info
    frames = traceback.extract_tb(tb)
    places = [
        f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno} in {frame.name}" for frame in frames
    ]
    name = kind.__name__ if isinstance(kind, type) else "Exception"
    return name + ("" if not places else " at " + " < ".join(reversed(places[-8:])))


class JsonFormatter(logging.Formatter):
    """`{"time", "level", "logger", "message", "request_id", ...}` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        document: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or request_id_var.get()
        if request_id is not None:
            document["request_id"] = request_id
        for name in LOGGED_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                document[name] = value
        if record.exc_info:
            document["exception"] = exception_summary(record.exc_info)
        return json.dumps(document, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """A human-readable line; exceptions shown like the JSON ones, without their message."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        exc_info, record.exc_info, record.exc_text = record.exc_info, None, None
        try:
            line = super().format(record)
        finally:
            record.exc_info = exc_info
        request_id = request_id_var.get()
        if request_id is not None:
            line += f" request_id={request_id}"
        if exc_info:
            line += " exception=" + exception_summary(exc_info)
        return line


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stderr` is at the time (test runners swap it)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def configure_logging(log_format: Literal["json", "text"], level: str) -> None:
    """One handler on the root logger; uvicorn's loggers write through it, its access log
    is off. Calling it again replaces the handler (tests build many apps)."""
    handler = _StderrHandler()
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    setattr(handler, _OURS, True)
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _OURS, False)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers = []
        uvicorn_logger.propagate = True
    access = logging.getLogger("uvicorn.access")
    access.handlers = []
    access.propagate = False
    access.disabled = True
