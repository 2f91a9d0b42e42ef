"""Screen 3, reconciliation: who is who between one side's list and the other side's
requests, before planning.

A mediator starts a run (whose list is held, the file of requests, an optional registry
of earlier rounds, and whether to search the service's own registry of people handed
over), watches its steps when it takes time, reads the outcome, works through the review
queue (both records side by side, the evidence per field in plain words, confirm or
reject from the keyboard) and applies the decisions to the held list.

Everything goes through `app.reconciliation.case_reconciliation`, as the API's routes do,
with the same audit lines. None of it is a party's (404): the queue shows both sides'
names. Names appear on these pages only, never in a URL (filters and pair ids are the
only query and path values), a log line or an error page.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Container, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from app.audit import AuditLog
from app.case_documents import case_view
from app.case_store import CaseStore
from app.core.security import Caller
from app.models import CaseRecord
from app.pages.cases import case_context
from app.pages.catalogue import Catalogue
from app.pages.deps import Mediator, PageCase
from app.pages.rendering import catalogue_of, is_htmx, page_path, render
from app.pages.routing import PageRoute, form_of
from app.party_lists import Side
from app.problems import ProblemError, ProblemItem, not_found
from app.reconciliation.case_reconciliation import (
    ONE_TO_ONE,
    STALE,
    Overview,
    apply_decisions,
    list_problems,
    overview,
    prepare_run,
    record_decision,
    review_queue,
    run_and_store,
)
from app.reconciliation.review import DecisionName, ReviewItem, waits_for_decision
from app.reconciliation.runs import ReconciliationRuns, RunInProgressError, RunState
from app.reconciliation.store import ReconciliationStore
from app.registry_store import RegistryStore
from reconciliation.languages import language_of
from reconciliation.linkage_model import AGREEING_LEVELS
from reconciliation.list_files import ListText, list_entries, records_of
from reconciliation.schema import IDENTITY_FIELDS, NAME_FIELDS, ListRole, ReconcileOptions
from reconciliation.steps import STEPS, StepReport

router = APIRouter(route_class=PageRoute)

PAIRS_PER_PAGE = 10
PEOPLE_SHOWN = 100
# A short run (a few hundred people) ends within this time: the page then goes straight
# to the outcome instead of showing a progress bar for a blink.
SHORT_RUN_S = 3.0
SIDES: tuple[Side, Side] = ("side_a", "side_b")

BandFilter = Literal["", "auto", "review"]
# `to_decide`: the pairs that wait for a person and are not decided (the default).
DecisionFilter = Literal["to_decide", "pending", "confirmed", "rejected", "all"]
# Compared fields that tell whether a pair agrees, beyond the levels `decisions` counts.
_ALSO_AGREEING = {"unit": frozenset({"exact", "similar"}), "birth_place": frozenset({"exact"})}


def _stores(request: Request) -> tuple[CaseStore, ReconciliationStore, AuditLog]:
    state = request.app.state
    return state.cases, state.reconciliations, state.audit


def _runs(request: Request) -> ReconciliationRuns:
    runs: ReconciliationRuns = request.app.state.reconciliation_runs
    return runs


# --------------------------------------------------------------------------- the outcome


@dataclass(frozen=True)
class Counts:
    """The outcome in numbers, for the summary."""

    auto: int
    review_pairs: int
    review_people: int
    unmatched: int
    duplicates: int
    already_exchanged: int
    confirmed: int
    rejected: int
    to_decide: int

    @classmethod
    def of(cls, found: Overview) -> Counts:
        result = found.reconciliation.result
        auto_requested = {m.requested_id for m in result.matches if m.band == "auto"}
        return cls(
            auto=len(auto_requested),
            review_pairs=sum(1 for m in result.matches if m.band == "review"),
            review_people=len(
                {m.requested_id for m in result.matches if m.band == "review"} - auto_requested
            ),
            unmatched=len(result.unmatched_requested),
            duplicates=len(result.held_duplicates),
            already_exchanged=len(result.already_exchanged),
            confirmed=sum(1 for item in found.items if item.decision == "confirmed"),
            rejected=sum(1 for item in found.items if item.decision == "rejected"),
            to_decide=found.reconciliation.pending_review,
        )


def _found(cases: CaseStore, reconciliations: ReconciliationStore, case_id: str) -> Overview | None:
    try:
        return overview(cases, reconciliations, case_id)
    except ProblemError as problem:
        if problem.status in (404, 409):  # none yet, or its held list is gone
            return None
        raise


async def _reconciliation_page(
    request: Request,
    case: CaseRecord,
    caller: Caller,
    problems: list[ProblemItem] | None = None,
    form: dict[str, Any] | None = None,
    busy: bool = False,
    status_code: int = 200,
    refused: str | None = None,
) -> Response:
    cases, reconciliations, _ = _stores(request)
    view = await run_in_threadpool(case_view, case, caller, cases)
    lists = {receipt.side: receipt for receipt in view.lists}
    run = await run_in_threadpool(_runs(request).state, case.id)
    found = None
    if run is None or not run.active:  # while a run goes, its outcome is not known yet
        found = await run_in_threadpool(_found, cases, reconciliations, case.id)
    held_side = found.reconciliation.held_side if found is not None else None
    chosen = (form or {}).get("held_side") or held_side or _default_side(lists)
    query = request.query_params
    context = {
        **case_context(request, case, caller, "reconciliation_page"),
        "lists": lists,
        "run": run,
        "run_steps": _step_text(catalogue_of(request), run) if run is not None else None,
        "announce": None,
        "found": found,
        "counts": Counts.of(found) if found is not None else None,
        "preview": found.preview if found is not None else None,
        "people_shown": PEOPLE_SHOWN,
        "problems": problems,
        "problem_side": None,
        "form": {"held_side": chosen, "use_registry": True, **(form or {})},
        "busy": busy,
        "refused": refused,
        "just_reconciled": query.get("reconciled") == "1" and found is not None,
        "just_failed": query.get("failed") == "1" and run is not None and run.status == "failed",
        "applied": _applied_numbers(query.get("requested_set"), query.get("made_ineligible")),
        "review_path": page_path(request, "reconciliation_pairs_page", case_id=case.id),
        "person_name": person_name,
        "percent": lambda probability: percent_text(catalogue_of(request), probability),
    }
    return render(request, "reconciliation.html", context, status_code=status_code)


def person_name(record: Mapping[str, Any]) -> str:
    """A record's name as written: its full name, or its parts in the list's order."""
    if record.get("name"):
        return str(record["name"])
    parts = (record.get(field) for field in ("surname", "given_name", "patronymic"))
    return " ".join(str(part) for part in parts if part)


def _default_side(lists: Container[str]) -> str:
    """The side offered as held: the last with a list (side B's when both have one)."""
    present = [side for side in SIDES if side in lists]
    return present[-1] if present else "side_b"


def _applied_numbers(
    requested_set: str | None, made_ineligible: str | None
) -> dict[str, int] | None:
    if requested_set is None or made_ineligible is None:
        return None
    # ASCII digits only: "²".isdigit() holds, but int("²") raises.
    if not all(text.isascii() and text.isdigit() for text in (requested_set, made_ineligible)):
        return None
    return {"requested_set": int(requested_set), "made_ineligible": int(made_ineligible)}


def _step_text(catalogue: Catalogue, run: RunState) -> str:
    key = "reconciliation.step." + (run.step or "").replace(":", "").replace(" ", "_")
    return catalogue.text(key) if run.step and catalogue.has(key) else ""


@router.get("/cases/{case_id}/reconciliation", name="reconciliation_page")
async def reconciliation_page(request: Request, case: PageCase, caller: Mediator) -> Response:
    return await _reconciliation_page(request, case, caller)


# --------------------------------------------------------------------------- a new run


def _is_csv(upload: UploadFile, body: bytes) -> bool:
    """CSV unless the file says it is JSON (its name, its type, or a leading [ or {)."""
    name = (upload.filename or "").lower()
    if name.endswith(".json") or (upload.content_type or "").startswith("application/json"):
        return False
    if name.endswith((".csv", ".tsv", ".txt")):
        return True
    return not body.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"[", b"{"))


