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
            sum(category in found for found in categories) / len(people)
            for category in priorities
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
    """Fill one stage pairwise, then drop what keeps a parity class unbalanced."""
    terms = request.terms
    room: dict[Side, float] = dict.fromkeys(SIDES, float("inf") if capacity is None else capacity)
    balance: dict[str, dict[Side, int]] = {}
    placed: dict[Side, list[_Unit]] = {side: [] for side in SIDES}
    stage_status: str | None = None

    def behind_or_level(unit: _Unit) -> bool:
        other = Side.B if unit.side is Side.A else Side.A
        return all(
            balance.get(c, {}).get(unit.side, 0) <= balance.get(c, {}).get(other, 0)
            for c in unit.counted
        )

    def fits(unit: _Unit) -> bool:
        if unit.size > room[unit.side]:
            return False
        if terms.max_per_side is not None:
            extra = sum(unit.counted.values())
            if counted_total[unit.side] + extra > terms.max_per_side:
                return False
        if terms.civilians_separately:
            if unit.status == MIXED:
                return False
            if stage_status is not None and unit.status != stage_status:
                return False
        return not (terms.parity == "per_status" and unit.status == MIXED and unit.counted)

    def candidate(queue: deque[_Unit]) -> int | None:
        for index in range(min(len(queue), _LOOK_AHEAD)):
            if fits(queue[index]):
                return index
        return None

    def move(unit: _Unit, sign: int) -> None:
        room[unit.side] -= sign * unit.size
        counted_total[unit.side] += sign * sum(unit.counted.values())
        for c, n in unit.counted.items():
            balance.setdefault(c, dict.fromkeys(SIDES, 0))[unit.side] += sign * n

    while True:
        options: list[tuple[bool, tuple[float, ...], int, Side, str, int]] = []
        for side_rank, side in enumerate(SIDES):
            for status, queue in queues[side].items():
                index = candidate(queue)
                if index is None or not behind_or_level(queue[index]):
                    continue
                unit = queue[index]
                catching_up = any(
                    balance.get(c, {}).get(side, 0)
                    < balance.get(c, {}).get(Side.B if side is Side.A else Side.A, 0)
                    for c in unit.counted
                )
                options.append((catching_up, unit.urgency, -side_rank, side, status, index))
        if not options:
            break
        _, _, _, side, status, index = max(options, key=lambda o: (o[0], o[1], o[2]))
        unit = queues[side][status][index]
        del queues[side][status][index]
        placed[side].append(unit)
        move(unit, +1)
        if terms.civilians_separately and stage_status is None:
            stage_status = unit.status

    # Parity in this stage: the side ahead in a class gives back its last additions.
    while True:
        uneven = [c for c, by_side in balance.items() if by_side[Side.A] != by_side[Side.B]]
        if not uneven:
            break
        c = uneven[0]
        ahead = Side.A if balance[c][Side.A] > balance[c][Side.B] else Side.B
        returned = next(
            (u for u in reversed(placed[ahead]) if not u.required and u.counted.get(c)), None
        )
        if returned is None:
            break  # only required people left to give back: the plan breaks parity
        placed[ahead].remove(returned)
        move(returned, -1)
        queues[ahead][returned.status].appendleft(returned)
    return [*placed[Side.A], *placed[Side.B]]
