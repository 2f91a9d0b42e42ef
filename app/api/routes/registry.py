"""The registry of people handed over, service-wide: who crossed, from which side, in
which case and stage, when. Mediators only."""

from __future__ import annotations

import csv
import io
from typing import Annotated

from fastapi import APIRouter, Query, Response
from starlette.concurrency import run_in_threadpool

from app.api.deps import AuditDep, CallerDep, PageDep, RegistryDep
from app.manifest import spreadsheet_safe
from app.problems import problem_responses
from app.registry_store import RegistryEntry
from app.schemas import PartySideName, RegistryEntryView, RegistryList

router = APIRouter(prefix="/registry", tags=["registry"])

CaseFilter = Annotated[
    str | None, Query(max_length=64, description="Only the people handed over in this case.")
]
SideFilter = Annotated[
    PartySideName | None, Query(description="Only the people handed over by this side.")
]
CSV_COLUMNS = ("side", "id", "case_id", "stage", "handed_over_at", "event_seq")


@router.get(
    "",
    response_model=RegistryList,
    summary="People handed over, in the order they crossed, by case and side",
    responses=problem_responses(422),
)
def read_registry(
    caller: CallerDep,
    registry: RegistryDep,
    audit: AuditDep,
    page: PageDep,
    case_id: CaseFilter = None,
    side: SideFilter = None,
) -> RegistryList:
    """Filled by the `stage_executed` events recorded on cases. Plans of cases never
    release anyone it holds as handed over from the same side again: such a person is
    not released, as ineligible ("already handed over (registry)")."""
    found = registry.page(page.offset, page.limit, case_id=case_id, side=side)
    audit.append("registry_read", caller, case_id=case_id, side=side, count=len(found.entries))
    return RegistryList(
        items=[_view(entry) for entry in found.entries],
        total=found.total,
        offset=page.offset,
        limit=page.limit,
    )


@router.get(
    ".csv",
    response_class=Response,
    summary="The registry as CSV, by case and side",
    responses={
        200: {"content": {"text/csv": {"schema": {"type": "string"}}}},
        **problem_responses(422),
    },
)
async def export_registry(
    caller: CallerDep,
    registry: RegistryDep,
    audit: AuditDep,
    case_id: CaseFilter = None,
    side: SideFilter = None,
) -> Response:
    """Every entry (no paging), one row each: side, id, case, stage, when, event."""
    entries = await run_in_threadpool(registry.entries, case_id=case_id, side=side)
    await run_in_threadpool(
        audit.append, "registry_read", caller, case_id=case_id, side=side, count=len(entries)
    )
    return Response(
        _csv(entries).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="registry.csv"'},
    )


def _view(entry: RegistryEntry) -> RegistryEntryView:
    return RegistryEntryView.model_validate(
        {
            "side": entry.side,
            "id": entry.detainee_id,
            "case_id": entry.case_id,
            "stage": entry.stage,
            "handed_over_at": entry.handed_over_at,
            "event_seq": entry.event_seq,
        }
    )


def _csv(entries: list[RegistryEntry]) -> str:
    out = io.StringIO()
    out.write("\ufeff")  # spreadsheets read UTF-8 right with a BOM
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for e in entries:
        row = [
            e.side,
            e.detainee_id,
            e.case_id,
            str(e.stage),
            e.handed_over_at.isoformat(),
            str(e.event_seq),
        ]
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return out.getvalue()