def _problem(role: ListRole, field: str, rule: str, message: str) -> ProblemItem:
    return ProblemItem(side=role, id=None, field=field, rule=rule, message=message)


async def _entries_of(
    form: FormData, name: str, role: ListRole, required: bool
) -> tuple[list[Any], list[ProblemItem]]:
    """A chosen file's records as written, or its problems (row, id, field, rule: never
    a cell)."""
    upload = form.get(name)
    if not isinstance(upload, UploadFile) or not upload.filename:
        if required:
            return [], [_problem(role, name, "missing_file", "no file was chosen")]
        return [], []
    data = await upload.read()
    found = await run_in_threadpool(list_entries, ListText(role, data, _is_csv(upload, data)))
    read = await run_in_threadpool(records_of, role, found)
    if read.problems:
        return [], list_problems(read.problems)
    if required and not found.entries:
        return [], [_problem(role, name, "empty_list", "the file lists nobody")]
    return found.entries, []


@router.post("/cases/{case_id}/reconciliation", name="start_reconciliation")
async def start_reconciliation(request: Request, case: PageCase, caller: Mediator) -> Response:
    """Check the files at once (problems in a table, nothing stored), then reconcile in
    the background; a short run is waited for, a long one shows its steps."""
    cases, reconciliations, audit = _stores(request)
    registry: RegistryStore = request.app.state.registry
    runs = _runs(request)
    form = await form_of(request)
    held_side = str(form.get("held_side", ""))
    use_registry = form.get("use_registry") == "yes"
    typed = {"held_side": held_side, "use_registry": use_registry}
    if held_side not in SIDES:
        missing = _problem("held", "held_side", "missing_choice", "choose whose list is held")
        return await _reconciliation_page(request, case, caller, [missing], typed, status_code=422)
    side: Side = "side_a" if held_side == "side_a" else "side_b"
    requested, problems = await _entries_of(form, "requested_file", "requested", required=True)
    exchanged, more = await _entries_of(form, "exchanged_file", "exchanged", required=False)
    if problems or more:
        return await _reconciliation_page(
            request, case, caller, [*problems, *more], typed, status_code=422
        )
    try:
        prepared = await run_in_threadpool(
            prepare_run,
            request.app.state.settings,
            cases,
            registry,
            case.id,
            side,
            requested,
            exchanged,
            use_registry,
            ReconcileOptions(),
        )
    except ProblemError as problem:
        if problem.status != 422:
            raise
        return await _reconciliation_page(
            request, case, caller, problem.errors or [], typed, status_code=422
        )

    def work(on_step: StepReport) -> None:
        run_and_store(prepared, cases, reconciliations, on_step)
        audit.append("reconcile", caller, case_id=case.id, side=side, count=len(prepared.requested))

    try:
        await run_in_threadpool(runs.start, case.id, side, len(prepared.requested), work)
    except RunInProgressError:
        return await _reconciliation_page(request, case, caller, busy=True, status_code=409)
    run = await run_in_threadpool(runs.wait, case.id, SHORT_RUN_S)
    target = page_path(request, "reconciliation_page", case_id=case.id)
    return RedirectResponse(target + _outcome_query(run), status_code=303)


