"""A repair that cannot meet the terms: the conflict named is real and a smallest one,
and each sentence gives the side and the numbers a negotiator can act on.

As for a plan (`test_conflicts.py`), an independent judge decides: every repaired plan
of a tiny day is enumerated (`tests.brute_force.repaired_plans`) and re-checked by
`solver.validation.recheck_repair`, counting only the violations of a chosen set of
rules. The handmade days pin each rule that can conflict on the day of the exchange,
with the people handed over counted for the floor and cap, dropouts told apart from the
ineligible, and the places left in the stages to come.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import combinations
from typing import Any

from hypothesis import HealthCheck, event, given, settings

from solver import repair
from solver.schema import ExchangeRequest, RepairRequest
from solver.validation import recheck_repair
from tests.brute_force import repair_enumerable, repaired_plans
from tests.day_strategies import repair_requests
from tests.handmade import exchange
from tests.test_conflicts import ALL_RULES
from tests.test_repair import held, repair_request


def holds_together(request: RepairRequest, rules: Iterable[str]) -> bool:
    """Is there a repaired plan that breaks none of `rules` (others may be broken)?"""
    wanted = set(rules)
    for plan in repaired_plans(request):
        violations, _ = recheck_repair(request, plan, claims=False)
        if not any(v.rule in wanted for v in violations):
            return True
    return False


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(repair_requests(max_people_per_side=3, max_stages=2, max_events=5, max_min_per_side=3))
def test_repair_conflict_is_real_irreducible_and_smallest(request: RepairRequest) -> None:
    plan = repair(request)
    event(f"repair {plan.status}")
    if plan.status != "infeasible" or not repair_enumerable(request):
        return
    named = [c.rule for c in plan.conflicts]
    event(f"conflict of {len(named)} rule(s)")
    assert named, "an infeasible verdict names its conflict"
    assert len(set(named)) == len(named)
    assert not holds_together(request, named), f"{named} can hold together"
    for rule in named:
        rest = [r for r in named if r != rule]
        assert holds_together(request, rest), f"{named} without {rule} still conflicts"
    for size in range(1, len(named)):
        for smaller in combinations(ALL_RULES, size):
            assert holds_together(request, smaller), f"{smaller} is a smaller conflict"
    terms = request.terms
    for conflict in plan.conflicts:
        assert any(ch.isdigit() for ch in conflict.message), conflict.message
    # A rule that conflicts alone is explained by its own numbers.
    if named == ["min_per_side"]:
        found = re.search(r"can release at most ([\d,]+) counted", plan.conflicts[0].message)
        assert found is not None
        assert int(found.group(1).replace(",", "")) < terms.min_per_side
    if named == ["max_per_side"]:
        found = re.search(r"must release at least ([\d,]+) counted", plan.conflicts[0].message)
        assert found is not None
        assert terms.max_per_side is not None
        assert int(found.group(1).replace(",", "")) > terms.max_per_side


# --------------------------------------------------------------------------- each rule


def four_a_side(**terms: Any) -> ExchangeRequest:
    """A-1..A-4 and B-1..B-4, the lower numbers held longer."""
    return exchange(
        [held(f"A-{k}", 400 - 50 * k) for k in range(1, 5)],
        [held(f"B-{k}", 400 - 50 * k) for k in range(1, 5)],
        **terms,
    )


TWO_AND_TWO = [(["A-1", "A-2"], ["B-1", "B-2"]), (["A-3", "A-4"], ["B-3", "B-4"])]
TWO_AND_ONE = [(["A-1", "A-2"], ["B-1", "B-2"]), (["A-3"], ["B-3"])]


def conflicts(request: RepairRequest) -> list[tuple[str, str]]:
    plan = repair(request)
    assert plan.status == "infeasible"
    assert not plan.stages
    return [(c.rule, c.message) for c in plan.conflicts]


def test_min_per_side_with_no_stage_left_names_the_side_that_fell_short() -> None:
    # One stage, executed: side_a handed over A-3 as agreed, side_b nobody.
    request = exchange(
        [held("A-1", 3), held("A-2", 2), held("A-3", 1)],
        [held("B-1", 3), held("B-2", 2), held("B-3", 1)],
        min_per_side=1,
    )
    events = [{"type": "stage_executed", "number": 1, "handed_over": {"side_b": []}}]
    assert conflicts(repair_request(request, [(["A-3"], ["B-3"])], events)) == [
        (
            "min_per_side",
            "side_b can release at most 0 counted people: 0 handed over in executed stage 1, "
            "and no stage is left; min_per_side is 1.",
        )
    ]


def test_min_per_side_counts_those_handed_over_and_tells_dropouts_apart() -> None:
    events = [
        {"type": "stage_executed", "number": 1},
        {"type": "dropout", "side": "side_b", "id": "B-3", "reason": "refused"},
        {"type": "dropout", "side": "side_b", "id": "B-4", "reason": "deceased"},
    ]
    request = repair_request(four_a_side(stages=[2, 2], min_per_side=3), TWO_AND_TWO, events)
    assert conflicts(request) == [
        (
            "min_per_side",
            "side_b can release at most 2 counted people: 2 handed over in executed stage 1, "
            "and at most 0 more in stage 2 (4 listed, 2 handed over, 2 dropped out, "
            "0 ineligible, 0 refuse); min_per_side is 3.",
        )
    ]


def test_min_per_side_before_any_stage_counts_dropouts_and_the_ineligible_apart() -> None:
    events = [
        {"type": "dropout", "side": "side_a", "id": "A-3", "reason": "unfit_to_travel"},
        {"type": "update", "side": "side_a", "id": "A-4", "fields": {"eligible": False}},
    ]
    request = repair_request(four_a_side(stages=[2, 2], min_per_side=3), TWO_AND_TWO, events)
    assert conflicts(request) == [
        (
            "min_per_side",
            "side_a can release at most 2 counted people: 4 listed, 1 dropped out, "
            "1 ineligible, 0 refuse; min_per_side is 3.",
        )
    ]


def test_min_per_side_and_stages_give_the_places_left() -> None:
    request = repair_request(
        four_a_side(stages=[2, 1], min_per_side=4),
        TWO_AND_ONE,
        [{"type": "stage_executed", "number": 1}],
    )
    assert conflicts(request) == [
        (
            "min_per_side",
            "side_a can release at most 3 counted people: 2 handed over in executed stage 1, "
            "and at most 1 more in stage 2, with room for 1 person per side (4 listed, "
            "2 handed over, 0 dropped out, 0 ineligible, 0 refuse); min_per_side is 4.",
        ),
        (
            "stages",
            "Stage 2 remains, with room for 1 person per side (executed stage 1 is over); "
            "side_a needs at least 2 places there and side_b 2.",
        ),
    ]


def test_max_per_side_counts_who_crossed_beyond_the_plan() -> None:
    # A-3 crossed in stage 1 besides the two agreed: side_a is over the cap already.
    events = [
        {"type": "stage_executed", "number": 1, "handed_over": {"side_a": ["A-1", "A-2", "A-3"]}}
    ]
    request = repair_request(four_a_side(stages=[3, 3], max_per_side=2), TWO_AND_TWO, events)
    assert conflicts(request) == [
        (
            "max_per_side",
            "side_a must release at least 3 counted people (3 handed over in executed stage 1); "
            "max_per_side is 2.",
        )
    ]


def test_max_per_side_and_release_all_add_who_crossed_to_who_must_go() -> None:
    events = [
        {"type": "stage_executed", "number": 1},
        {"type": "update", "side": "side_b", "id": "B-4", "fields": {"seriously_ill": True}},
    ]
    terms = {"stages": [2, 2], "max_per_side": 2, "release_all": ["seriously_ill"]}
    request = repair_request(four_a_side(**terms), TWO_AND_TWO[:1], events)
    assert conflicts(request) == [
        (
            "release_all",
            "release_all (seriously_ill) requires every releasable member to go: 0 on side_a "
            "and 1 on side_b still to go (0 and 0 handed over in executed stage 1).",
        ),
        (
            "max_per_side",
            "side_b must release at least 3 counted people (2 handed over in executed stage 1; "
            "1 still required by release_all); max_per_side is 2.",
        ),
    ]


def test_parity_with_an_executed_imbalance_nobody_can_make_up() -> None:
    # Side B handed over B-1 only, and nobody else of side B can go.
    events = [
        {"type": "stage_executed", "number": 1, "handed_over": {"side_b": ["B-1"]}},
        *(
            {"type": "dropout", "side": "side_b", "id": pid, "reason": "refused"}
            for pid in ("B-2", "B-3", "B-4")
        ),
    ]
    request = repair_request(four_a_side(stages=[2, 2]), TWO_AND_TWO, events)
    assert conflicts(request) == [
        (
            "parity",
            "Counted releases must balance stage by stage; stage 2 also makes up executed "
            "stage 1, where side_a handed over 2 counted people, side_b 1. In stage 2 side_a "
            "can release at most 2 more counted, side_b at most 0.",
        )
    ]


def test_parity_with_an_imbalance_and_no_stage_left() -> None:
    events = [
        {"type": "stage_executed", "number": 1},
        {"type": "stage_executed", "number": 2, "handed_over": {"side_b": []}},
    ]
    request = repair_request(four_a_side(stages=[2, 2], max_per_side=3), TWO_AND_ONE, events)
    assert conflicts(request) == [
        (
            "parity",
            "Counted releases must balance: in executed stages 1, 2 side_a handed over 3 "
            "counted people, side_b 2, and no stage is left to make up the difference.",
        )
    ]


def test_parity_per_status_gives_the_imbalance_by_status() -> None:
    request = exchange(
        [held("A-1", 9), held("A-2", 8, status="civilian"), held("A-3", 7), held("A-4", 6)],
        [held("B-1", 9), held("B-2", 8, status="civilian"), held("B-3", 7), held("B-4", 6)],
        stages=[2, 2],
        parity="per_status",
    )
    events = [
        {"type": "stage_executed", "number": 1, "handed_over": {"side_b": ["B-1"]}},
        {"type": "dropout", "side": "side_b", "id": "B-2", "reason": "refused"},
    ]
    assert conflicts(repair_request(request, TWO_AND_ONE, events)) == [
        (
            "parity",
            "Counted releases must balance stage by stage, military for military and civilian "
            "for civilian; stage 2 also makes up executed stage 1, where side_a handed over 1 "
            "counted military and 1 civilian, side_b 1 and 0. In stage 2 side_a can release "
            "at most 2 more military and 0 civilians, side_b at most 2 and 0.",
        )
    ]


def test_stages_too_small_to_make_up_an_imbalance() -> None:
    # Side B handed over nobody in stage 1; stage 2 seats one person a side.
    events = [{"type": "stage_executed", "number": 1, "handed_over": {"side_b": []}}]
    request = repair_request(four_a_side(stages=[2, 1]), TWO_AND_ONE, events)
    assert conflicts(request) == [
        (
            "parity",
            "Counted releases must balance stage by stage; stage 2 also makes up executed "
            "stage 1, where side_a handed over 2 counted people, side_b 0. In stage 2 side_a "
            "can release at most 2 more counted, side_b at most 4.",
        ),
        (
            "stages",
            "Stage 2 remains, with room for 1 person per side (executed stage 1 is over); "
            "side_b needs at least 2 places there.",
        ),
    ]


def test_outside_parity_people_take_the_places_left() -> None:
    events = [
        {"type": "stage_executed", "number": 1},
        {"type": "update", "side": "side_b", "id": "B-4", "fields": {"seriously_ill": True}},
    ]
    terms = {"stages": [2, 1], "min_per_side": 3, "outside_parity": ["seriously_ill"]}
    assert conflicts(repair_request(four_a_side(**terms), TWO_AND_ONE, events)) == [
        (
            "outside_parity",
            "outside_parity (seriously_ill) requires every releasable member to go (not "
            "counted for parity): 0 on side_a and 1 on side_b still to go (0 and 0 handed "
            "over in executed stage 1).",
        ),
        (
            "min_per_side",
            "side_b can release at most 2 counted people: 2 handed over in executed stage 1, "
            "and at most 0 more in stage 2, with room for 1 person per side, 1 of them for "
            "people outside parity who must go (4 listed, 2 handed over, 0 dropped out, "
            "0 ineligible, 0 refuse, 1 outside parity, not counted); min_per_side is 3.",
        ),
        (
            "stages",
            "Stage 2 remains, with room for 1 person per side (executed stage 1 is over); "
            "side_a needs at least 1 place there and side_b 2.",
        ),
    ]


def test_must_include_names_only_who_is_still_to_go() -> None:
    terms = {"stages": [2, 2], "max_per_side": 3, "must_include": (["A-1", "A-2", "A-3"], [])}
    events = [
        {"type": "dropout", "side": "side_a", "id": "A-2", "reason": "refused"},
        {"type": "stage_executed", "number": 1},
        {"type": "update", "side": "side_a", "id": "A-3", "fields": {"consents": False}},
    ]
    assert conflicts(repair_request(four_a_side(**terms), TWO_AND_ONE, events)) == [
        (
            "must_include",
            "must_include names 1 person of side_a and 0 people of side_b still to release "
            "(side_a: 1 handed over, 1 dropped out, which lifts the requirement); side_a A-3 "
            "refuses repatriation.",
        )
    ]


def test_must_include_with_no_stage_left() -> None:
    terms = {"max_per_side": 3, "must_include": (["A-1", "A-4"], [])}
    events = [{"type": "stage_executed", "number": 1, "handed_over": {"side_a": ["A-1", "A-2"]}}]
    request = repair_request(four_a_side(**terms), [(["A-1", "A-4"], ["B-1", "B-2"])], events)
    assert conflicts(request) == [
        (
            "must_include",
            "must_include names 1 person of side_a and 0 people of side_b still to release "
            "(side_a: 1 handed over), and no stage is left.",
        )
    ]


def test_release_all_with_no_stage_left() -> None:
    events = [
        {"type": "stage_executed", "number": 1},
        {"type": "update", "side": "side_b", "id": "B-4", "fields": {"seriously_ill": True}},
    ]
    request = repair_request(four_a_side(release_all=["seriously_ill"]), TWO_AND_TWO[:1], events)
    assert conflicts(request) == [
        (
            "release_all",
            "release_all (seriously_ill) requires every releasable member to go: 0 on side_a "
            "and 1 on side_b still to go (0 and 0 handed over in executed stage 1), and no "
            "stage is left.",
        )
    ]


def test_min_per_side_and_stages_before_any_stage_is_executed() -> None:
    events = [{"type": "dropout", "side": "side_a", "id": "A-4", "reason": "refused"}]
    agreed = [(["A-1"], ["B-1"]), (["A-2"], ["B-2"])]
    request = repair_request(four_a_side(stages=[1, 1], min_per_side=3), agreed, events)
    assert conflicts(request) == [
        (
            "min_per_side",
            "side_a can release at most 2 counted people: 4 listed, 1 dropped out, "
            "0 ineligible, 0 refuse; stages 1, 2 have room for 2 people per side; "
            "min_per_side is 3.",
        ),
        (
            "stages",
            "Stages 1, 2 remain, with room for 1 and 1 per side (2 people in all); "
            "side_a needs at least 3 places there and side_b 3.",
        ),
    ]
