"""Infeasible terms: the conflict named must really be one, and a smallest one.

An independent judge decides: every assignment of a tiny request is enumerated and
checked by `solver.validation`, counting only the violations of a chosen set of rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import combinations, product

from hypothesis import HealthCheck, given, settings

from solver import solve
from solver.schema import ConflictRule, ExchangeRequest
from solver.validation import check_plan, stage_count
from tests.brute_force import SIDES, plan_from_stages
from tests.strategies import requests

ALL_RULES: tuple[ConflictRule, ...] = (
    "min_per_side",
    "max_per_side",
    "parity",
    "release_all",
    "outside_parity",
    "stages",
    "civilians_separately",
    "must_include",
    "must_exclude",
    "group",
)


def holds_together(request: ExchangeRequest, rules: Iterable[str]) -> bool:
    """Is there a plan that breaks none of `rules` (other rules may be broken)?"""
    wanted = set(rules)
    count = stage_count(request)
    people = [(side, d.id) for side in SIDES for d in request.side(side).detainees if d.releasable]
    for choice in product(range(count + 1), repeat=len(people)):
        stage_of = {person: s for person, s in zip(people, choice, strict=True) if s > 0}
        plan = plan_from_stages(request, stage_of)
        if not any(v.rule in wanted for v in check_plan(request, plan)):
            return True
    return False


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(requests(max_people_per_side=3, max_stages=2, max_min_per_side=2))
def test_conflict_is_real_irreducible_and_smallest(request: ExchangeRequest) -> None:
    plan = solve(request)
    if plan.status != "infeasible":
        return
    named = [c.rule for c in plan.conflicts]
    assert named, "an infeasible verdict names its conflict"
    assert len(set(named)) == len(named)
    assert not holds_together(request, named), f"{named} can hold together"
    for rule in named:
        rest = [r for r in named if r != rule]
        assert holds_together(request, rest), f"{named} without {rule} still conflicts"
    for size in range(1, len(named)):
        for smaller in combinations(ALL_RULES, size):
            assert holds_together(request, smaller), f"{smaller} is a smaller conflict"
    for conflict in plan.conflicts:
        assert any(ch.isdigit() for ch in conflict.message), conflict.message
