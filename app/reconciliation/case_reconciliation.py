"""A case's reconciliation from start to end, as the API and the pages both do it.

Check the lists (a 422 naming list, id, field and rule; nothing stored), run the linkage
and store its answer in place of the previous one, read it back, show the review queue,
record a decision, and apply the decisions to the held list. The HTTP handlers and the
page handlers call these functions and add only what is theirs (parsing a body or a
form, the audit line, the response); every function here blocks: call it from a thread.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine

from app.case_store import CaseStore, ListChangedError
from app.core.config import Settings
from app.core.db import checkpoint
from app.models import CaseListRecord
from app.party_lists import Side, list_from_json
from app.problems import (
    CONFLICT_TYPE,
    ProblemError,
    ProblemItem,
    case_conflict,
    field_shown,
    invalid_request,
    not_found,
)
from app.reconciliation.registry import registry_people
from app.reconciliation.review import (
    DecisionName,
    ReviewItem,
    applied_list,
    clashes,
    identity_of,
    item_exists,
    pairs_of,
    review_items,
    rivals_of,
    stands,
    waits_for_decision,
)
from app.reconciliation.store import ReconciliationStore, StoredReconciliation, fingerprint
from app.registry_store import RegistryStore
from reconciliation.records import InvalidLists, ListProblem, read_records
from reconciliation.schema import (
    HeldDuplicate,
    IdentityRecord,
    ReconcileOptions,
    Reconciliation,
)
from reconciliation.steps import StepReport
from solver.input_errors import InvalidRequest

# The rules of a refused decision or apply (409), as problem items name them.
ONE_TO_ONE = "one_to_one"
STALE = "stale_reconciliation"


class CaseReconciliation(BaseModel):
    """A case's stored reconciliation: when, which list, and the answer (ids only)."""

    model_config = ConfigDict(extra="forbid")

    case_id: str
    held_side: Side
    created_at: str
    applied_at: str | None
    pending_review: int = Field(description="Review pairs no one has decided yet.")
    result: Reconciliation


class ApplyReceipt(BaseModel):
    model_config = ConfigDict(extra="forbid")

    case_id: str
    held_side: Side
    requested_set: int = Field(description="Held people newly marked `requested`.")
    made_ineligible: int = Field(description='Held people newly ineligible: "already exchanged".')
    detainee_count: int


def list_problems(problems: Sequence[ListProblem]) -> list[ProblemItem]:
    """The problems as the API and the pages show them: a field that is not a plain field
    name (a careless file's key may be a person's name) masked, as every 422 does."""
    return [
        ProblemItem(
            side=p.side,
            id=p.id,
            field=field_shown(p.field),
            rule=p.rule,
            message=p.message,
            row=p.row,
        )
        for p in problems
    ]


def checked_records(
    held: Sequence[Any], requested: Sequence[Any], exchanged: Sequence[Any]
) -> tuple[list[IdentityRecord], list[IdentityRecord], list[IdentityRecord]]:
    """The three lists as identity records; every problem of all three at once (422)."""
    read = [
        read_records("held", held),
        read_records("requested", requested),
        read_records("exchanged", exchanged),
    ]
    problems = [problem for one in read for problem in one.problems]
    if problems:
        raise invalid_request(list_problems(problems))
    return read[0].records, read[1].records, read[2].records


def check_backend(options: ReconcileOptions) -> None:
    """Spark is for registries beyond one machine, from the command line; the service
    keeps to its embedded database (and starts no JVM inside a request)."""
    if options.backend != "duckdb":
        raise invalid_request(
            [
                ProblemItem(
                    side=None,
                    id=None,
                    field="options.backend",
                    rule="backend_unavailable",
                    message="the service reconciles on its embedded DuckDB only",
                )
            ]
        )


def check_sizes(
    settings: Settings, held: Sequence[Any], requested: Sequence[Any], exchanged: Sequence[Any]
) -> None:
    """Each list within the service's limits (`max_reconcile_held`, for the registry too,
    and `max_reconcile_requested`), else a 422 before anything is compared: one request
    must not hold the service for long."""
    limits = (
        ("held", held, settings.max_reconcile_held),
        ("requested", requested, settings.max_reconcile_requested),
        ("exchanged", exchanged, settings.max_reconcile_held),
    )
    problems = [
        ProblemItem(
            side=role,
            id=None,
            field=role,
            rule="service_limit",
            message=f"lists {len(records):,} records; this service reconciles at most "
            f"{limit:,} at once",
        )
        for role, records, limit in limits
        if len(records) > limit
    ]
    if problems:
        raise invalid_request(problems)


