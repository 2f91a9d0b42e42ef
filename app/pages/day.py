"""Screen 8, the day of the exchange: record what happens against the published plan,
take back the last event when it was recorded by mistake (after a confirmation step),
repair it, see what changed, publish the repaired plan; and a party's view of its own
side's events and of every published version.

Every step is `app.exchange_day.CaseDay`, which `/v1/cases/{id}/events` (and
`DELETE .../events/{seq}`) and `/v1/cases/{id}/repair` call too: the forms become the
same bodies, checked by the same code, audited once. A party reaches only its own case,
and of the day only what the API shows it: its own side's events and the published
versions (404 for the rest).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Path, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from app.api.routes.cases import PUBLISHABLE
from app.api.routes.plans import plan_summary
from app.case_store import CaseStore
from app.core.security import Caller
from app.exchange_day import CaseDay
from app.models import CaseRecord, PlanRecord
from app.pages.cases import case_context
from app.pages.deps import Mediator, PageCaller, PageCase
from app.pages.event_forms import (
    DROPOUT_REASONS,
    EventForm,
    blank_forms,
    event_of,
    form_field,
)
from app.pages.plan_view import plan_documents
from app.pages.plans import TableFilters, plan_response, publish_draft
from app.pages.rendering import is_htmx, page_path, render
from app.pages.repair_view import chosen_rank, option_views, repair_settings, stage_views
from app.pages.routing import PageRoute, form_of
from app.problems import ProblemError, ProblemItem, invalid_request, not_found
from solver.input_errors import InvalidRequest
from solver.schema import RepairedPlan

router = APIRouter(route_class=PageRoute)

OPTION_COUNTS = (0, 2, 3, 5)
Version = Annotated[int, Path(ge=1, le=1_000_000)]


@dataclass(frozen=True)
class TakeBackStep:
    """Where the mediator is in taking back the last event: asked to confirm taking back
    `confirm`, just took back `done`, or was refused (`refused_last`: the last event in
    force then, 0 for none; `refused_rule`: the rule named); `kept` after choosing to keep
    it (the focus goes back to the button)."""

    confirm: int = 0
    done: int = 0
    refused: bool = False
    refused_last: int = 0
    refused_rule: str = ""
    kept: bool = False


def _number(text: str) -> int:
    """A query's positive whole number, 0 for anything else: ASCII digits only, since
    `"²".isdigit()` holds and `int("²")` raises."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else 0


async def _next_stage(
    day: CaseDay, case_id: str, executed: int, stages: int
) -> tuple[int | None, dict[str, list[str]]]:
    """The next stage to execute and who crosses in it unless told otherwise: the check's
    own default (as agreed, less dropouts), asked of it without recording anything."""
    number = executed + 1
    if number > stages:
        return None, {}
    body = json.dumps({"events": [{"type": "stage_executed", "number": number}]})
    try:
        (event,) = await day.check(case_id, body.encode("utf-8"))
    except (InvalidRequest, ProblemError) as error:
        if _input_problems(error) is None:
            raise
        return None, {}
    return number, {side: list(ids) for side, ids in (event.crossed or {}).items()}


def _input_problems(error: InvalidRequest | ProblemError) -> list[ProblemItem] | None:
    """What is wrong with the events or settings sent (a 422), each named as the API
    names it; None for any other problem (409, 503...), which is answered as a page."""
    if isinstance(error, InvalidRequest):
        return invalid_request(error.problems).errors or []
    return error.errors or [] if error.status == 422 else None


