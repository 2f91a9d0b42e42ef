"""The audit trail: read it, and check that no entry was changed, removed or reordered."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from app.api.deps import MAX_QUERY_NUMBER, AuditDep, SettingsDep
from app.audit import hashed_fields
from app.schemas import AuditChainReport, AuditEntry, AuditPage, BrokenAuditEntry

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("", response_model=AuditPage, summary="Audit entries in order (mediators only)")
async def read_audit(
    audit: AuditDep,
    settings: SettingsDep,
    after: Annotated[
        int, Query(ge=0, le=MAX_QUERY_NUMBER, description="Entries after this number.")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=1000, description="Entries to return.")] = 100,
    case_id: Annotated[
        str | None, Query(max_length=64, description="Only the entries about this case.")
    ] = None,
) -> AuditPage:
    """Who (key id and role) did what, about which case, side, plan or job, and how many
    people it concerned; each entry carries its hash and the previous entry's."""
    limit = min(limit, settings.max_page_size)
    records = await run_in_threadpool(audit.page, after, limit, case_id)
    items = [
        AuditEntry.model_validate({**hashed_fields(r), "prev_hash": r.prev_hash, "hash": r.hash})
        for r in records
    ]
    return AuditPage(items=items, next_after=items[-1].seq if len(items) == limit else None)


@router.get(
    "/verify",
    response_model=AuditChainReport,
    summary="Recompute the hash chain and name the first broken entry (mediators only)",
)
async def verify_audit(audit: AuditDep) -> AuditChainReport:
    """Each entry's hash is SHA-256 of the previous entry's hash followed by the entry's
    canonical JSON (sorted keys, no spaces); the first entry follows 64 zeros."""
    check = await run_in_threadpool(audit.verify)
    broken = check.first_broken
    return AuditChainReport(
        valid=broken is None,
        entries=check.entries,
        last_hash=check.last_hash,
        first_broken=BrokenAuditEntry(seq=broken.seq, reason=broken.reason) if broken else None,
    )
