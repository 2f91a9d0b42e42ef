"""The documents a negotiation case is made of, shared by the API and the pages.

The terms a mediator sends, the exchange request a case's stored parts stand for, the
case as a caller may see it, and the published plan as a party may read it. Both the
`/v1/cases` routes and the web pages call these, so a rule lives in one place.
"""

from __future__ import annotations

import json
from typing import cast

from app.case_store import CaseStore
from app.core.offload import too_deep
from app.core.security import Caller
from app.models import CaseRecord, PlanRecord
from app.party_lists import Side, terms_problems
from app.problems import ProblemItem, case_conflict, invalid_request
from app.registry_store import with_registry
from app.request_bodies import json_object_of
from app.schemas import CaseView, ListReceipt
from solver.input_errors import InvalidRequest


def case_view(record: CaseRecord, caller: Caller, cases: CaseStore) -> CaseView:
    """The case as `caller` may see it: a party sees its own list only, and neither the
    terms nor the drafts."""
    lists = cases.list_summaries(record.id)
    published = cases.published(record.id)
    mediator = caller.is_mediator
    return CaseView(
        id=record.id,
        created_at=record.created_at,
        updated_at=record.updated_at,
        lists=[
            ListReceipt(
                side=cast(Side, summary.side),
                uploaded_at=summary.uploaded_at,
                source=summary.source,
                detainee_count=summary.detainee_count,
            )
            for summary in lists
            if mediator or summary.side == caller.role
        ],
        published_plan_id=published.id if published is not None else None,
        published_at=published.published_at if published is not None else None,
        terms_set=(record.terms_json is not None) if mediator else None,
        drafts=len(cases.drafts(record.id)) if mediator else None,
    )


def terms_document(body: bytes) -> dict[str, object]:
    """`{"terms": {...}, "options": {...}}` read and checked on its own (ids the terms
    name are checked against the lists when the case is solved); raises the 422 problem."""
    try:
        document = json_object_of(body)
    except InvalidRequest as error:
        raise invalid_request(error.problems) from None
    except RecursionError:
        raise invalid_request([too_deep()]) from None
    unknown = [key for key in document if key not in ("terms", "options")]
    problems = terms_problems(document.get("terms"), document.get("options"))
    if "terms" not in document:
        problems = [p for p in problems if p.field != "terms"]
    items = [
        ProblemItem.model_validate(p.model_dump())
        for p in problems
        if not p.field.startswith(("side_a", "side_b"))
    ]
    extra = [_request_problem(key[:64], "unknown_field", "is not a known field") for key in unknown]
    if "terms" not in document:
        extra.append(_request_problem("terms", "missing_field", "is required"))
    if items or extra:
        raise invalid_request([*items, *extra])
    return document


def _request_problem(field: str, rule: str, message: str) -> ProblemItem:
    return ProblemItem(side=None, id=None, field=field, rule=rule, message=message)


def terms_json(stored_terms: str, stored_options: str | None) -> str:
    """A case's terms and options as the `CaseTerms` JSON document."""
    return '{"terms":' + stored_terms + ',"options":' + (stored_options or "null") + "}"


def case_request_json(cases: CaseStore, record: CaseRecord) -> bytes:
    """The exchange request the case stands for, as JSON text built from the stored parts;
    the 409 problem names what is missing. Anyone the registry holds as handed over from
    their side (in this case or another) is made ineligible: no plan of a case releases
    them again."""
    lists = {side: cases.get_list(record.id, side) for side in ("side_a", "side_b")}
    missing = [side for side, stored in lists.items() if stored is None]
    if missing:
        raise case_conflict(f"Not solved: no list uploaded yet for {' and '.join(missing)}.")
    if record.terms_json is None:
        raise case_conflict("Not solved: the case has no terms yet (PUT .../terms).")
    parts = [
        '"terms":' + record.terms_json,
        *('"' + side + '":' + stored.list_json for side, stored in lists.items() if stored),
    ]
    if record.options_json is not None:
        parts.append('"options":' + record.options_json)
    body = ("{" + ",".join(parts) + "}").encode("utf-8")
    return with_registry(body, cases.registry.handed_over_by_side())


def party_plan_document(record: PlanRecord, role: str) -> dict[str, object]:
    """The published plan as a party reads it. Who is released, when, is the agreement,
    so both parties see it whole; why a person was not released (refusals, proceedings)
    and the warnings about a list are shown only to the party that holds the person."""
    document = json.loads(record.plan_json)
    document["not_released"] = [e for e in document["not_released"] if e["side"] == role]
    other = "side_b" if role == "side_a" else "side_a"
    document["warnings"] = [
        w for w in document["warnings"] if not str(w["message"]).startswith(other + ":")
    ]
    return {"id": record.id, **document}