async def _render_day(
    request: Request,
    case: CaseRecord,
    caller: Caller,
    *,
    forms: dict[str, EventForm] | None = None,
    problems: list[ProblemItem] | None = None,
    problem_kind: str | None = None,
    recorded: int = 0,
    take_back: TakeBackStep | None = None,
    fragment: bool | None = None,
    status_code: int = 200,
) -> Response:
    """The day's page (or, for htmx, its working part): the plan in force, the events,
    the forms, the repairs and the published versions."""
    day = CaseDay.of(request.app.state)
    cases: CaseStore = request.app.state.cases
    published = await run_in_threadpool(cases.published, case.id)
    events = await day.visible_events(case.id, caller)
    publications = await run_in_threadpool(cases.publications, case.id)
    context: dict[str, object] = {
        **case_context(request, case, caller, "day_page"),
        "published": published,
        "events": events,
        "publications": publications,
        "reasons": DROPOUT_REASONS,
        "recorded": recorded,
        "problems": problems,
        "problem_side": None,
        "problem_kind": problem_kind,
        "take_back": take_back or TakeBackStep(),
    }
    if caller.is_mediator and published is not None:
        executed = [e for e in events if e.event["type"] == "stage_executed"]
        stages = json.loads(published.plan_json).get("stages") or []
        number, crossed = await _next_stage(day, case.id, len(executed), len(stages))
        found = blank_forms(number, crossed)
        found.update(forms or {})
        listings = await run_in_threadpool(cases.drafts, case.id)
        context.update(
            {
                "stages": stages,
                "executed": {e.event["number"] for e in executed},
                "next_stage": number,
                "forms": found,
                "repairs": [plan_summary(d) for d in listings if d.source == "repair"],
                "option_counts": OPTION_COUNTS,
            }
        )
    if fragment is None:
        fragment = is_htmx(request) and request.method == "POST"
    if caller.is_mediator and fragment:
        return render(request, "fragments/day_work.html", context, status_code=status_code)
    return render(request, "day.html", context, status_code=status_code)


@router.get("/cases/{case_id}/day", name="day_page")
async def day_page(request: Request, case: PageCase, caller: PageCaller) -> Response:
    query = request.query_params
    step = TakeBackStep(done=_number(query.get("taken_back", "")))
    return await _render_day(
        request, case, caller, recorded=_number(query.get("recorded", "")), take_back=step
    )


@router.get("/cases/{case_id}/day/take-back", name="take_back_day_event_confirm")
async def take_back_confirm(request: Request, case: PageCase, caller: Mediator) -> Response:
    """The confirmation step before taking back the last event (`?seq=N`), or, without a
    seq, the page as it was (the mediator kept the event). Nothing changes here: the
    confirmation's own form posts, with its CSRF token."""
    seq = _number(request.query_params.get("seq", ""))
    step = TakeBackStep(confirm=seq) if seq else TakeBackStep(kept=True)
    return await _render_day(request, case, caller, take_back=step, fragment=is_htmx(request))


@router.post("/cases/{case_id}/day/events/{seq}/take-back", name="take_back_day_event")
async def take_back_day_event(
    request: Request, case: PageCase, caller: Mediator, seq: Annotated[int, Path(ge=1, le=10**9)]
) -> Response:
    """Take back the last event, as `DELETE /v1/cases/{id}/events/{seq}` does; refused
    (nothing changed) when it is no longer the last in force."""
    day = CaseDay.of(request.app.state)
    try:
        await day.take_back(case.id, caller, seq)
    except ProblemError as error:
        if error.status != 409:
            raise
        rule = error.errors[0].rule if error.errors else ""
        step = TakeBackStep(refused=True, refused_last=error.last_seq or 0, refused_rule=rule)
        # htmx swaps no 409 (base.html's responseHandling): the refusal, said in the
        # working part it replaces, comes as a 200 to it.
        status = 200 if is_htmx(request) else 409
        return await _render_day(request, case, caller, take_back=step, status_code=status)
    if is_htmx(request):
        return await _render_day(request, case, caller, take_back=TakeBackStep(done=seq))
    target = page_path(request, "day_page", case_id=case.id)
    return RedirectResponse(f"{target}?taken_back={seq}#events", status_code=303)


@router.post("/cases/{case_id}/day/events", name="record_day_event")
async def record_day_event(request: Request, case: PageCase, caller: Mediator) -> Response:
    """One event from one of the day's forms, recorded as `POST .../events` records it."""
    form, event = event_of(await form_of(request))
    if event is None:
        return await _render_day(
            request, case, caller, forms={form.kind: form}, problem_kind=form.kind, status_code=422
        )
    day = CaseDay.of(request.app.state)
    body = json.dumps({"events": [event]}).encode("utf-8")
    try:
        stored = await day.record(case.id, caller, body)
    except (InvalidRequest, ProblemError) as error:
        items = _input_problems(error)
        if items is None:
            raise
        for item in items:
            name = form_field(item.field)
            if name is not None:
                form.problem_texts.setdefault(name, item.message)
        return await _render_day(
            request,
            case,
            caller,
            forms={form.kind: form},
            problems=items,
            problem_kind=form.kind,
            status_code=422,
        )
    seq = stored[-1].seq
    if is_htmx(request):
        return await _render_day(request, case, caller, recorded=seq)
    target = page_path(request, "day_page", case_id=case.id)
    return RedirectResponse(f"{target}?recorded={seq}#events", status_code=303)


