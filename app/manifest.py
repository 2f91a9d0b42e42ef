"""The handover manifest: per stage, who crosses, paired like for like where possible.

Pairs are formed in tiers: same status and same health first (civilian with civilian,
seriously ill with seriously ill), then same status, then same health, then the rest;
whoever is left has no counterpart (a larger side, or art. 109 releases on top).

The file is opened in spreadsheets, and names and ids come from the other party, so
every cell that a spreadsheet would read as a formula is neutralised.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass

from solver import ExchangeRequest, Plan
from solver.schema import Detainee, Side

COLUMNS = (
    "stage",
    "pair",
    "match",
    "side_a_id",
    "side_a_name",
    "side_a_status",
    "side_a_seriously_ill",
    "side_b_id",
    "side_b_name",
    "side_b_status",
    "side_b_seriously_ill",
)

# OWASP's list: a cell starting with one of these can run as a formula in a spreadsheet.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


@dataclass(frozen=True)
class Pairing:
    """One manifest line: a side A person, a side B person, or both, and how they match."""

    side_a: Detainee | None
    side_b: Detainee | None
    match: str


def _status_and_health(d: Detainee) -> Hashable:
    return (d.status, d.seriously_ill)


def _status(d: Detainee) -> Hashable:
    return d.status


def _health(d: Detainee) -> Hashable:
    return d.seriously_ill


# Tier name and key; earlier tiers pair first. Ill before healthy, civilian before
# military within a tier, so the most urgent pairs head each stage.
_TIERS: tuple[tuple[str, Callable[[Detainee], Hashable]], ...] = (
    ("status and health", _status_and_health),
    ("status", _status),
    ("health", _health),
)


def _urgency(d: Detainee) -> tuple[bool, bool, str]:
    return (not d.seriously_ill, d.status != "civilian", d.id)


def pair_stage(side_a: list[Detainee], side_b: list[Detainee]) -> list[Pairing]:
    """Pair one stage's releases like for like, tier by tier; deterministic for given lists."""
    left_a = sorted(side_a, key=_urgency)
    left_b = sorted(side_b, key=_urgency)
    pairs: list[Pairing] = []
    for tier, key in _TIERS:
        by_key: dict[Hashable, list[Detainee]] = defaultdict(list)
        for person in left_b:
            by_key[key(person)].append(person)
        taken: set[str] = set()
        unpaired_a = []
        for person in left_a:
            candidates = by_key.get(key(person))
            if candidates:
                partner = candidates.pop(0)
                taken.add(partner.id)
                pairs.append(Pairing(person, partner, tier))
            else:
                unpaired_a.append(person)
        left_a = unpaired_a
        left_b = [person for person in left_b if person.id not in taken]
    for a, b in zip(left_a, left_b, strict=False):
        pairs.append(Pairing(a, b, "none"))
    rest = len(min(left_a, left_b, key=len))
    pairs.extend(Pairing(a, None, "unpaired") for a in left_a[rest:])
    pairs.extend(Pairing(None, b, "unpaired") for b in left_b[rest:])
    return pairs


def manifest_lines(request: ExchangeRequest, plan: Plan) -> Iterator[tuple[int, Pairing]]:
    """Every (stage number, pairing), stage by stage."""
    people = {side: {d.id: d for d in request.side(side).detainees} for side in (Side.A, Side.B)}
    stages = [(s.number, s.side_a, s.side_b) for s in plan.stages]
    if not stages and (plan.released.side_a or plan.released.side_b):
        stages = [(1, plan.released.side_a, plan.released.side_b)]
    for number, ids_a, ids_b in stages:
        side_a = [people[Side.A][i] for i in ids_a if i in people[Side.A]]
        side_b = [people[Side.B][i] for i in ids_b if i in people[Side.B]]
        for pairing in pair_stage(side_a, side_b):
            yield number, pairing


def spreadsheet_safe(cell: str) -> str:
    """Prefix a quote to a cell a spreadsheet would otherwise evaluate as a formula."""
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


def manifest_csv(request: ExchangeRequest, plan: Plan) -> str:
    """The manifest as CSV text: a UTF-8 BOM (so spreadsheets read names right), a header,
    and one quoted row per pairing."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    pair_numbers: dict[int, int] = defaultdict(int)
    for stage, pairing in manifest_lines(request, plan):
        pair_numbers[stage] += 1
        row = [str(stage), str(pair_numbers[stage]), pairing.match]
        row += _person_cells(pairing.side_a) + _person_cells(pairing.side_b)
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return out.getvalue()


def manifest_of_documents(request_json: str, plan_json: str) -> str:
    """The manifest from the stored documents (runs through `app.core.offload`)."""
    request = ExchangeRequest.model_validate_json(request_json)
    return manifest_csv(request, Plan.model_validate_json(plan_json))


def _person_cells(person: Detainee | None) -> list[str]:
    if person is None:
        return ["", "", "", ""]
    return [
        person.id,
        person.name or "",
        person.status,
        "yes" if person.seriously_ill else "no",
    ]
