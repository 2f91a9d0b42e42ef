"""Each rule of the terms, on the pooled solver: one case where it holds, one where it can't.

Expected plans are worked out by hand in the comments; an infeasible case must name
the rule at fault.
"""

from __future__ import annotations

import threading
from datetime import date

from solver import solve
from solver.schema import Plan
from tests.handmade import exchange, person


def released(plan: Plan) -> tuple[list[str], list[str]]:
    return plan.released.side_a, plan.released.side_b


def conflict_rules(plan: Plan) -> set[str]:
    assert plan.status == "infeasible"
    assert not plan.released.side_a
    assert not plan.released.side_b
    return {c.rule for c in plan.conflicts}


def test_parity_total_balances_counted_releases() -> None:
    # Three on A, two on B: only two pairs can go.
    plan = solve(
        exchange([person("A-1"), person("A-2"), person("A-3")], [person("B-1"), person("B-2")])
    )
    assert plan.status == "optimal"
    assert len(plan.released.side_a) == len(plan.released.side_b) == 2
    assert [n.id for n in plan.not_released if n.reason == "not_selected"] == ["A-3"]


def test_parity_per_status_pairs_like_with_like() -> None:
    # A holds two civilians, B two military people: per status, nobody can be matched.
    side_a = [person("A-1", status="civilian"), person("A-2", status="civilian")]
    side_b = [person("B-1"), person("B-2")]
    assert released(solve(exchange(side_a, side_b, parity="per_status"))) == ([], [])
    assert len(solve(exchange(side_a, side_b, parity="total")).released.side_a) == 2


def test_parity_conflicts_with_required_releases() -> None:
    # Both of A's ill people must go, but B has nobody to balance them.
    side_a = [person("A-1", seriously_ill=True), person("A-2", seriously_ill=True)]
    side_b = [person("B-1")]
    plan = solve(exchange(side_a, side_b, release_all=["seriously_ill"]))
    assert conflict_rules(plan) == {"parity", "release_all"}


def test_min_per_side_met() -> None:
    plan = solve(
        exchange([person("A-1"), person("A-2")], [person("B-1"), person("B-2")], min_per_side=2)
    )
    assert plan.status == "optimal"


def test_min_per_side_out_of_reach_names_the_side_and_numbers() -> None:
    side_b = [person("B-1"), person("B-2", eligible=False), person("B-3", consents=False)]
    plan = solve(exchange([person(f"A-{i}") for i in range(3)], side_b, min_per_side=2))
    assert conflict_rules(plan) == {"min_per_side"}
    message = plan.conflicts[0].message
    assert "side_b can release at most 1" in message
    assert "3 listed" in message
    assert "1 ineligible" in message
    assert "1 refuse" in message


def test_max_per_side_caps_counted_releases() -> None:
    plan = solve(
        exchange(
            [person(f"A-{i}") for i in range(4)],
            [person(f"B-{i}") for i in range(4)],
            max_per_side=3,
        )
    )
    assert len(plan.released.side_a) == 3


def test_max_per_side_below_required_releases() -> None:
    side = [person(f"A-{i}", seriously_ill=True) for i in range(3)]
    other = [person(f"B-{i}", seriously_ill=True) for i in range(3)]
    plan = solve(exchange(side, other, release_all=["seriously_ill"], max_per_side=2))
    assert conflict_rules(plan) == {"max_per_side", "release_all"}


def test_release_all_releases_every_member() -> None:
    side_a = [person("A-1", age=19), person("A-2", age=40)]
    side_b = [person("B-1", age=50), person("B-2", age=20)]
    plan = solve(exchange(side_a, side_b, release_all=["young"], max_per_side=1))
    assert released(plan) == (["A-1"], ["B-2"])


def test_outside_parity_released_on_top_of_a_balanced_core() -> None:
    # Art. 109 mode: A's two ill people go uncounted; the core is one for one.
    side_a = [person("A-1", seriously_ill=True), person("A-2", seriously_ill=True), person("A-3")]
    side_b = [person("B-1")]
    plan = solve(exchange(side_a, side_b, outside_parity=["seriously_ill"], min_per_side=1))
    assert released(plan) == (["A-1", "A-2", "A-3"], ["B-1"])


