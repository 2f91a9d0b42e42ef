"""The handover manifest: per stage, who crosses, paired like for like where possible.

Pairs are formed in tiers: same status and same health first (civilian with civilian,
seriously ill with seriously ill), then same status, then same health, then the rest;
whoever is left has no counterpart (a larger side, or art. 109 releases on top).

The file is opened in spreadsheets, and names and ids come from the other party, so
every cell that a spreadsheet would read as a formula is neutralised.

A repaired plan's manifest says which stages are executed, and what changed against the
agreed plan stage by stage: who is new in a stage (added, or moved from another), and
after each stage's pairs, who was agreed for it and no longer crosses in it (removed, or
moved to another).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass

from pydantic import ValidationError

from solver import ExchangeRequest, Plan, RepairedPlan, RepairRequest
from solver.events import apply_events
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

# A repaired plan's manifest has these too.
REPAIR_COLUMNS = (*COLUMNS, "executed", "side_a_change", "side_b_change")

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
    and one quoted row per pairing. A repaired plan's (`request`: the lists after the
    events) also marks executed stages and the changes."""
    repaired = plan if isinstance(plan, RepairedPlan) else None
    changes = _Changes.of(repaired) if repaired is not None else None
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(COLUMNS if changes is None else REPAIR_COLUMNS)
    executed = {s.number for s in repaired.stages if s.executed} if repaired else set()
    by_stage: dict[int, list[Pairing]] = defaultdict(list)
    for stage, pairing in manifest_lines(request, plan):
        by_stage[stage].append(pairing)
    numbers = list(by_stage)
    if changes is not None:
        numbers = sorted(set(numbers) | set(changes.leaving))
    for stage in numbers:
        done = "yes" if stage in executed else "no"
        for number, pairing in enumerate(by_stage[stage], start=1):
            row = [str(stage), str(number), pairing.match]
            row += _person_cells(pairing.side_a) + _person_cells(pairing.side_b)
            if changes is not None:
                row += [
                    done,
                    changes.entering(Side.A, pairing.side_a),
                    changes.entering(Side.B, pairing.side_b),
                ]
            writer.writerow([spreadsheet_safe(cell) for cell in row])
        if changes is not None:
            for row in changes.leaving_rows(request, stage, done):
                writer.writerow([spreadsheet_safe(cell) for cell in row])
    return out.getvalue()


class _Changes:
    """A repaired plan's changes, by side and id, as the manifest writes them."""

    def __init__(self) -> None:
        self.entering_as: dict[tuple[Side, str], str] = {}
        self.leaving: dict[int, list[tuple[Side, str, str]]] = defaultdict(list)

    @classmethod
    def of(cls, plan: RepairedPlan) -> _Changes:
        found = cls()
        for added in plan.changes.added:
            found.entering_as[added.side, added.id] = "added"
        for moved in plan.changes.moved:
            found.entering_as[moved.side, moved.id] = f"moved from stage {moved.from_}"
            found.leaving[moved.from_].append((moved.side, moved.id, f"moved to stage {moved.to}"))
        for removed in plan.changes.removed:
            found.leaving[removed.stage].append((removed.side, removed.id, "removed"))
        return found

    def entering(self, side: Side, person: Detainee | None) -> str:
        return "" if person is None else self.entering_as.get((side, person.id), "")

    def leaving_rows(self, request: ExchangeRequest, stage: int, executed: str) -> list[list[str]]:
        """One row per person agreed for the stage who no longer crosses in it."""
        people = {side: {d.id: d for d in request.side(side).detainees} for side in Side}
        rows = []
        for side, pid, how in sorted(self.leaving.get(stage, []), key=lambda e: (e[0], e[1])):
            person = people[side].get(pid)
            cells = _person_cells(person) if person is not None else [pid, "", "", ""]
            empty = ["", "", "", ""]
            a, b = (cells, empty) if side is Side.A else (empty, cells)
            change = (how, "") if side is Side.A else ("", how)
            rows.append([str(stage), "", "not crossing", *a, *b, executed, *change])
        return rows


def manifest_of_documents(request_json: str, plan_json: str) -> str:
    """The manifest from the stored documents (runs through `app.core.offload`); a
    repaired plan is stored with its repair request, and read against the lists after
    the events."""
    try:
        request = ExchangeRequest.model_validate_json(request_json)
    except ValidationError:
        day = apply_events(RepairRequest.model_validate_json(request_json))
        return manifest_csv(day.request, RepairedPlan.model_validate_json(plan_json))
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
