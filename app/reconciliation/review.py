"""A case's review queue, and applying the decisions to the held list.

Items are numbered in the stored answer's order: `m-N` for the N-th match, `x-N` for the
N-th held person found among those already exchanged. The queue shows the mediator both
records of a pair, names included, to decide on; it is a mediator's route only, so a
party never sees the other side's people through it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from reconciliation.schema import IDENTITY_FIELDS, Band, Reconciliation

ItemKind = Literal["match", "already_exchanged"]
DecisionName = Literal["pending", "confirmed", "rejected"]
ALREADY_EXCHANGED = "already exchanged"


def waits_for_decision(kind: ItemKind, band: Band) -> bool:
    """Whether a pair waits for a person: every `review` match, and every held person
    found already exchanged (making someone ineligible is for a person to decide, even
    when the match is `auto`). An `auto` match is applied unless someone rejects it."""
    return band == "review" or kind == "already_exchanged"


class ReviewItem(BaseModel):
    """One pair of a case's reconciliation, with both records, for a mediator to judge."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="m-N for a match, x-N for a held person already exchanged")
    kind: ItemKind
    band: Band
    probability: float
    decision: DecisionName
    evidence: dict[str, str]
    held: dict[str, Any] = Field(description="The held person's id and identity fields.")
    requested: dict[str, Any] | None = None
    exchanged: dict[str, Any] | None = None


class ReviewPage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[ReviewItem]
    total: int
    offset: int
    limit: int


def identity_of(record: dict[str, Any] | None, record_id: str) -> dict[str, Any]:
    if record is None:
        return {"id": record_id}
    shown = {
        "id": record_id,
        **{field: record[field] for field in IDENTITY_FIELDS if record.get(field) is not None},
    }
    if "handed_over" in record:  # a person of the service's registry: where they crossed
        shown["handed_over"] = record["handed_over"]
    return shown


def _by_id(records: list[Any]) -> dict[str, dict[str, Any]]:
    return {str(r["id"]): r for r in records if isinstance(r, dict) and "id" in r}


def review_items(
    result: Reconciliation,
    held_list: dict[str, Any],
    requested: list[Any],
    exchanged: list[Any],
    decisions: dict[str, str],
) -> list[ReviewItem]:
    """Every pair of the answer, in order, matches first."""
    held = _by_id(held_list.get("detainees", []))
    wanted = _by_id(requested)
    registry = _by_id(exchanged)
    items = [
        ReviewItem(
            id=f"m-{n}",
            kind="match",
            band=match.band,
            probability=match.probability,
            decision=decisions.get(f"m-{n}", "pending"),
            evidence=match.evidence,
            held=identity_of(held.get(match.held_id), match.held_id),
            requested=identity_of(wanted.get(match.requested_id), match.requested_id),
        )
        for n, match in enumerate(result.matches)
    ]
    items += [
        ReviewItem(
            id=f"x-{n}",
            kind="already_exchanged",
            band=entry.band,
            probability=entry.probability,
            decision=decisions.get(f"x-{n}", "pending"),
            evidence=entry.evidence,
            held=identity_of(held.get(entry.held_id), entry.held_id),
            exchanged=identity_of(registry.get(entry.exchanged_id), entry.exchanged_id),
        )
        for n, entry in enumerate(result.already_exchanged)
    ]
    return items


def item_exists(result: Reconciliation, item_id: str) -> bool:
    kind, _, number = item_id.partition("-")
    if not number.isdigit():
        return False
    size = (
        len(result.matches) if kind == "m" else len(result.already_exchanged) if kind == "x" else 0
    )
    return int(number) < size


@dataclass(frozen=True)
class PairOf:
    """Who a pair joins: the held person and the other record (requested or exchanged)."""

    item_id: str
    kind: ItemKind
    held_id: str
    other_id: str
    auto: bool  # an auto match stands unless rejected


def pairs_of(result: Reconciliation) -> dict[str, PairOf]:
    pairs = {
        f"m-{n}": PairOf(f"m-{n}", "match", m.held_id, m.requested_id, m.band == "auto")
        for n, m in enumerate(result.matches)
    }
    pairs.update(
        {
            f"x-{n}": PairOf(f"x-{n}", "already_exchanged", e.held_id, e.exchanged_id, False)
            for n, e in enumerate(result.already_exchanged)
        }
    )
    return pairs


def stands(pair: PairOf, decision: str | None) -> bool:
    """Whether applying would use this pair: confirmed, or an auto match not rejected."""
    return decision == "confirmed" or (pair.auto and decision != "rejected")


def rivals_of(result: Reconciliation, item_id: str) -> dict[str, bool]:
    """The other pairs of the same kind that share a person with `item_id` (the same held
    person, or the same requested or exchanged one), each with whether it is an auto
    match (which stands unless rejected). One person cannot be two."""
    pairs = pairs_of(result)
    pair = pairs[item_id]
    return {
        other.item_id: other.auto
        for other in pairs.values()
        if other.item_id != item_id
        and other.kind == pair.kind
        and (other.held_id == pair.held_id or other.other_id == pair.other_id)
    }


def clashes(result: Reconciliation, decisions: dict[str, str]) -> list[list[str]]:
    """Groups of standing pairs that share a person: none, when decisions kept to one
    to one (confirming a pair with a standing rival is refused); decisions stored before
    that rule, or confirmed at the very same moment, could still hold some."""
    by_person: dict[tuple[str, str, str], list[str]] = {}
    for pair in pairs_of(result).values():
        if stands(pair, decisions.get(pair.item_id)):
            by_person.setdefault((pair.kind, "held", pair.held_id), []).append(pair.item_id)
            by_person.setdefault((pair.kind, "other", pair.other_id), []).append(pair.item_id)
    return [ids for ids in by_person.values() if len(ids) > 1]


@dataclass(frozen=True)
class Applied:
    """The held list with the answer applied, and how many people it changed."""

    document: dict[str, Any]
    requested_set: int
    made_ineligible: int


def applied_list(
    result: Reconciliation, held_list: dict[str, Any], decisions: dict[str, str]
) -> Applied:
    """`requested: true` on the held person of every `auto` match not rejected and every
    confirmed one; `eligible: false` ("already exchanged") on every held person a
    mediator confirmed as already exchanged. Nothing else of the list changes."""
    to_request = {
        match.held_id
        for n, match in enumerate(result.matches)
        if decisions.get(f"m-{n}") == "confirmed"
        or (match.band == "auto" and decisions.get(f"m-{n}") != "rejected")
    }
    exchanged = {
        entry.held_id
        for n, entry in enumerate(result.already_exchanged)
        if decisions.get(f"x-{n}") == "confirmed"
    }
    document = json.loads(json.dumps(held_list))
    requested_set = made_ineligible = 0
    for detainee in document.get("detainees", []):
        if detainee.get("id") in to_request and not detainee.get("requested", False):
            detainee["requested"] = True
            requested_set += 1
        if detainee.get("id") in exchanged and detainee.get("eligible", True):
            detainee["eligible"] = False
            detainee["ineligible_reason"] = ALREADY_EXCHANGED
            made_ineligible += 1
    return Applied(document, requested_set, made_ineligible)