def test_outside_parity_over_stage_capacity() -> None:
    side_a = [person(f"A-{i}", seriously_ill=True) for i in range(3)]
    plan = solve(exchange(side_a, [person("B-1")], outside_parity=["seriously_ill"], stages=[2]))
    assert conflict_rules(plan) == {"outside_parity", "stages"}


def test_stages_fill_in_order_and_respect_capacity() -> None:
    side_a = [person(f"A-{i}") for i in range(1, 4)]
    side_b = [person(f"B-{i}") for i in range(1, 4)]
    plan = solve(exchange(side_a, side_b, stages=[1, 2]))
    assert [len(s.side_a) for s in plan.stages] == [1, 2]
    assert plan.objective is not None
    assert plan.objective.stage_order["all"] == 10


def test_stages_too_small_for_the_floor() -> None:
    side_a = [person(f"A-{i}") for i in range(3)]
    side_b = [person(f"B-{i}") for i in range(3)]
    plan = solve(exchange(side_a, side_b, stages=[1, 1], min_per_side=3))
    assert conflict_rules(plan) == {"min_per_side", "stages"}


def test_ill_go_in_the_first_stage() -> None:
    side_a = [person("A-1"), person("A-2", seriously_ill=True)]
    side_b = [person("B-1"), person("B-2")]
    plan = solve(exchange(side_a, side_b, stages=[1, 1]))
    assert plan.stages[0].side_a == ["A-2"]


def test_civilians_separately_splits_stages() -> None:
    side_a = [person("A-1", status="civilian"), person("A-2")]
    side_b = [person("B-1", status="civilian"), person("B-2")]
    plan = solve(exchange(side_a, side_b, stages=[5, 5], civilians_separately=True))
    assert plan.status == "optimal"
    for stage in plan.stages:
        statuses = {pid.split("-")[0] for pid in stage.side_a + stage.side_b}
        assert statuses  # both stages used
    assert sorted(plan.stages[0].side_a + plan.stages[1].side_a) == ["A-1", "A-2"]
    assert {frozenset(s.side_a) for s in plan.stages} == {frozenset({"A-1"}), frozenset({"A-2"})}


def test_civilians_separately_with_one_stage_falls_back_to_the_staged_search() -> None:
    # The one-stage relaxation would take everyone; with one stage only one status can go.
    side_a = [person("A-1", status="civilian"), person("A-2"), person("A-3")]
    side_b = [person("B-1", status="civilian"), person("B-2"), person("B-3")]
    plan = solve(
        exchange(side_a, side_b, stages=[5], civilians_separately=True, priorities=["civilian"])
    )
    assert plan.status == "optimal"
    assert released(plan) == (["A-1"], ["B-1"])


def test_civilians_separately_conflicts_with_required_mixed_releases() -> None:
    side_a = [
        person("A-1", status="civilian", seriously_ill=True),
        person("A-2", seriously_ill=True),
    ]
    side_b = [person("B-1", status="civilian"), person("B-2")]
    plan = solve(
        exchange(
            side_a, side_b, stages=[5], civilians_separately=True, release_all=["seriously_ill"]
        )
    )
    assert conflict_rules(plan) == {"civilians_separately", "release_all"}


def test_group_travels_together_or_not_at_all() -> None:
    # A's family of two cannot be matched by B's single person: only A-3 goes.
    side_a = [person("A-1", group="f"), person("A-2", group="f"), person("A-3")]
    plan = solve(exchange(side_a, [person("B-1")]))
    assert released(plan) == (["A-3"], ["B-1"])


def test_group_keeps_one_stage() -> None:
    side_a = [person("A-1", group="f"), person("A-2", group="f")]
    side_b = [person("B-1"), person("B-2")]
    plan = solve(exchange(side_a, side_b, stages=[1, 1]))
    assert released(plan) == ([], [])
    plan = solve(exchange(side_a, side_b, stages=[2, 1]))
    assert plan.stages[0].side_a == ["A-1", "A-2"]


