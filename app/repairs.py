"""The day of the exchange on the service: repair bodies read, case repairs assembled
from the published plan and the recorded events, new events checked before they are
recorded, and the registry of people handed over applied to a case's requests.

A case's repair starts from the plan published last and the request it was made from
(for a plan that was itself a repair, the request before its events), with every event
recorded on the case, in order: events already taken into account apply again the same
way, since each executed stage is recorded with who crossed, written out.

These functions run through `app.core.offload` (a long list is parsed in a helper
process) or in the threadpool; an unusable body raises `InvalidRequest` (a 422).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from pydantic import TypeAdapter

from app.core.config import Settings
from app.dispatch import SolveOrder
from app.event_store import NewEvent, RecordedEvent
from app.registry_store import REGISTRY_REASON, HandedOverBySide, hold_back_on_the_day
from app.request_bodies import json_object_of, within_service_limits
from solver.input_errors import InputProblem, InvalidRequest
from solver.repair_request import REPAIR_PARTS, read_repair_request
from solver.schema import Event, HandedOver, RepairRequest, RepairSettings, StageExecuted

_EVENT: TypeAdapter[Any] = TypeAdapter(Event)


def repair_intake(body: bytes, settings: Settings) -> SolveOrder:
    """A repair body (request, agreed plan, events, settings) read and checked, with the
    service's limits applied, ready for a worker. Nothing is stored."""
    request, _ = read_repair_request(json_object_of(body))
    return _order(request, settings)


def base_document(request_json: str) -> dict[str, Any]:
    """The exchange request a stored plan was made from; for a repaired plan, the
    request before its events."""
    document: dict[str, Any] = json.loads(request_json)
    for part in REPAIR_PARTS:
        document.pop(part, None)
    return document


def case_repair_order(
    published_request_json: str,
    published_plan_json: str,
    recorded: Sequence[RecordedEvent],
    handed: HandedOverBySide,
    settings_body: bytes,
    settings: Settings,
) -> SolveOrder:
    """The repair of a case: its published plan as agreed, every recorded event, the
    registry applied (with the last word: `hold_back_on_the_day`), the body's settings
    (`{"policy": ..., "options": K}`, or empty)."""
    repair_settings = _settings_of(settings_body)
    document = base_document(published_request_json)
    document["plan"] = json.loads(published_plan_json)
    document["events"] = [json.loads(event.event_json) for event in recorded]
    hold_back_on_the_day(document, handed)
    document["repair"] = repair_settings.model_dump()
    request, _ = read_repair_request(document)
    return _order(request, settings)


def checked_events(
    published_request_json: str,
    published_plan_json: str,
    recorded: Sequence[RecordedEvent],
    body: bytes,
) -> list[NewEvent]:
    """The body's events (`{"events": [...]}`), read and applied after the recorded ones
    to the published plan; a problem names the event by its place in the body.

    An executed stage comes back with who crossed written out (as agreed, less dropouts,
    for a side the event leaves out), which is what is recorded and goes to the registry.
    """
    document = json_object_of(body)
    new = document.get("events")
    unknown = sorted(key for key in document if key != "events")
    if not isinstance(new, list) or not new or unknown:
        raise InvalidRequest([_events_problem(new, unknown)])
    base = base_document(published_request_json)
    everything = [json.loads(event.event_json) for event in recorded] + new
    try:
        request, day = read_repair_request(
            {**base, "plan": json.loads(published_plan_json), "events": everything}
        )
    except InvalidRequest as error:
        raise InvalidRequest([_renumbered(p, len(recorded)) for p in error.problems]) from None
    executed_before = sum(1 for event in recorded if event.type == "stage_executed")
    stages = iter(day.executed[executed_before:])
    found: list[NewEvent] = []
    for event in request.events[len(recorded) :]:
        if isinstance(event, StageExecuted):
            stage = next(stages)
            crossed = {side.value: list(ids) for side, ids in stage.handed_over.items()}
            written = StageExecuted(
                type="stage_executed",
                number=stage.number,
                handed_over=HandedOver.model_validate(crossed),
            )
            found.append(
                NewEvent("stage_executed", None, written.model_dump_json(), stage.number, crossed)
            )
        else:
            found.append(
                NewEvent(event.type, event.side.value, event.model_dump_json(exclude_unset=True))
            )
    return found