def _outcome_query(run: RunState | None) -> str:
    if run is None or run.active:
        return ""
    return "?reconciled=1" if run.status == "finished" else "?failed=1"


@router.get("/cases/{case_id}/reconciliation/progress", name="reconciliation_progress")
async def reconciliation_progress(
    request: Request,
    case: PageCase,
    caller: Mediator,
    seen: Annotated[int, Query(ge=0, le=100)] = 0,
) -> Response:
    """The progress fragment htmx polls (each new step is read out); once the run has
    ended, the browser goes to the outcome."""
    run = await run_in_threadpool(_runs(request).state, case.id)
    if run is None or not run.active:
        target = page_path(request, "reconciliation_page", case_id=case.id) + _outcome_query(run)
        if is_htmx(request):
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)
    catalogue = catalogue_of(request)
    step = _step_text(catalogue, run)
    said = None
    if run.step_number > seen:
        said = catalogue.text("reconciliation.step_of", number=run.step_number, total=len(STEPS))
        said += f": {step}" if step else ""
    context = {
        **case_context(request, case, caller, "reconciliation_page"),
        "run": run,
        "run_steps": step,
        "announce": said,
    }
    return render(request, "fragments/reconciliation_progress.html", context)


# --------------------------------------------------------------------------- the queue


@dataclass(frozen=True)
class FieldRow:
    """One identity field of a pair: each record's text as written, and its language
    (for a screen reader's voice)."""

    field: str
    held: str | None
    held_lang: str | None
    other: str | None
    other_lang: str | None


