"""Sums over the stages of pools whose totals are fixed are written without stage 1.

`ExchangeModel.fix_total` lets `people()` and `stage_weighted()` leave out the first
stage's units of such a pool (they are the total less the other stages'). The value
must be the one the plain sums give, for every way of spreading the units over the
stages: CP-SAT is asked for one such spread, and both sums are read off it.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from solver.cpsat import cp_model
from solver.exchange_model import ExchangeModel
from solver.pools import build_pools
from solver.roster import build_rosters
from solver.rules import add_all_rules
from solver.schema import Category, ExchangeRequest
from tests.strategies import requests


def _plain(
    exchange: ExchangeModel, solver: cp_model.CpSolver, category: Category | None
) -> tuple[int, int]:
    """(people, sum of stage numbers) of `category`, slot by slot, without any shortcut."""
    people = weighted = 0
    for slot in exchange.select(category=category):
        count = sum(coef * solver.value(var) for var, coef in slot.terms)
        people += count
        weighted += count * slot.stage
    return people, weighted


@settings(max_examples=150, deadline=None)
@given(
    request=requests(max_people_per_side=7, max_stages=3),
    relaxable=st.booleans(),
    data=st.data(),
)
def test_fixed_totals_keep_every_sum(
    request: ExchangeRequest, relaxable: bool, data: st.DataObject
) -> None:
    pools = build_pools(build_rosters(request))
    exchange = ExchangeModel(pools, request.terms, groups_relaxable=relaxable)
    if data.draw(st.booleans(), label="sums built before the totals are fixed"):
        for category in (None, *Category):  # kept by the model until a total is fixed
            exchange.people(category=category)
            exchange.stage_weighted(category=category)
    fresh = ExchangeModel(pools, request.terms, groups_relaxable=relaxable)
    for p, pool in enumerate(pools):
        if data.draw(st.booleans(), label=f"fix pool {p}"):
            units = data.draw(st.integers(0, pool.n_units), label=f"total {p}")
            exchange.fix_total(p, units)
            exchange.fix_total(p, units)  # again: nothing more
            fresh.fix_total(p, units)
    for category in (None, *Category):  # written as if built after the totals were fixed
        assert str(exchange.people(category=category)) == str(fresh.people(category=category))
        assert str(exchange.stage_weighted(category=category)) == str(
            fresh.stage_weighted(category=category)
        )
    for members, unit_var, count in exchange.group_links:
        exchange.model.add(members == unit_var * count)
    # Any spread of the fixed totals over the stages: a random objective picks one.
    objective = [
        (var, data.draw(st.integers(-3, 3), label=var.name))
        for per_stage in exchange.units
        for var in per_stage
    ]
    exchange.model.minimize(sum(coef * var for var, coef in objective))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(exchange.model) == cp_model.OPTIMAL

    for category in (None, *Category):
        people, weighted = _plain(exchange, solver, category)
        assert exchange.people(category=category) is exchange.people(category=category)
        if category is not None:
            assert solver.value(exchange.people(category=category)) == people
        assert solver.value(exchange.stage_weighted(category=category)) == weighted
    assert solver.value(exchange.people()) == _plain(exchange, solver, None)[0]


@settings(max_examples=60, deadline=None)
@given(request=requests(max_people_per_side=7, max_stages=3), data=st.data())
def test_a_copy_is_the_same_model_and_then_its_own(
    request: ExchangeRequest, data: st.DataObject
) -> None:
    """A copy holds exactly the model a fresh build of the same terms holds (so a search
    of it is the same search); what is added to either afterwards stays in that one."""
    pools = build_pools(build_rosters(request))
    built = ExchangeModel(pools, request.terms)
    add_all_rules(built)
    fresh = ExchangeModel(pools, request.terms)
    add_all_rules(fresh)
    twin = built.copy()
    assert str(twin.model.proto) == str(fresh.model.proto)

    before = str(built.model.proto)
    p = data.draw(st.integers(0, len(pools) - 1), label="pool") if pools else None
    if p is not None:
        twin.fix_total(p, pools[p].n_units)
    twin.model.add(twin.people() >= 0)
    twin.model.new_int_var(0, 1, "only in the copy")
    assert str(built.model.proto) == before
    assert built.fixed_totals == {}
    assert twin.fixed_totals == ({} if p is None else {p: pools[p].n_units})
