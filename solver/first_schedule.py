"""A first schedule: the selection's units put into stages by a quick greedy, as a hint.

When the stages are searched after the one-stage relaxation, CP-SAT knows how many
units of each pool go, not in which stage; its own first plans put them anywhere, and
most of the staged search was spent finding good ones (on lists with many families,
handed the final plan as a hint, the search took a third of the time). This greedy
puts the most urgent people first and keeps the stages close to balanced, which is
usually near the optimum. It is only a hint: CP-SAT repairs what it breaks, and every
claim of optimality is still CP-SAT's proof.
"""

from __future__ import annotations

from collections.abc import Sequence

from solver.levels import Level
from solver.pools import Pool
from solver.schema import Side

Schedule = list[list[int]]  # units per pool and stage


def first_schedule(
    pools: Sequence[Pool],
    totals: Sequence[int],
    capacities: Sequence[int],
    levels: Sequence[Level],
) -> Schedule:
    """Units of each pool per stage: side A by urgency into the earliest stage with room;
    side B the same, but within side A's counted military and civilian people per stage,
    so that the stages balance as parity wants wherever the units allow."""
    stage_count = len(capacities)
    schedule: Schedule = [[0] * stage_count for _ in pools]
    ranked = [level.category for level in levels if level.kind == "stage_order"]

    def urgency(p: int) -> tuple[float, ...]:
        pool = pools[p]
        return (*(-pool.count_in(c) / pool.unit_size for c in ranked if c is not None), p)

    quotas: list[dict[bool, int]] = [{False: 0, True: 0} for _ in capacities]
    for side in (Side.A, Side.B):
        room = list(capacities)
        order = sorted((p for p, pool in enumerate(pools) if pool.side is side), key=urgency)
        left = {p: totals[p] for p in order}
        # Side B's units first go only where side A left counterparts for their counted
        # people; what is left of them then goes wherever there is room, as side A's did.
        for balancing in (True, False) if side is Side.B else (False,):
            for p in order:
                pool = pools[p]
                counted = {c: pool.count(civilian=c, counted=True) for c in (False, True)}
                for s in range(stage_count):
                    fit = min(left[p], room[s] // pool.unit_size)
                    if balancing:
                        for civilian, per_unit in counted.items():
                            if per_unit:
                                fit = min(fit, max(0, quotas[s][civilian]) // per_unit)
                    schedule[p][s] += fit
                    room[s] -= fit * pool.unit_size
                    left[p] -= fit
                    for civilian, per_unit in counted.items():
                        quotas[s][civilian] += fit * per_unit * (1 if side is Side.A else -1)
        for p, units in left.items():
            schedule[p][-1] += units  # no room left anywhere: the search will move them
    return schedule
