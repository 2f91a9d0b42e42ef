"""The stages only reorder what every optimal selection shares: ties must stay open.

After the one-stage relaxation proves the selection levels, `forced_totals` names the
pools whose released units are the same in every plan that keeps those levels; the
staged search fixes them. A pool that can trade places with another at equal value
(two singles for a family of two held as long) must be left free, or the stages could
miss a better (or the only) order.
"""

from __future__ import annotations

import time
from datetime import timedelta

from solver import solve
from solver.exchange_model import ExchangeModel
from solver.levels import levels_for
from solver.lexicographic import LexicographicSolver, _tied_at_the_margin
from solver.per_person import solve_per_person
from solver.pools import build_pools
from solver.roster import build_rosters
from solver.rules import add_all_rules
from solver.schema import ExchangeRequest, Options
from tests.handmade import DAY, exchange, person

_HELD = DAY - timedelta(days=100)


def _tie_request(capacities: list[int]) -> ExchangeRequest:
    """Side A can release two singles or one family of two, all held 100 days."""
    side_a = [
        person("A-1", captured_on=_HELD),
        person("A-2", captured_on=_HELD),
        person("A-3", captured_on=_HELD, group="family"),
        person("A-4", captured_on=_HELD, group="family"),
    ]
    side_b = [person("B-1", captured_on=_HELD), person("B-2", captured_on=_HELD)]
    return exchange(side_a, side_b, min_per_side=2, max_per_side=2, stages=capacities)


def _forced(request: ExchangeRequest) -> tuple[dict[int, int], int]:
    """Forced totals after the relaxation (all stages merged), and the number of pools."""
    rosters = build_rosters(request)
    pools = build_pools(rosters)
    merged = request.terms.model_copy(update={"stages": None})
    exchange_model = ExchangeModel(pools, merged)
    add_all_rules(exchange_model)
    relaxation = LexicographicSolver(
        exchange_model,
        [lv for lv in levels_for(merged) if not lv.kind.startswith("stage_order")],
        Options(),
        deadline=time.monotonic() + 10,
    )
    selection = relaxation.run()
    assert selection.all_proven
    assert selection.solution is not None
    return relaxation.forced_totals(selection.solution), len(pools)


def test_forced_totals_leave_tied_pools_free() -> None:
    forced, pools = _forced(_tie_request([1, 1]))
    # B's single pool is forced (both go); A's singles and family trade at equal value.
    assert len(forced) == pools - 2


def test_forced_totals_all_forced_without_a_tie() -> None:
    request = _tie_request([1, 1])
    # Without the family, A's two singles are the only way to release two people.
    request.side_a.detainees[2:] = []
    forced, pools = _forced(request)
    assert len(forced) == pools


def test_staged_plan_takes_the_tied_alternative_the_stages_need() -> None:
    # One person per stage: the family cannot travel together, the singles can.
    plan = solve(_tie_request([1, 1]))
    assert plan.status == "optimal"
    assert plan.released.side_a == ["A-1", "A-2"]
    reference = solve_per_person(_tie_request([1, 1]), time_limit_s=30)
    assert tuple(level.value for level in plan.levels) == reference.levels


def test_tie_at_the_margin_is_guessed() -> None:
    """Two singles for a family of two, all held 100 days: the guess names both pools."""
    request = _tie_request([1, 1])
    pools = build_pools(build_rosters(request))
    singles = next(
        p for p, pool in enumerate(pools) if pool.side.value == "side_a" and pool.unit_size == 1
    )
    family = next(p for p, pool in enumerate(pools) if pool.unit_size == 2)
    totals = [pool.n_units for pool in pools]
    totals[family] = 0  # the singles go, the family stays: swapping them keeps the days
    assert {singles, family} <= _tied_at_the_margin(pools, totals)
    totals[singles] = 1  # one single cannot make room for a family of two
    assert family not in _tied_at_the_margin(pools, totals)


def test_split_at_the_margin_is_guessed() -> None:
    """A family of three for a pair and a single, all held 100 days a person: one unit
    of the family less and one each of the others more keeps the days, so the guess
    names all three pools; with the single held a day less, it names none of them."""
    side_a = [
        person("A-1", captured_on=_HELD),
        person("A-2", captured_on=_HELD),
        person("A-3", captured_on=_HELD, group="pair"),
        person("A-4", captured_on=_HELD, group="pair"),
        person("A-5", captured_on=_HELD, group="three"),
        person("A-6", captured_on=_HELD, group="three"),
        person("A-7", captured_on=_HELD, group="three"),
        person("A-8", captured_on=_HELD, group="pair-2"),
        person("A-9", captured_on=_HELD, group="pair-2"),
    ]
    request = exchange(side_a, [person("B-1")], stages=[5, 5])
    pools = build_pools(build_rosters(request))
    size = {pool.unit_size: p for p, pool in enumerate(pools) if pool.side.value == "side_a"}
    single, pair, three = size[1], size[2], size[3]
    totals = [0] * len(pools)
    totals[three] = 1  # the family of three goes; one pair and one single stay behind
    totals[pair] = 1
    totals[single] = 1
    assert {single, pair, three} <= _tied_at_the_margin(pools, totals)

    later = [*side_a[:1], person("A-2", captured_on=_HELD + timedelta(days=1)), *side_a[2:]]
    pools = build_pools(build_rosters(exchange(later, [person("B-1")], stages=[5, 5])))
    assert three not in _tied_at_the_margin(pools, totals)