@dataclass(frozen=True)
class EvidenceRow:
    field: str
    level: str
    verdict: Literal["agrees", "differs", "missing", "partly"]


@dataclass(frozen=True)
class Pair:
    """A review item as the page shows it."""

    item: ReviewItem
    other_id: str
    fields: list[FieldRow]
    evidence: list[EvidenceRow]
    percent: str
    waits: bool
    rivals: list[ReviewItem]


def _text(value: object) -> str | None:
    return None if value is None or value == "" else str(value)


def _lang(field: str, text: str | None) -> str | None:
    """The `lang` of a name written in Cyrillic, so a screen reader reads it with a voice
    that can: Ukrainian or Russian where its letters tell (`reconciliation.languages`),
    else Russian, whose voice reads the letters both languages share as well."""
    if text is None or field not in (*NAME_FIELDS, "birth_place"):
        return None
    found = language_of(text)
    if found in ("uk", "ru"):
        return found
    return "ru" if found == "cyrillic" else None


def _verdict(field: str, level: str) -> Literal["agrees", "differs", "missing", "partly"]:
    if level == "missing":
        return "missing"
    if level == "different":
        return "differs"
    agreeing = AGREEING_LEVELS.get(field) or _ALSO_AGREEING.get(field, frozenset())
    return "agrees" if level in agreeing else "partly"


def percent_text(catalogue: Catalogue, probability: float) -> str:
    """0.4645 as "46.5"; never rounded up to 100 unless it is 1."""
    shown = round(probability * 100, 1)
    if probability < 1 and shown >= 100:
        shown = 99.9
    return catalogue.number(shown, places=1)


def _field_row(field: str, held: str | None, other: str | None) -> FieldRow:
    return FieldRow(field, held, _lang(field, held), other, _lang(field, other))


def _name_rows(held: Mapping[str, Any], other: Mapping[str, Any]) -> list[FieldRow]:
    """Surname, given name and patronymic side by side when both records give them
    apart; else each full name as written (the parts in the list's order)."""
    parts = ("surname", "given_name", "patronymic")
    if not held.get("name") and not other.get("name"):
        return [
            _field_row(field, _text(held.get(field)), _text(other.get(field)))
            for field in parts
            if _text(held.get(field)) is not None or _text(other.get(field)) is not None
        ]
    return [_field_row("name", _text(person_name(held)), _text(person_name(other)))]