def run_linkage(
    held: Sequence[IdentityRecord],
    requested: Sequence[IdentityRecord],
    exchanged: Sequence[IdentityRecord],
    options: ReconcileOptions,
    on_step: StepReport | None = None,
) -> Reconciliation:
    """The matching core on checked lists; `on_step` hears each step's name."""
    from reconciliation.reconcile import reconcile  # Splink is imported on first use

    check_backend(options)
    try:
        return reconcile(held, requested, exchanged, options, on_step)
    except InvalidLists as error:  # pragma: no cover - the lists were checked before
        raise invalid_request(list_problems(error.problems)) from None


def _held_record(cases: CaseStore, case_id: str, side: str) -> CaseListRecord:
    stored = cases.get_list(case_id, side)
    if stored is None:
        raise case_conflict(f"Not reconciled: no list uploaded yet for {side}.")
    return stored


def held_list(cases: CaseStore, case_id: str, side: str) -> tuple[dict[str, Any], str]:
    """The list `side` uploaded, as a document, and its source (csv or json); 409 when
    there is none yet."""
    stored = _held_record(cases, case_id, side)
    document: dict[str, Any] = json.loads(stored.list_json)
    return document, stored.source


@dataclass(frozen=True)
class PreparedRun:
    """A case's reconciliation checked and ready to run: the records compared, and what
    is stored beside the answer (the requests and the registry, for the review queue)."""

    case_id: str
    held_side: Side
    held: list[IdentityRecord]
    requested: list[IdentityRecord]
    exchanged: list[IdentityRecord]
    requested_json: str
    exchanged_json: str
    options: ReconcileOptions
    held_sha256: str  # the held list compared, as stored: applying checks it is still there


def prepare_run(
    settings: Settings,
    cases: CaseStore,
    registry: RegistryStore,
    case_id: str,
    held_side: Side,
    requested: Sequence[Any],
    exchanged: Sequence[Any],
    use_registry: bool,
    options: ReconcileOptions,
) -> PreparedRun:
    """Check everything before anything runs: the held side's list exists (409), the
    backend is the embedded one, the requests and the uploaded registry are within the
    service's limits and every list reads (422). People already handed over
    from the held side, in any case, join the uploaded registry when `use_registry`."""
    check_backend(options)
    check_sizes(settings, [], requested, exchanged)
    stored = _held_record(cases, case_id, held_side)
    document: dict[str, Any] = json.loads(stored.list_json)
    handed_over = registry_people(cases, registry, held_side) if use_registry else []
    held, wanted, before = checked_records(
        document.get("detainees", []),
        requested,
        [*exchanged, *(person.record for person in handed_over)],
    )
    return PreparedRun(
        case_id=case_id,
        held_side=held_side,
        held=held,
        requested=wanted,
        exchanged=before,
        requested_json=json.dumps(list(requested), ensure_ascii=False),
        exchanged_json=json.dumps(
            [*exchanged, *(person.shown for person in handed_over)], ensure_ascii=False
        ),
        options=options,
        held_sha256=fingerprint(stored.list_json),
    )


def run_and_store(
    prepared: PreparedRun,
    cases: CaseStore,
    reconciliations: ReconciliationStore,
    on_step: StepReport | None = None,
) -> Reconciliation:
    """Run the linkage and store its answer in place of the case's previous one (and
    its decisions). A case deleted meanwhile keeps nothing (404)."""
    result = run_linkage(
        prepared.held, prepared.requested, prepared.exchanged, prepared.options, on_step
    )
    if cases.get(prepared.case_id) is None:
        raise not_found("case")
    reconciliations.put(
        prepared.case_id,
        prepared.held_side,
        prepared.requested_json,
        prepared.exchanged_json,
        result.model_dump_json(),
        prepared.held_sha256,
    )
    cases.touch(prepared.case_id)
    return result


def _stored(
    reconciliations: ReconciliationStore, case_id: str
) -> tuple[StoredReconciliation, Reconciliation, dict[str, str]]:
    """The case's stored reconciliation, its answer read, and its decisions (404 when
    the case has none)."""
    stored = reconciliations.get(case_id)
    if stored is None:
        raise not_found("reconciliation")
    result = Reconciliation.model_validate_json(stored.result_json)
    return stored, result, reconciliations.decisions(case_id)


def _case_reconciliation(
    stored: StoredReconciliation, result: Reconciliation, decisions: dict[str, str]
) -> CaseReconciliation:
    pending = sum(
        1
        for n, match in enumerate(result.matches)
        if waits_for_decision("match", match.band) and f"m-{n}" not in decisions
    ) + sum(
        1
        for n, entry in enumerate(result.already_exchanged)
        if waits_for_decision("already_exchanged", entry.band) and f"x-{n}" not in decisions
    )
    return CaseReconciliation(
        case_id=stored.case_id,
        held_side=stored.held_side,
        created_at=stored.created_at.isoformat(),
        applied_at=stored.applied_at.isoformat() if stored.applied_at else None,
        pending_review=pending,
        result=result,
    )


