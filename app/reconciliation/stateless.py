"""`POST /v1/reconcile`: three lists in one body, the answer out, nothing stored.

The whole of it (reading the body, checking the lists, the linkage) is one module-level
function on bytes, so that the service runs it through its `Offload`: in the threadpool
for a small body, in the helper process for a big one, whose parsing would otherwise
hold the GIL, and so every other request, for seconds. Only the body and the answer's
JSON text cross between processes.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core.config import Settings
from app.reconciliation.case_reconciliation import (
    check_backend,
    check_sizes,
    checked_records,
    run_linkage,
)
from app.request_bodies import model_from_body
from reconciliation.schema import ReconcileRequest


@dataclass(frozen=True)
class Answer:
    """The reconciliation as JSON text, and how many people were asked for (audited)."""

    json: str
    requested: int


def reconcile_body(body: bytes, settings: Settings) -> Answer:
    """Read, check (sizes first, then every record) and reconcile; 422 on a bad body."""
    document = model_from_body(ReconcileRequest, body)
    check_backend(document.options)
    check_sizes(settings, document.held, document.requested, document.exchanged)
    held, requested, exchanged = checked_records(
        document.held, document.requested, document.exchanged
    )
    result = run_linkage(held, requested, exchanged, document.options)
    return Answer(result.model_dump_json(), len(requested))