def _pair(catalogue: Catalogue, item: ReviewItem, rivals: list[ReviewItem]) -> Pair:
    other = (item.requested if item.kind == "match" else item.exchanged) or {}
    fields = _name_rows(item.held, other) + [
        _field_row(field, _text(item.held.get(field)), _text(other.get(field)))
        for field in IDENTITY_FIELDS
        if field not in NAME_FIELDS
        and (_text(item.held.get(field)) is not None or _text(other.get(field)) is not None)
    ]
    evidence = [
        EvidenceRow(field, level, _verdict(field, level)) for field, level in item.evidence.items()
    ]
    return Pair(
        item=item,
        other_id=str(other.get("id", "")),
        fields=fields,
        evidence=evidence,
        percent=percent_text(catalogue, item.probability),
        waits=waits_for_decision(item.kind, item.band),
        rivals=rivals,
    )


def _people_of(item: ReviewItem) -> list[tuple[str, str]]:
    other = item.requested if item.kind == "match" else item.exchanged
    people: list[tuple[str, str]] = [(item.kind, "held:" + str(item.held["id"]))]
    if other is not None:
        people.append((item.kind, "other:" + str(other["id"])))
    return people


def _rivals(items: list[ReviewItem]) -> dict[str, list[ReviewItem]]:
    """For each pair, the other pairs of its requested (or registry) person and of its
    held person: one person cannot be two."""
    by_person: dict[tuple[str, str], list[ReviewItem]] = defaultdict(list)
    for item in items:
        for person in _people_of(item):
            by_person[person].append(item)
    return {
        item.id: list(
            {
                rival.id: rival
                for person in _people_of(item)
                for rival in by_person[person]
                if rival.id != item.id
            }.values()
        )
        for item in items
    }


def _shown(items: list[ReviewItem], band: BandFilter, decision: DecisionFilter) -> list[ReviewItem]:
    def kept(item: ReviewItem) -> bool:
        if band and item.band != band:
            return False
        if decision == "to_decide":
            return item.decision == "pending" and waits_for_decision(item.kind, item.band)
        return decision == "all" or item.decision == decision

    return [item for item in items if kept(item)]


def _review_query(band: BandFilter, decision: DecisionFilter, page: int) -> str:
    return urlencode({"band": band, "decision": decision, "page": page})