def stored_reconciliation(reconciliations: ReconciliationStore, case_id: str) -> CaseReconciliation:
    """The case's reconciliation, with how many pairs still wait for a person (404
    when the case has none)."""
    return _case_reconciliation(*_stored(reconciliations, case_id))


def review_queue(
    cases: CaseStore, reconciliations: ReconciliationStore, case_id: str
) -> list[ReviewItem]:
    """Every pair of the case's reconciliation with both records, matches first."""
    stored, result, decisions = _stored(reconciliations, case_id)
    document, _ = held_list(cases, case_id, stored.held_side)
    return _items(stored, result, document, decisions)


def _items(
    stored: StoredReconciliation,
    result: Reconciliation,
    document: dict[str, Any],
    decisions: dict[str, str],
) -> list[ReviewItem]:
    return review_items(
        result,
        document,
        json.loads(stored.requested_json),
        json.loads(stored.exchanged_json),
        decisions,
    )


def record_decision(
    reconciliations: ReconciliationStore,
    case_id: str,
    item_id: str,
    decision: DecisionName,
    decided_by: str,
) -> None:
    """A mediator's yes or no on one pair (`pending` takes it back); 404 for a pair the
    case's reconciliation does not have."""
    _, result, _ = _stored(reconciliations, case_id)
    if not item_exists(result, item_id):
        raise not_found("match")
    # The pair stands after this decision when confirmed, or when an auto match is set
    # back to `pending` (it stands unless rejected): then no rival may stand beside it.
    would_stand = stands(pairs_of(result)[item_id], None if decision == "pending" else decision)
    rivals = rivals_of(result, item_id) if would_stand else {}
    standing = reconciliations.decide(case_id, item_id, decision, decided_by, rivals)
    if standing:
        raise one_to_one_refused(result, [item_id, *standing])


def one_to_one_refused(result: Reconciliation, item_ids: Sequence[str]) -> ProblemError:
    """409: these pairs would put one person in two pairs (the first is the one refused,
    when confirming). Ids only: pair ids and the people's list ids."""
    pairs = pairs_of(result)
    first, others = item_ids[0], list(item_ids[1:])
    return ProblemError(
        409,
        f"{first} cannot stand with {', '.join(others)}: one person is in one pair at most "
        "(one-to-one). Reject or take back the other pair first.",
        type_=CONFLICT_TYPE,
        title="Conflict",
        errors=[
            ProblemItem(
                side=None,
                id=item_id,
                field="decision",
                rule=ONE_TO_ONE,
                message=f"pairs held {pairs[item_id].held_id} with {pairs[item_id].other_id}",
            )
            for item_id in item_ids
        ],
    )


def stale_refused(side: str) -> ProblemError:
    """409: the held list is no longer the one the reconciliation compared."""
    return ProblemError(
        409,
        f"Not applied: {side}'s list was uploaded again after this reconciliation ran, so "
        "its pairs may no longer fit. Reconcile again, then apply.",
        type_=CONFLICT_TYPE,
        title="Conflict",
        errors=[
            ProblemItem(
                side=side,
                id=None,
                field="held_side",
                rule=STALE,
                message="the held list changed since the reconciliation",
            )
        ],
    )


def handovers_relied_on(
    stored: StoredReconciliation, result: Reconciliation, decisions: dict[str, str]
) -> list[tuple[str, tuple[str, str, str]]]:
    """The confirmed `x-N` pairs whose exchanged person came from the service's registry,
    each with the registry entry it stands on (case id, side, id)."""
    exchanged = {
        str(entry.get("id")): entry.get("handed_over")
        for entry in json.loads(stored.exchanged_json)
        if isinstance(entry, dict)
    }
    relied: list[tuple[str, tuple[str, str, str]]] = []
    for n, entry in enumerate(result.already_exchanged):
        handed = exchanged.get(entry.exchanged_id)
        if decisions.get(f"x-{n}") == "confirmed" and isinstance(handed, dict):
            relied.append(
                (f"x-{n}", (str(handed.get("case_id")), stored.held_side, str(handed.get("id"))))
            )
    return relied


