"""Reading a repair request: the exchange request, the agreed plan, the events, how to
repair; every problem named at once, as for a plain request.

The exchange request part is read by `parse_request`, so its problems read exactly as
they do for a solve. The plan, the events and the repair settings are read by their own
models; a bad entry is located by its path ("events[3].reason", "plan.stages[0].side_a[2]")
with the side and id of the event when they can be read. Then the plan and the events are
applied (`solver.events`), which names what cannot be applied. No value of a free-text
or personal field is ever quoted back.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from solver.events import DayOfExchange, apply_events
from solver.input_errors import (
    InputProblem,
    InvalidRequest,
    parse_request,
    parser_problem,
    readable_id,
    unreadable_json,
)
from solver.schema import AgreedPlanInput, Event, ExchangeRequest, RepairRequest, RepairSettings

REPAIR_PARTS = ("plan", "events", "repair")
_EVENT_TYPES = frozenset({"dropout", "stage_executed", "add", "update"})


class _RepairParts(BaseModel):
    """What a repair request adds to an exchange request."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    plan: AgreedPlanInput
    events: list[Event] = Field(default_factory=list)
    repair: RepairSettings = Field(default_factory=RepairSettings)


def parse_repair_request(raw: bytes | str | Mapping[str, object]) -> RepairRequest:
    """Read and check a repair request; raise `InvalidRequest` naming every problem.

    The plan and the events are also applied, so a request that passes can be repaired.
    """
    request, _ = read_repair_request(raw)
    return request


def read_repair_request(
    raw: bytes | str | Mapping[str, object],
) -> tuple[RepairRequest, DayOfExchange]:
    """`parse_repair_request`, also giving the day the events make (see `apply_events`)."""
    document = _document(raw)
    base = {key: value for key, value in document.items() if key not in REPAIR_PARTS}
    parts = {key: document[key] for key in REPAIR_PARTS if key in document}
    problems: list[InputProblem] = []
    exchange: ExchangeRequest | None = None
    try:
        exchange = parse_request(base)
    except InvalidRequest as error:
        problems.extend(error.problems)
    read: _RepairParts | None = None
    try:
        read = _RepairParts.model_validate(parts)
    except ValidationError as error:
        problems.extend(_part_problem(detail, parts) for detail in _details(error))
    if problems:
        raise InvalidRequest(problems)
    assert exchange is not None
    assert read is not None
    request = RepairRequest(
        terms=exchange.terms,
        side_a=exchange.side_a,
        side_b=exchange.side_b,
        options=exchange.options,
        plan=read.plan,
        events=read.events,
        repair=read.repair,
    )
    return request, apply_events(request)


def repair_request_of(
    request: ExchangeRequest, plan: object, events: Sequence[object], settings: object = None
) -> RepairRequest:
    """A repair request from an exchange request already read and raw plan, events and
    settings (the command line's three files); `InvalidRequest` names every problem."""
    parts: dict[str, object] = {"plan": plan, "events": list(events)}
    if settings is not None:
        parts["repair"] = settings
    try:
        read = _RepairParts.model_validate(parts)
    except ValidationError as error:
        raise InvalidRequest([_part_problem(d, parts) for d in _details(error)]) from None
    repair = RepairRequest(
        terms=request.terms,
        side_a=request.side_a,
        side_b=request.side_b,
        options=request.options,
        plan=read.plan,
        events=read.events,
        repair=read.repair,
    )
    apply_events(repair)
    return repair


def _document(raw: bytes | str | Mapping[str, object]) -> dict[str, object]:
    if isinstance(raw, Mapping):
        return dict(raw)
    try:
        document = json.loads(raw)
    except ValueError as error:
        raise InvalidRequest([unreadable_json(error)]) from None
    if not isinstance(document, dict):
        raise InvalidRequest(
            [
                InputProblem(
                    side=None,
                    id=None,
                    field="request",
                    rule="wrong_type",
                    message="must be a JSON object",
                )
            ]
        )
    return document


def _details(error: ValidationError) -> list[Any]:
    return error.errors(include_url=False, include_input=True)


def _part_problem(detail: Any, parts: Mapping[str, object]) -> InputProblem:
    """A parser error in the plan, events or settings, located by its path."""
    loc = tuple(detail["loc"])
    side, detainee_id = _event_subject(parts, loc)
    where = _path(loc)
    if detail["type"] in ("union_tag_not_found", "union_tag_invalid"):
        return InputProblem(
            side=side,
            id=detainee_id,
            field=f"{where}.type",
            rule="invalid_value" if detail["type"] == "union_tag_invalid" else "missing_field",
            message="must name the event's kind: dropout, stage_executed, add or update",
        )
    return parser_problem(detail, side, detainee_id, where)


def _path(loc: tuple[str | int, ...]) -> str:
    """('events', 2, 'dropout', 'reason') -> 'events[2].reason' (the event kind dropped)."""
    path = ""
    for k, part in enumerate(loc):
        if isinstance(part, int):
            path += f"[{part}]"
        elif k == 2 and loc[0] == "events" and part in _EVENT_TYPES:
            continue  # the kind of event pydantic tried, not a field of the request
        else:
            path += ("." if path else "") + part
    return path or "request"


def _event_subject(
    parts: Mapping[str, object], loc: tuple[str | int, ...]
) -> tuple[str | None, str | None]:
    """The side and id an event is about, when they can be read from it."""
    if len(loc) < 2 or loc[0] != "events" or not isinstance(loc[1], int):
        return None, None
    events = parts.get("events")
    if not isinstance(events, list) or not 0 <= loc[1] < len(events):
        return None, None
    event = events[loc[1]]
    if not isinstance(event, dict):
        return None, None
    side = event.get("side") if event.get("side") in ("side_a", "side_b") else None
    detainee = event.get("detainee")
    pid = (
        event.get("id")
        if "id" in event
        else (detainee.get("id") if isinstance(detainee, dict) else None)
    )
    return side if isinstance(side, str) else None, readable_id(pid)
