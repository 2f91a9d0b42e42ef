"""From unit counts back to people: who goes, and in which stage.

Within a pool the longest-held units are taken, and they go in the earliest of the
stages the pool has places in: the plan's order in time follows captivity too, which
is also the deterministic tie-break beyond the last lexicographic level.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from solver.lexicographic import Solution
from solver.pools import Pool
from solver.roster import IntArray, Roster, Rosters
from solver.schema import Side


@dataclass(frozen=True)
class Assignment:
    """Stage of every listed person, per side, 0 for someone not released."""

    side_a: IntArray
    side_b: IntArray

    def of(self, side: Side) -> IntArray:
        return self.side_a if side is Side.A else self.side_b

    def released_ids(self, roster: Roster) -> list[str]:
        return roster.ids_where(self.of(roster.side) > 0)

    def stage_ids(self, roster: Roster, number: int) -> list[str]:
        return roster.ids_where(self.of(roster.side) == number)


def assign(
    rosters: Rosters,
    pools: list[Pool],
    solution: Solution,
    units: list[tuple[int, ...]] | None = None,
) -> Assignment:
    """Each person's stage: in every pool the longest-held units, the first of them in
    the earliest stages the pool has places in.

    `units` (a repair's alternatives) names other units of each pool to release, as
    many as the solution releases, given its stages in the same way.
    """
    if units is not None:
        return _assign_units(rosters, pools, solution, units)
    stage_of = {side: np.zeros(rosters.of(side).size, dtype=np.int64) for side in Side}
    for pool, counts in zip(pools, solution.units, strict=True):
        taken = sum(counts)
        if taken == 0:
            continue
        stage_numbers = np.arange(1, len(counts) + 1, dtype=np.int64)
        unit_stage = np.repeat(stage_numbers, counts)
        people = pool.people[: taken * pool.unit_size]
        stage_of[pool.side][people] = np.repeat(unit_stage, pool.unit_size)
    return Assignment(side_a=stage_of[Side.A], side_b=stage_of[Side.B])


def _assign_units(
    rosters: Rosters, pools: list[Pool], solution: Solution, units: list[tuple[int, ...]]
) -> Assignment:
    stage_of = {side: np.zeros(rosters.of(side).size, dtype=np.int64) for side in Side}
    for pool, counts, chosen in zip(pools, solution.units, units, strict=True):
        stages = np.repeat(np.arange(1, len(counts) + 1, dtype=np.int64), counts).tolist()
        for unit, stage in zip(chosen, stages, strict=True):
            stage_of[pool.side][pool.unit_people(unit)] = stage
    return Assignment(side_a=stage_of[Side.A], side_b=stage_of[Side.B])