async def _queue(
    request: Request,
    case: CaseRecord,
    caller: Caller,
    band: BandFilter,
    decision: DecisionFilter,
    page: int,
    focus: str | None = None,
    announce: str | None = None,
    items: list[ReviewItem] | None = None,
    refused: str | None = None,
) -> dict[str, Any] | None:
    """What the review page (or its queue fragment) shows (`items`, when just read);
    None without a reconciliation. Reading the pairs is audited, as from the API."""
    cases, reconciliations, audit = _stores(request)
    if items is None:
        try:
            items = await run_in_threadpool(review_queue, cases, reconciliations, case.id)
        except ProblemError as problem:
            if problem.status in (404, 409):
                return None
            raise
    stored = await run_in_threadpool(reconciliations.get, case.id)
    held_side = stored.held_side if stored is not None else "side_b"
    chosen = _shown(items, band, decision)
    pages = max(1, -(-len(chosen) // PAIRS_PER_PAGE))
    page = min(page, pages)
    on_page = chosen[(page - 1) * PAIRS_PER_PAGE : page * PAIRS_PER_PAGE]
    await run_in_threadpool(
        audit.append, "matches_read", caller, case_id=case.id, count=len(on_page)
    )
    catalogue = catalogue_of(request)
    rivals = _rivals(items)
    left = sum(1 for i in items if i.decision == "pending" and waits_for_decision(i.kind, i.band))
    base = page_path(request, "reconciliation_pairs_page", case_id=case.id)
    return {
        **case_context(request, case, caller, "reconciliation_page"),
        "pairs": [_pair(catalogue, item, rivals[item.id]) for item in on_page],
        "held_side": held_side,
        "other_side": "side_a" if held_side == "side_b" else "side_b",
        "total": len(items),
        "matching": len(chosen),
        "left": left,
        "band": band,
        "decision": decision,
        "page": page,
        "pages": pages,
        "previous_href": f"{base}?{_review_query(band, decision, page - 1)}" if page > 1 else None,
        "next_href": f"{base}?{_review_query(band, decision, page + 1)}" if page < pages else None,
        "focus": focus,
        "announce": announce,
        "refused": refused,
        "summary_path": page_path(request, "reconciliation_page", case_id=case.id),
    }


@router.get("/cases/{case_id}/reconciliation/pairs", name="reconciliation_pairs_page")
async def reconciliation_pairs_page(
    request: Request,
    case: PageCase,
    caller: Mediator,
    band: BandFilter = "",
    decision: DecisionFilter = "to_decide",
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    context = await _queue(request, case, caller, band, decision, page)
    if context is None:
        target = page_path(request, "reconciliation_page", case_id=case.id)
        return RedirectResponse(target, status_code=303)
    if is_htmx(request) and request.headers.get("hx-target") == "review-queue":
        catalogue = catalogue_of(request)
        context["announce"] = catalogue.text(
            "review.showing", count=context["matching"], total=context["total"]
        )
        return render(request, "fragments/reconciliation_queue.html", context)
    return render(request, "reconciliation_pairs.html", context)


def _next_after(
    queue: list[ReviewItem], view: list[ReviewItem], decided: str
) -> tuple[ReviewItem | None, int]:
    """The pair to go on with, and its place in the view: the next one after the decided
    pair in queue order (which decisions do not change), else the first of the view
    (pairs before it, still open)."""
    order = {item.id: n for n, item in enumerate(queue)}
    mark = order.get(decided, -1)
    for place, item in enumerate(view):
        if order[item.id] > mark:
            return item, place
    for place, item in enumerate(view):
        if item.id != decided:
            return item, place
    return None, 0


@router.post("/cases/{case_id}/reconciliation/pairs/{item_id}", name="decide_pair")
async def decide_pair(request: Request, case: PageCase, caller: Mediator, item_id: str) -> Response:
    """Confirm, reject, or take back one pair, as PUT /v1/cases/{id}/matches/{item} does;
    then on to the next pair of the same view (its page, its focus, read out)."""
    cases, reconciliations, audit = _stores(request)
    form = await form_of(request)
    decision = str(form.get("decision", ""))
    band = str(form.get("band", ""))
    shown = str(form.get("shown", "to_decide"))
    if len(item_id) > 16:
        raise not_found("match")
    if (
        decision not in ("confirmed", "rejected", "pending")
        or band not in ("", "auto", "review")
        or shown not in ("to_decide", "pending", "confirmed", "rejected", "all")
    ):
        raise ProblemError(422, "The form's decision or filters are not among its choices.")
    band_filter: BandFilter = band  # type: ignore[assignment]
    decision_filter: DecisionFilter = shown  # type: ignore[assignment]
    decided: DecisionName = decision  # type: ignore[assignment]
    try:
        await run_in_threadpool(
            record_decision, reconciliations, case.id, item_id, decided, caller.key_id
        )
    except ProblemError as problem:
        rivals = refused_pairs(problem, ONE_TO_ONE)
        if rivals is None:
            raise
        return await _decision_refused(
            request, case, caller, band_filter, decision_filter, item_id, rivals[1:]
        )
    await run_in_threadpool(
        audit.append, "match_decide", caller, case_id=case.id, object_id=item_id
    )
    after = await run_in_threadpool(review_queue, cases, reconciliations, case.id)
    view = _shown(after, band_filter, decision_filter)
    following, place = _next_after(after, view, item_id)
    page = place // PAIRS_PER_PAGE + 1
    if following is None:
        page = 1
    anchor = f"pair-{following.id}" if following is not None else "queue-done"
    if not is_htmx(request):
        target = page_path(request, "reconciliation_pairs_page", case_id=case.id)
        query = _review_query(band_filter, decision_filter, page)
        return RedirectResponse(f"{target}?{query}#{anchor}", status_code=303)
    catalogue = catalogue_of(request)
    left = sum(1 for i in after if i.decision == "pending" and waits_for_decision(i.kind, i.band))
    said = catalogue.text(f"review.decided_{decided}", pair=item_id, left=left)
    if following is not None:
        said += " " + catalogue.text("review.next_pair", pair=following.id)
    context = await _queue(
        request, case, caller, band_filter, decision_filter, page, anchor, said, after
    )
    if context is None:  # pragma: no cover - the reconciliation was just read
        raise not_found("reconciliation")
    url = page_path(request, "reconciliation_pairs_page", case_id=case.id)
    headers = {"HX-Replace-Url": f"{url}?{_review_query(band_filter, decision_filter, page)}"}
    response = render(request, "fragments/reconciliation_queue.html", context)
    response.headers.update(headers)
    return response


def refused_pairs(problem: ProblemError, rule: str) -> list[str] | None:
    """The pair ids (or sides) a 409 of this rule names; None for any other problem."""
    if problem.status != 409 or not problem.errors:
        return None
    if any(item.rule != rule for item in problem.errors):
        return None
    return [item.id or item.side or "" for item in problem.errors]


async def _decision_refused(
    request: Request,
    case: CaseRecord,
    caller: Caller,
    band: BandFilter,
    decision: DecisionFilter,
    item_id: str,
    rivals: list[str],
) -> Response:
    """The queue again, the refused pair in focus and the refusal said in plain words
    (409): nothing was recorded."""
    catalogue = catalogue_of(request)
    said = catalogue.text("review.refused_one_to_one", pair=item_id, rivals=", ".join(rivals))
    cases, reconciliations, _ = _stores(request)
    items = await run_in_threadpool(review_queue, cases, reconciliations, case.id)
    view = _shown(items, band, decision)
    place = next((n for n, item in enumerate(view) if item.id == item_id), 0)
    page = place // PAIRS_PER_PAGE + 1
    context = await _queue(
        request, case, caller, band, decision, page, f"pair-{item_id}", said, items, said
    )
    if context is None:  # pragma: no cover - the reconciliation was just read
        raise not_found("reconciliation")
    if is_htmx(request):  # htmx swaps only a 2xx (or a 422) in: the alert says it
        return render(request, "fragments/reconciliation_queue.html", context)
    return render(request, "reconciliation_pairs.html", context, status_code=409)


# --------------------------------------------------------------------------- applying


@router.post("/cases/{case_id}/reconciliation/apply", name="apply_reconciliation_page")
async def apply_reconciliation_page(request: Request, case: PageCase, caller: Mediator) -> Response:
    """As POST /v1/cases/{id}/reconcile/apply: requested on auto matches not rejected and
    on confirmed pairs, ineligible on confirmed people already exchanged."""
    cases, reconciliations, audit = _stores(request)
    settings = request.app.state.settings
    engine = request.app.state.engine
    try:
        receipt = await run_in_threadpool(
            apply_decisions, cases, reconciliations, settings, engine, case.id
        )
    except ProblemError as problem:
        catalogue = catalogue_of(request)
        stale = refused_pairs(problem, STALE)
        clash = refused_pairs(problem, ONE_TO_ONE)
        if stale is not None:
            side = catalogue.text("common." + (stale[0] or "side_b"))
            said = catalogue.text("reconciliation.refused_stale", side=side)
        elif clash is not None:
            said = catalogue.text("reconciliation.refused_one_to_one", pairs=", ".join(clash))
        else:
            raise
        return await _reconciliation_page(request, case, caller, status_code=409, refused=said)
    await run_in_threadpool(
        audit.append,
        "reconcile_apply",
        caller,
        case_id=case.id,
        side=receipt.held_side,
        count=receipt.requested_set + receipt.made_ineligible,
    )
    query = urlencode(
        {"requested_set": receipt.requested_set, "made_ineligible": receipt.made_ineligible}
    )
    target = page_path(request, "reconciliation_page", case_id=case.id)
    return RedirectResponse(f"{target}?{query}#applied", status_code=303)
