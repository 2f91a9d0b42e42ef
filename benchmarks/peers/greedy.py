"""Peer: a greedy plan, for a quality comparison (no claim of optimality).

What a mediator's spreadsheet would do: sort each side's families and single people by
urgency (people the terms require first, then the priority categories in order, then
days held), then fill the stages in order, always adding to the side that is behind in
a parity class so both sides stay paired, and finally drop the last additions of the
side that is ahead until every stage balances. Whatever it gets wrong (a floor missed,
a required person left out) is found by `solver.validation.check_plan` and reported.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass

from benchmarks.peers.outcome import PeerOutcome, checked
from solver.categories import captivity_days, categories_of, reference_date_of
from solver.schema import Detainee, ExchangeRequest, Side, Status

SIDES: tuple[Side, Side] = (Side.A, Side.B)
STATUSES: tuple[Status, Status] = ("military", "civilian")
MIXED = "mixed"

# How far down a queue to look for a family or person that still fits a stage.
_LOOK_AHEAD = 64


@dataclass(frozen=True)
class _Unit:
    """A family (the releasable members of one group) or a single person."""

    side: Side
    ids: tuple[str, ...]
    status: str  # "military", "civilian" or MIXED
    counted: dict[str, int]  # parity class -> counted members
    required: bool
    urgency: tuple[float, ...]  # larger goes first

    @property
    def size(self) -> int:
        return len(self.ids)


def solve_greedy(request: ExchangeRequest, time_limit_s: float = 0.0) -> PeerOutcome:
    """Fill the stages greedily; the time limit is ignored (the greedy always finishes)."""
    del time_limit_s
    started = time.perf_counter()
    terms = request.terms
    queues = {side: _queues(request, side) for side in SIDES}
    capacities: list[int | None] = list(terms.stages) if terms.stages is not None else [None]
    counted_total = dict.fromkeys(SIDES, 0)
    stage_of: dict[tuple[Side, str], int] = {}
    for number, capacity in enumerate(capacities, start=1):
        for unit in _fill_stage(request, queues, capacity, counted_total):
            for pid in unit.ids:
                stage_of[unit.side, pid] = number
    seconds = time.perf_counter() - started
    levels, violations = checked(request, stage_of)
    return PeerOutcome("greedy", "heuristic", levels=levels, seconds=seconds, violations=violations)


def _parity_class(terms_parity: str, detainee: Detainee) -> str:
    return detainee.status if terms_parity == "per_status" else "all"


def _queues(request: ExchangeRequest, side: Side) -> dict[str, deque[_Unit]]:
    """The side's units by status, most urgent first; excluded families are left out."""
    terms = request.terms
    on = reference_date_of(terms)
    excluded = set(terms.must_exclude.of(side))
    included = set(terms.must_include.of(side))
    release_all = set(terms.release_all)
    outside = set(terms.outside_parity)
    priorities = list(dict.fromkeys(terms.priorities))

    members: dict[str, list[Detainee]] = {}
    for detainee in request.side(side).detainees:
        if detainee.releasable:
            key = f"group:{detainee.group}" if detainee.group is not None else f"id:{detainee.id}"
            members.setdefault(key, []).append(detainee)

    queues: dict[str, list[_Unit]] = {status: [] for status in (*STATUSES, MIXED)}
    for people in members.values():
        if any(p.id in excluded for p in people):
            continue  # one excluded member keeps the whole family back
        categories = [categories_of(p, on, terms.young_age_limit) for p in people]
        counted: dict[str, int] = {}
        for person, found in zip(people, categories, strict=True):
            if not found & outside:
                parity_class = _parity_class(terms.parity, person)
                counted[parity_class] = counted.get(parity_class, 0) + 1
        statuses = {p.status for p in people}
        status = statuses.pop() if len(statuses) == 1 else MIXED
        required = any(
            p.id in included or bool(found & (release_all | outside))
            for p, found in zip(people, categories, strict=True)
        )
        share = [
            sum(category in found for found in categories) / len(people) for category in priorities
        ]
        days = sum(captivity_days(p, on) for p in people) / len(people)
        queues[status].append(
            _Unit(
                side=side,
                ids=tuple(p.id for p in people),
                status=status,
                counted=counted,
                required=required,
                urgency=(float(required), *share, days),
            )
        )
    return {
        status: deque(sorted(units, key=lambda u: u.urgency, reverse=True))
        for status, units in queues.items()
    }


