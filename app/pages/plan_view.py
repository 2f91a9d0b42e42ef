"""A stored plan as the plan page shows it: the chart's figures, and the long tables
(people per stage, people not released) filtered and cut into pages on the server, so a
plan of thousands of people renders as quickly as a small one.

The numbers come from `solver.chart.plan_figures` and categories from
`solver.categories`: the page draws what the chart draws.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from threading import Lock

from solver.categories import categories_of
from solver.chart import PlanFigures, plan_figures
from solver.schema import Category, Detainee, ExchangeRequest, NotReleased, Plan, Side

ROWS_PER_PAGE = 50
_CACHED_DOCUMENTS = 4
_CACHED_BYTES = 4 * 1024 * 1024  # a few thousand people; larger plans are read per view


@dataclass(frozen=True)
class PersonRow:
    """One line of a people table: who, on which side, and what the lists say of them."""

    side: str
    id: str
    stage: int | None = None
    reason: str | None = None
    detail: str | None = None
    categories: tuple[Category, ...] = ()


@dataclass(frozen=True)
class RowPage:
    rows: list[PersonRow]
    matching: int
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class PlanDocuments:
    """A plan and the request it answers, read once and kept for the next page views."""

    request: ExchangeRequest
    plan: Plan
    figures: PlanFigures
    people: dict[str, dict[str, Detainee]]

    def categories(self, side: str, person_id: str) -> tuple[Category, ...]:
        person = self.people[side].get(person_id)
        if person is None:
            return ()
        on = self.plan.reference_date
        found = categories_of(person, on, self.request.terms.young_age_limit)
        return tuple(sorted(found))


_cache: OrderedDict[str, PlanDocuments] = OrderedDict()
_cache_lock = Lock()


def plan_documents(plan_id: str, request_json: str, plan_json: str) -> PlanDocuments:
    """Read a stored plan and its request. Stored plans never change, so the last few of
    moderate size are kept: paging through a plan's tables reads it once."""
    with _cache_lock:
        found = _cache.get(plan_id)
        if found is not None:
            _cache.move_to_end(plan_id)
            return found
    request = ExchangeRequest.model_validate_json(request_json)
    plan = Plan.model_validate_json(plan_json)
    people = {side.value: {d.id: d for d in request.side(side).detainees} for side in Side}
    documents = PlanDocuments(request, plan, plan_figures(request, plan), people)
    if len(request_json) + len(plan_json) <= _CACHED_BYTES:
        with _cache_lock:
            _cache[plan_id] = documents
            while len(_cache) > _CACHED_DOCUMENTS:
                _cache.popitem(last=False)
    return documents


def party_plan(document: dict[str, object]) -> Plan:
    """The published plan as a party reads it (see `app.case_documents`), as a Plan."""
    return Plan.model_validate({k: v for k, v in document.items() if k != "id"})


def _page_of(rows: Sequence[PersonRow], total: int, page: int) -> RowPage:
    pages = max(1, -(-len(rows) // ROWS_PER_PAGE))
    page = min(max(page, 1), pages)
    shown = list(rows[(page - 1) * ROWS_PER_PAGE : page * ROWS_PER_PAGE])
    return RowPage(shown, len(rows), total, page, pages)


def stage_people(
    plan: Plan,
    documents: PlanDocuments | None,
    *,
    stage: int | None,
    side: str | None,
    search: str,
    page: int,
) -> RowPage:
    """Who is released in which stage, filtered by stage, side and id."""
    needle = search.strip().lower()
    rows: list[PersonRow] = []
    total = 0
    for each in plan.stages:
        for each_side, ids in (("side_a", each.side_a), ("side_b", each.side_b)):
            total += len(ids)
            if (stage is not None and each.number != stage) or (side and each_side != side):
                continue
            rows.extend(
                PersonRow(each_side, pid, stage=each.number)
                for pid in ids
                if not needle or needle in pid.lower()
            )
    return _with_categories(_page_of(rows, total, page), documents)


def not_released(
    plan: Plan,
    documents: PlanDocuments | None,
    *,
    side: str | None,
    reason: str | None,
    search: str,
    page: int,
) -> RowPage:
    """Who is not released, and why, filtered by side, reason and id."""
    needle = search.strip().lower()
    entries: list[NotReleased] = plan.not_released
    rows = [
        PersonRow(Side(e.side).value, e.id, reason=e.reason, detail=e.detail)
        for e in entries
        if (not side or e.side == side)
        and (not reason or e.reason == reason)
        and (not needle or needle in e.id.lower())
    ]
    return _with_categories(_page_of(rows, len(entries), page), documents)


def _with_categories(page: RowPage, documents: PlanDocuments | None) -> RowPage:
    if documents is None:
        return page
    rows = [
        PersonRow(r.side, r.id, r.stage, r.reason, r.detail, documents.categories(r.side, r.id))
        for r in page.rows
    ]
    return RowPage(rows, page.matching, page.total, page.page, page.pages)
