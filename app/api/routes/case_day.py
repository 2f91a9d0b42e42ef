"""The day of the exchange on a negotiation case: events, repairs, published versions.

The mediator records what happens against the published plan (`POST .../events`), takes
back the last event when it was recorded by mistake (`DELETE .../events/{seq}`), then asks
for a repaired draft from the published plan and every recorded event
(`POST .../repair`); publishing that draft makes it the plan, and every publication
stays readable under its number (`GET .../plan/versions`). A party sees the events of
its own side and every published version, as it sees the published plan. Every event,
read of the events and repair is audited; an executed stage's people go into the
registry (`app.api.routes.registry`). The work is done by `app.exchange_day`, which the
day's page calls too.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from app.access import party_route
from app.api.deps import (
    MAX_QUERY_NUMBER,
    AuditDep,
    CallerDep,
    CaseDayDep,
    CasesDep,
    SettingsDep,
    case_for_caller,
)
from app.api.openapi import json_body
from app.api.routes.cases import CaseId
from app.api.stored_plans import plan_json_with_id, stored_plan_response
from app.case_documents import party_plan_document
from app.event_store import RecordedEvent
from app.examples import CASE_EVENTS_EXAMPLES, CASE_REPAIR_EXAMPLES
from app.problems import not_found, problem_responses
from app.schemas import (
    AnyStoredPlan,
    EventList,
    EventsBody,
    PublicationList,
    PublicationView,
    RecordedEventView,
    StoredRepairedPlan,
)
from solver.schema import RepairSettings

router = APIRouter(prefix="/cases", tags=["cases"])

Version = Annotated[
    int,
    Path(
        ge=1,
        le=MAX_QUERY_NUMBER,
        description="The publication's number, from 1.",
        openapi_examples={"first": {"value": 1}},
    ),
]
Seq = Annotated[
    int,
    Path(
        ge=1,
        le=MAX_QUERY_NUMBER,
        description="The event's number in the case, from 1.",
        openapi_examples={"second": {"value": 2}},
    ),
]


def event_view(event: RecordedEvent, shown: dict[str, Any] | None = None) -> RecordedEventView:
    return RecordedEventView(
        seq=event.seq,
        recorded_at=event.recorded_at,
        plan_id=event.plan_id,
        event=shown if shown is not None else json.loads(event.event_json),
        taken_back_at=event.taken_back_at,
    )


@router.post(
    "/{case_id}/events",
    status_code=201,
    response_model=EventList,
    summary="Record events of the day against the published plan",
    openapi_extra=json_body(EventsBody, CASE_EVENTS_EXAMPLES),
    responses=problem_responses(404, 409, 422),
)
async def record_events(
    request: Request, case_id: CaseId, caller: CallerDep, day: CaseDayDep
) -> EventList:
    """`{"events": [...]}`, applied in order after the events recorded before, to the
    published plan. An event that cannot be applied (unknown id or stage, a stage
    executed twice or out of order, someone handed over twice) is a 422 naming it by its
    place in the body, and nothing is recorded. An executed stage is recorded with who
    crossed written out (as agreed, less dropouts, for a side it leaves out), and its
    people go into the registry."""
    await run_in_threadpool(case_for_caller, request, case_id, caller)
    stored = await day.record(case_id, caller, await request.body())
    return EventList(items=[event_view(e) for e in stored])


@router.get(
    "/{case_id}/events",
    response_model=EventList,
    summary="The events recorded on a case, in order (a party: those of its own side)",
    responses=problem_responses(404),
)
@party_route
async def list_events(
    request: Request,
    case_id: CaseId,
    caller: CallerDep,
    day: CaseDayDep,
    taken_back: Annotated[
        bool,
        Query(description="Also list the events taken back, in their place (`taken_back_at`)."),
    ] = False,
) -> EventList:
    """The events in force: those every check and repair uses. A party sees its own
    side's dropouts, additions and updates, and every executed stage with its own side's
    people."""
    await run_in_threadpool(case_for_caller, request, case_id, caller)
    visible = await day.visible_events(case_id, caller, taken_back=taken_back)
    return EventList(items=[event_view(item.recorded, item.event) for item in visible])


@router.delete(
    "/{case_id}/events/{seq}",
    response_model=RecordedEventView,
    summary="Take back the case's last event in force (an event recorded by mistake)",
    responses=problem_responses(404, 409),
)
async def take_back_event(
    request: Request, case_id: CaseId, seq: Seq, caller: CallerDep, day: CaseDayDep
) -> RecordedEventView:
    """Only the last event still in force can be taken back, since every later event was
    checked against it; take them back one by one, last first. Any other is a 409 naming
    the rule (`not_last_event`, `already_taken_back`) and the last event's seq
    (`last_seq`), and nothing changes. Taking back an executed stage removes its people
    from the registry. The event stays in the history (`GET .../events?taken_back=true`),
    its number is never given again; published plans are not changed, and a draft
    repaired before stays as it was: repairing again uses the events as they now stand."""
    await run_in_threadpool(case_for_caller, request, case_id, caller)
    return event_view(await day.take_back(case_id, caller, seq))


@router.post(
    "/{case_id}/repair",
    status_code=201,
    response_model=StoredRepairedPlan,
    summary="Repair the published plan after every recorded event: a new draft of the case",
    openapi_extra=json_body(RepairSettings, CASE_REPAIR_EXAMPLES),
    responses={
        201: {"headers": {"Location": {"description": "The repaired draft, as a stored plan."}}},
        **problem_responses(404, 409, 422, 500, 503),
    },
)
async def repair_case(
    request: Request,
    case_id: CaseId,
    caller: CallerDep,
    day: CaseDayDep,
    settings: SettingsDep,
) -> Response:
    """The published plan is the agreed one; every recorded event is applied in order;
    people the registry holds as handed over from their side in another case are not
    released again. The body, optional, says how: `{"policy": ..., "options": K,
    "choose": N}` (N: the ranked option to store instead of the best). The repaired plan
    is stored as a draft of the case (see /drafts): publish it to make it the plan; the
    earlier one stays readable under its number."""
    await run_in_threadpool(case_for_caller, request, case_id, caller)
    record = await day.repair(case_id, caller, await request.body())
    location = f"{settings.api_prefix}/plans/{record.id}"
    return stored_plan_response(record, 201, {"Location": location})


@router.get(
    "/{case_id}/plan/versions",
    response_model=PublicationList,
    summary="Every plan published for a case, numbered; the highest number is the plan",
    responses=problem_responses(404),
)
@party_route
def list_versions(
    request: Request, case_id: CaseId, caller: CallerDep, cases: CasesDep
) -> PublicationList:
    case_for_caller(request, case_id, caller)
    found = cases.publications(case_id)
    last = found[-1].version if found else None
    return PublicationList(
        items=[
            PublicationView(
                version=p.version,
                plan_id=p.plan_id,
                published_at=p.published_at,
                current=p.version == last,
            )
            for p in found
        ]
    )


@router.get(
    "/{case_id}/plan/versions/{version}",
    response_model=AnyStoredPlan,
    summary="A published plan by its number (a party sees only its own side's reasons)",
    responses=problem_responses(404),
)
@party_route
async def read_version(
    request: Request,
    case_id: CaseId,
    version: Version,
    caller: CallerDep,
    cases: CasesDep,
    audit: AuditDep,
) -> Response:
    await run_in_threadpool(case_for_caller, request, case_id, caller)
    record = await run_in_threadpool(cases.published_version, case_id, version)
    if record is None:
        raise not_found("published version")
    await run_in_threadpool(audit.append, "plan_read", caller, case_id=case_id, object_id=record.id)
    if caller.is_mediator:
        return Response(plan_json_with_id(record), media_type="application/json")
    document = party_plan_document(record, caller.role)
    return Response(
        json.dumps(document, ensure_ascii=False, separators=(",", ":")),
        media_type="application/json",
    )