def test_group_conflicts_with_the_floor() -> None:
    side_a = [person("A-1", group="f"), person("A-2", group="f")]
    side_b = [person("B-1"), person("B-2")]
    plan = solve(exchange(side_a, side_b, stages=[1, 1], min_per_side=1))
    assert conflict_rules(plan) == {"group", "min_per_side", "stages"} or conflict_rules(plan) == {
        "group",
        "min_per_side",
    }


def test_must_include_is_released() -> None:
    side_a = [person("A-1", captured_on=date(2020, 1, 1)), person("A-2")]
    plan = solve(exchange(side_a, [person("B-1")], must_include=(["A-2"], [])))
    assert released(plan) == (["A-2"], ["B-1"])


def test_must_include_of_someone_ineligible_is_a_conflict() -> None:
    side_a = [person("A-1", eligible=False, ineligible_reason="pending proceedings")]
    plan = solve(exchange(side_a, [person("B-1")], must_include=(["A-1"], [])))
    assert conflict_rules(plan) == {"must_include"}
    assert "A-1" in plan.conflicts[0].message
    assert "pending proceedings" in plan.conflicts[0].message


def test_must_exclude_is_not_released() -> None:
    plan = solve(
        exchange([person("A-1"), person("A-2")], [person("B-1")], must_exclude=(["A-1"], []))
    )
    assert released(plan) == (["A-2"], ["B-1"])
    assert any(n.id == "A-1" and n.reason == "must_exclude" for n in plan.not_released)


def test_must_exclude_against_release_all() -> None:
    side_a = [person("A-1", seriously_ill=True)]
    plan = solve(
        exchange(side_a, [person("B-1")], release_all=["seriously_ill"], must_exclude=(["A-1"], []))
    )
    assert conflict_rules(plan) == {"must_exclude", "release_all"}


def test_consent_and_eligibility_are_respected_and_explained() -> None:
    side_a = [
        person("A-1", consents=False),
        person("A-2", eligible=False, ineligible_reason="already exchanged"),
        person("A-3", seriously_ill=True),
    ]
    plan = solve(exchange(side_a, [person("B-1")], max_per_side=0, min_per_side=0))
    reasons = {(n.id, n.reason) for n in plan.not_released}
    assert ("A-1", "no_consent") in reasons
    assert ("A-2", "ineligible") in reasons
    assert any(w.code == "seriously_ill_not_released" for w in plan.warnings)


def test_unknown_age_is_warned_and_not_young() -> None:
    plan = solve(exchange([person("A-1")], [person("B-1", age=20)], priorities=["young"]))
    assert any(w.code == "unknown_age" and "A-1" in w.message for w in plan.warnings)
    assert plan.objective is not None
    assert plan.objective.priorities["young"] == 1


def test_stop_signal_returns_the_best_plan_so_far() -> None:
    stop = threading.Event()
    stop.set()
    plan = solve(exchange([person("A-1")], [person("B-1")]), stop=stop)
    assert plan.status == "timeout"
    assert plan.released.side_a == []
    assert plan.objective is None


def test_conflict_counts_each_person_once_when_families_may_split() -> None:
    # Regression: with the group rule switched off, a family member could be counted in two
    # stages, which hid that the floor alone is out of reach (A-3 is uncounted).
    side_a = [
        person("A-1", seriously_ill=True, group="g1"),
        person("A-3", seriously_ill=True, group="g1", requested=True),
    ]
    side_b = [
        person("B-1"),
        person("B-105", seriously_ill=True),
        person("B-2", eligible=False, consents=False),
    ]
    plan = solve(
        exchange(
            side_a,
            side_b,
            min_per_side=2,
            outside_parity=["requested"],
            stages=[1, 1],
            must_exclude=(["A-1"], []),
        )
    )
    assert conflict_rules(plan) == {"min_per_side"}
    assert "side_a can release at most 1 person counted" in plan.conflicts[0].message