def _fill_stage(
    request: ExchangeRequest,
    queues: dict[Side, dict[str, deque[_Unit]]],
    capacity: int | None,
    counted_total: dict[Side, int],
) -> list[_Unit]:
    """Fill one stage pairwise, give back what keeps a class unbalanced, fill again."""
    stage = _Stage(request, queues, capacity, counted_total)
    while True:
        stage.add_while_paired()
        # Room freed by giving units back is filled again, with other units.
        if not stage.give_back_until_paired():
            break
    stage.release_held()
    return [*stage.placed[Side.A], *stage.placed[Side.B]]


class _Stage:
    """One stage being filled: room left per side, counted people per parity class."""

    def __init__(
        self,
        request: ExchangeRequest,
        queues: dict[Side, dict[str, deque[_Unit]]],
        capacity: int | None,
        counted_total: dict[Side, int],
    ) -> None:
        self.terms = request.terms
        self.queues = queues
        self.counted_total = counted_total
        self.room: dict[Side, float] = dict.fromkeys(
            SIDES, float("inf") if capacity is None else capacity
        )
        self.balance: dict[str, dict[Side, int]] = {}
        self.placed: dict[Side, list[_Unit]] = {side: [] for side in SIDES}
        self.status: str | None = None  # with civilians_separately: the stage's status
        self.held: list[_Unit] = []  # given back: kept out of this stage, then queued again

    def counted(self, parity_class: str, side: Side) -> int:
        return self.balance.get(parity_class, {}).get(side, 0)

    def fits(self, unit: _Unit) -> bool:
        terms = self.terms
        if unit.size > self.room[unit.side]:
            return False
        if terms.max_per_side is not None:
            extra = sum(unit.counted.values())
            if self.counted_total[unit.side] + extra > terms.max_per_side:
                return False
        if terms.civilians_separately:
            if unit.status == MIXED:
                return False
            if self.status is not None and unit.status != self.status:
                return False
        return not (terms.parity == "per_status" and unit.status == MIXED and unit.counted)

    def behind(self, unit: _Unit, strictly: bool) -> bool:
        """Whether the unit's side is behind (or level) in every class the unit counts in."""
        other = _other(unit.side)
        if strictly:
            return any(self.counted(c, unit.side) < self.counted(c, other) for c in unit.counted)
        return all(self.counted(c, unit.side) <= self.counted(c, other) for c in unit.counted)

    def candidate(self, queue: deque[_Unit]) -> int | None:
        for index in range(min(len(queue), _LOOK_AHEAD)):
            if self.fits(queue[index]):
                return index
        return None

    def move(self, unit: _Unit, sign: int) -> None:
        self.room[unit.side] -= sign * unit.size
        self.counted_total[unit.side] += sign * sum(unit.counted.values())
        for c, n in unit.counted.items():
            self.balance.setdefault(c, dict.fromkeys(SIDES, 0))[unit.side] += sign * n

    def add_while_paired(self) -> None:
        """Add the most urgent fitting unit of a side that is not ahead, catching up first."""
        while True:
            best: tuple[tuple[bool, tuple[float, ...], int], Side, str, int] | None = None
            for side_rank, side in enumerate(SIDES):
                for status, queue in self.queues[side].items():
                    index = self.candidate(queue)
                    if index is None or not self.behind(queue[index], strictly=False):
                        continue
                    unit = queue[index]
                    rank = (self.behind(unit, strictly=True), unit.urgency, -side_rank)
                    if best is None or rank > best[0]:
                        best = (rank, side, status, index)
            if best is None:
                return
            _, side, status, index = best
            unit = self.queues[side][status][index]
            del self.queues[side][status][index]
            self.placed[side].append(unit)
            self.move(unit, +1)
            if self.terms.civilians_separately and self.status is None:
                self.status = unit.status

    def give_back_until_paired(self) -> list[_Unit]:
        """The side ahead in a class gives back its last additions until parity holds."""
        returned: list[_Unit] = []
        while True:
            uneven = [c for c, n in self.balance.items() if n[Side.A] != n[Side.B]]
            if not uneven:
                return returned
            c = uneven[0]
            ahead = Side.A if self.counted(c, Side.A) > self.counted(c, Side.B) else Side.B
            placed = self.placed[ahead]
            index = next(
                (
                    i
                    for i in range(len(placed) - 1, -1, -1)
                    if not placed[i].required and placed[i].counted.get(c)
                ),
                None,
            )
            if index is None:
                return returned  # only required people to give back: parity stays broken
            unit = placed.pop(index)
            self.move(unit, -1)
            self.held.append(unit)
            returned.append(unit)

    def release_held(self) -> None:
        """Put the units given back at the front of their queues, most urgent first."""
        for unit in sorted(self.held, key=lambda u: u.urgency):
            self.queues[unit.side][unit.status].appendleft(unit)
        self.held.clear()


def _other(side: Side) -> Side:
    return Side.B if side is Side.A else Side.A