def handover_taken_back(item_ids: Sequence[str]) -> ProblemError:
    """409: these confirmed pairs stand on handovers the registry no longer holds (their
    stage was taken back). Pair ids only."""
    return ProblemError(
        409,
        f"Not applied: {', '.join(item_ids)} rests on a handover that was taken back since "
        "this reconciliation ran. Reconcile again (or take the pair back), then apply.",
        type_=CONFLICT_TYPE,
        title="Conflict",
        errors=[
            ProblemItem(
                side=None,
                id=item_id,
                field="decision",
                rule=STALE,
                message="the registry no longer holds this person as handed over",
            )
            for item_id in item_ids
        ],
    )


@dataclass(frozen=True)
class ListFlags:
    """What applying changes in a held list, counted: its people, those requested by
    name, those ineligible."""

    listed: int
    requested: int
    ineligible: int

    @classmethod
    def of(cls, document: dict[str, Any]) -> ListFlags:
        people = [p for p in document.get("detainees", []) if isinstance(p, dict)]
        return cls(
            listed=len(people),
            requested=sum(1 for p in people if p.get("requested", False)),
            ineligible=sum(1 for p in people if not p.get("eligible", True)),
        )


@dataclass(frozen=True)
class ApplyPreview:
    """The held list's counts now, and after applying the decisions as they stand."""

    held_side: Side
    now: ListFlags
    after: ListFlags


def _preview(
    stored: StoredReconciliation,
    result: Reconciliation,
    document: dict[str, Any],
    decisions: dict[str, str],
) -> ApplyPreview:
    applied = applied_list(result, document, decisions)
    side: Side = stored.held_side  # type: ignore[assignment]
    return ApplyPreview(side, ListFlags.of(document), ListFlags.of(applied.document))


@dataclass(frozen=True)
class Overview:
    """A case's reconciliation for a mediator's screen, read once: the stored answer,
    every pair with both records, the records of the requested people not found and
    of the held people listed twice, and what applying would change."""

    reconciliation: CaseReconciliation
    items: list[ReviewItem]
    unmatched: list[dict[str, Any]]
    duplicates: list[tuple[HeldDuplicate, list[dict[str, Any]]]]
    preview: ApplyPreview


def overview(cases: CaseStore, reconciliations: ReconciliationStore, case_id: str) -> Overview:
    stored, result, decisions = _stored(reconciliations, case_id)
    document, _ = held_list(cases, case_id, stored.held_side)
    held = {str(p.get("id")): p for p in document.get("detainees", []) if isinstance(p, dict)}
    wanted = {str(r.get("id")): r for r in json.loads(stored.requested_json) if isinstance(r, dict)}
    return Overview(
        reconciliation=_case_reconciliation(stored, result, decisions),
        items=_items(stored, result, document, decisions),
        unmatched=[identity_of(wanted.get(rid), rid) for rid in result.unmatched_requested],
        duplicates=[
            (group, [identity_of(held.get(hid), hid) for hid in group.held_ids])
            for group in result.held_duplicates
        ],
        preview=_preview(stored, result, document, decisions),
    )


def apply_decisions(
    cases: CaseStore,
    reconciliations: ReconciliationStore,
    settings: Settings,
    engine: Engine,
    case_id: str,
) -> ApplyReceipt:
    """Write the decisions into the held list (`applied_list`): it is checked again as
    an upload is, and replaces the held side's list."""
    stored, result, decisions = _stored(reconciliations, case_id)
    side: Side = stored.held_side  # type: ignore[assignment]
    held = _held_record(cases, case_id, side)
    if stored.held_sha256 is None or fingerprint(held.list_json) != stored.held_sha256:
        raise stale_refused(side)
    clashing = clashes(result, decisions)
    if clashing:
        raise one_to_one_refused(result, clashing[0])
    relied = handovers_relied_on(stored, result, decisions)
    still = cases.registry.held([entry for _, entry in relied])
    gone = [item_id for item_id, entry in relied if entry not in still]
    if gone:
        raise handover_taken_back(gone)
    document: dict[str, Any] = json.loads(held.list_json)
    applied = applied_list(result, document, decisions)
    body = json.dumps(applied.document, ensure_ascii=False).encode("utf-8")
    try:
        checked = list_from_json(body, side, settings)
    except InvalidRequest as error:  # pragma: no cover - the stored list was checked
        raise invalid_request(error.problems) from None
    try:
        receipt = cases.put_list(
            case_id,
            side,
            held.source,
            checked.detainee_count,
            checked.list_json,
            replacing=stored.held_sha256,
        )
    except ListChangedError:  # uploaded again while this was applied
        raise stale_refused(side) from None
    if receipt is None:
        raise not_found("case")
    checkpoint(engine)
    reconciliations.mark_applied(stored, fingerprint(checked.list_json))
    return ApplyReceipt(
        case_id=case_id,
        held_side=side,
        requested_set=applied.requested_set,
        made_ineligible=applied.made_ineligible,
        detainee_count=checked.detainee_count,
    )