def plan_reads_with(
    request_json: str, plan_json: str, events: Sequence[RecordedEvent]
) -> list[InputProblem]:
    """What keeps a case's plan (and the request it was made from) from reading with these
    events, as `checked_events` reads them; empty when it reads. A published plan that
    does not read with the events in force leaves a case where nothing more can be
    recorded or repaired, so neither a take-back nor a publication may lead there."""
    document = {
        **base_document(request_json),
        "plan": json.loads(plan_json),
        "events": [json.loads(event.event_json) for event in events],
    }
    try:
        read_repair_request(document)
    except InvalidRequest as error:
        return list(error.problems)
    return []


def made_with_events_taken_back(draft_request_json: str, in_force: Sequence[RecordedEvent]) -> bool:
    """Whether a repaired draft was made with events no longer in force: the case's
    events it was made with (the registry's hold-backs left out, `case_repair_order`
    adds them) are not the first of those now in force, in order."""
    made_with = json.loads(draft_request_json).get("events") or []
    draft = [_normal(event) for event in made_with if not _registry_hold_back(event)]
    now = [json.loads(event.event_json) for event in in_force]
    kept = [_normal(event) for event in now if not _registry_hold_back(event)]
    return draft != kept[: len(draft)]


def _normal(event: Any) -> dict[str, Any]:
    """An event as read, every field written out, so that two writings of it compare."""
    read: dict[str, Any] = _EVENT.validate_python(event).model_dump(mode="json")
    return read


def _registry_hold_back(event: Any) -> bool:
    fields = event.get("fields") if isinstance(event, dict) else None
    return (
        isinstance(fields, dict)
        and event.get("type") == "update"
        and fields.get("ineligible_reason") == REGISTRY_REASON
    )


def party_view(event_json: str, side: str) -> dict[str, Any] | None:
    """An event as a party sees it: its own side's events, and executed stages with its
    own side's people only; None for the other side's events."""
    event: dict[str, Any] = json.loads(event_json)
    if event.get("type") == "stage_executed":
        crossed = event.get("handed_over") or {}
        event["handed_over"] = {side: crossed.get(side, [])}
        return event
    return event if event.get("side") == side else None


def _order(request: RepairRequest, settings: Settings) -> SolveOrder:
    limited = within_service_limits(request, settings)
    assert isinstance(limited, RepairRequest)
    return SolveOrder.of_repair(limited)


def _settings_of(body: bytes) -> RepairSettings:
    if not body.strip():
        return RepairSettings()
    try:
        return RepairSettings.model_validate_json(body)
    except ValueError:
        raise InvalidRequest(
            [
                InputProblem(
                    side=None,
                    id=None,
                    field="repair",
                    rule="invalid_value",
                    message='must be {"policy": "priorities_first" or "fewest_changes_first", '
                    '"options": 0 to 10, "choose": 1 to 10}, or empty',
                )
            ]
        ) from None


_EVENT_INDEX = re.compile(r"^events\[(\d+)\]")


def _renumbered(problem: InputProblem, recorded: int) -> InputProblem:
    """A problem's event index as the body counts it; recorded events are named so."""
    match = _EVENT_INDEX.match(problem.field)
    if match is None:
        return problem
    index = int(match.group(1))
    where = f"events[{index - recorded}]" if index >= recorded else f"recorded_events[{index}]"
    return problem.model_copy(update={"field": where + problem.field[match.end() :]})


def _events_problem(new: object, unknown: list[str]) -> InputProblem:
    if unknown:
        return InputProblem(
            side=None,
            id=None,
            field="request",
            rule="unknown_field",
            message=("only `events` may be sent"),
        )
    return InputProblem(
        side=None,
        id=None,
        field="events",
        rule="missing_field" if new is None else "wrong_type",
        message="must be a non-empty list of events",
    )