@router.post("/cases/{case_id}/day/repair", name="repair_day")
async def repair_day(
    request: Request,
    case: PageCase,
    caller: Mediator,
    policy: Annotated[Literal["priorities_first", "fewest_changes_first"], Form()],
    options: Annotated[int, Form(ge=0, le=10)] = 0,
    choose: Annotated[int, Form(ge=1, le=10)] = 1,
) -> Response:
    """A repaired draft from the published plan and every event, as `POST .../repair`
    makes it; then its review page."""
    day = CaseDay.of(request.app.state)
    body = json.dumps({"policy": policy, "options": options, "choose": choose})
    try:
        record = await day.repair(case.id, caller, body.encode("utf-8"))
    except (InvalidRequest, ProblemError) as error:
        items = _input_problems(error)
        if items is None:
            raise
        return await _render_day(
            request, case, caller, problems=items, problem_kind="repair", status_code=422
        )
    target = page_path(request, "repair_page", case_id=case.id, plan_id=record.id)
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def _repair_of_case(cases: CaseStore, case_id: str, plan_id: str) -> PlanRecord:
    record = cases.plan_of_case(case_id, plan_id) if len(plan_id) <= 64 else None
    if record is None or record.source != "repair":
        raise not_found("repair")
    return record


@router.get("/cases/{case_id}/day/repairs/{plan_id}", name="repair_page")
async def repair_page(request: Request, case: PageCase, caller: Mediator, plan_id: str) -> Response:
    """A repaired draft before it is published: what changed, stage by stage, the chart,
    the ranked alternatives to choose from, and the publish button."""
    cases: CaseStore = request.app.state.cases
    record = await run_in_threadpool(_repair_of_case, cases, case.id, plan_id)
    documents = await run_in_threadpool(
        plan_documents, record.id, record.request_json, record.plan_json
    )
    plan = documents.plan
    assert isinstance(plan, RepairedPlan)
    published = await run_in_threadpool(cases.published, case.id)
    publications = await run_in_threadpool(cases.publications, case.id)
    settings = repair_settings(record.request_json)
    dropouts = [e for e in plan.not_released if e.reason == "dropout"]
    audit = request.app.state.audit
    await run_in_threadpool(audit.append, "plan_read", caller, case_id=case.id, object_id=record.id)
    context = {
        **case_context(request, case, caller, "day_page"),
        "record": record,
        "plan": plan,
        "settings": settings,
        "chosen": chosen_rank(plan),
        "stages": stage_views(plan),
        "options": option_views(plan),
        "dropouts": dropouts,
        "is_published": published is not None and published.id == record.id,
        "publishable": record.status in PUBLISHABLE,
        "just_published": request.query_params.get("published") == "1",
        "versions": [p.version for p in publications if p.plan_id == record.id],
    }
    return render(request, "repair.html", context)


@router.post("/cases/{case_id}/day/repairs/{plan_id}/publish", name="publish_repair")
async def publish_repair(
    request: Request, case: PageCase, caller: Mediator, plan_id: str
) -> Response:
    """The repaired draft becomes the plan, as POST /v1/cases/{id}/publish makes it; the
    earlier one stays readable under its number."""
    cases: CaseStore = request.app.state.cases
    await run_in_threadpool(_repair_of_case, cases, case.id, plan_id)
    record = await publish_draft(request, case, caller, plan_id)
    target = page_path(request, "repair_page", case_id=case.id, plan_id=record.id)
    return RedirectResponse(target + "?published=1", status_code=303)


@router.get("/cases/{case_id}/versions/{version}", name="version_page")
async def version_page(
    request: Request, case: PageCase, caller: PageCaller, version: Version
) -> Response:
    """A published version by its number, as GET .../plan/versions/{n} gives it: the
    mediator's plan page, or a party's view of it."""
    cases: CaseStore = request.app.state.cases
    record = await run_in_threadpool(cases.published_version, case.id, version)
    if record is None:
        raise not_found("published version")
    if caller.is_mediator:
        return RedirectResponse(
            page_path(request, "plan_page", case_id=case.id, plan_id=record.id), status_code=303
        )
    return await plan_response(request, case, caller, record, TableFilters())
