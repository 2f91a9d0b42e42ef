"""Repair on handmade days: each event, each exception of the rules, both policies.

Each test states the agreed plan, the events and what a mediator expects back; the
random comparisons with the slow twins are in `test_repair_agrees.py`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from solver import repair
from solver.events import apply_events
from solver.input_errors import InvalidRequest
from solver.repair_request import parse_repair_request
from solver.schema import (
    Detainee,
    ExchangeRequest,
    NotReleased,
    RepairedPlan,
    RepairRequest,
    Side,
)
from solver.validation import recheck_repair
from tests.handmade import DAY, exchange, person


def repair_request(
    request: ExchangeRequest,
    stages: list[tuple[list[str], list[str]]],
    events: list[Any],
    **repair_settings: Any,
) -> RepairRequest:
    return RepairRequest.model_validate(
        {
            **request.model_dump(mode="json", exclude_unset=True),
            "plan": {
                "stages": [
                    {"number": k, "side_a": a, "side_b": b}
                    for k, (a, b) in enumerate(stages, start=1)
                ]
            },
            "events": events,
            "repair": repair_settings,
        }
    )


def stages_of(plan: RepairedPlan) -> list[tuple[list[str], list[str], bool]]:
    return [(s.side_a, s.side_b, s.executed) for s in plan.stages]


def changes_of(plan: RepairedPlan) -> dict[str, list[tuple[Any, ...]]]:
    return {
        "added": [(c.side.value, c.id, c.stage) for c in plan.changes.added],
        "removed": [(c.side.value, c.id, c.stage) for c in plan.changes.removed],
        "moved": [(c.side.value, c.id, c.from_, c.to) for c in plan.changes.moved],
    }


def no_changes() -> dict[str, list[tuple[Any, ...]]]:
    return {"added": [], "removed": [], "moved": []}


def held(pid: str, days: int, **fields: Any) -> Detainee:
    """A person captured `days` days before the reference date."""
    return person(pid, captured_on=DAY - timedelta(days=days), **fields)


def two_stage_exchange(**terms: Any) -> ExchangeRequest:
    return exchange(
        [held("A-1", 300), held("A-2", 200), held("A-3", 100), held("A-4", 50)],
        [held("B-1", 300), held("B-2", 200), held("B-3", 100), held("B-4", 50)],
        stages=[2, 2],
        **terms,
    )


AGREED = [(["A-1", "A-2"], ["B-1", "B-2"]), (["A-3"], ["B-3"])]


# --------------------------------------------------------------------------- events


def test_repair_no_events_keeps_the_agreed_plan() -> None:
    plan = repair(repair_request(two_stage_exchange(max_per_side=3), AGREED, []))
    assert plan.status == "optimal"
    assert stages_of(plan) == [(["A-1", "A-2"], ["B-1", "B-2"], False), (["A-3"], ["B-3"], False)]
    assert changes_of(plan) == no_changes()
    assert plan.objective is not None
    assert plan.objective.changes == 0


def test_repair_dropout_replaced_by_the_next_in_line() -> None:
    events = [{"type": "dropout", "side": "side_a", "id": "A-2", "reason": "refused"}]
    plan = repair(repair_request(two_stage_exchange(max_per_side=3), AGREED, events))
    assert plan.status == "optimal"
    assert stages_of(plan)[0] == (["A-1", "A-4"], ["B-1", "B-2"], False)
    assert changes_of(plan) == {"added": [("side_a", "A-4", 1)], "removed": [], "moved": []}
    dropout = next(e for e in plan.not_released if e.id == "A-2")
    assert (dropout.reason, dropout.detail) == ("dropout", "refused")


def test_repair_dropout_detail_text_is_never_echoed() -> None:
    events = [
        {
            "type": "dropout",
            "side": "side_a",
            "id": "A-2",
            "reason": "other",
            "detail": "Fictional Name said no",
        }
    ]
    plan = repair(repair_request(two_stage_exchange(max_per_side=3), AGREED, events))
    assert "Fictional" not in plan.model_dump_json()


def test_repair_stage_executed_as_agreed_is_pinned() -> None:
    events = [{"type": "stage_executed", "number": 1}]
    plan = repair(repair_request(two_stage_exchange(max_per_side=3), AGREED, events))
    assert stages_of(plan) == [(["A-1", "A-2"], ["B-1", "B-2"], True), (["A-3"], ["B-3"], False)]
    assert changes_of(plan) == no_changes()


def test_repair_short_handover_carried_by_the_next_stage() -> None:
    # Side B handed over one person fewer in stage 1: stage 2 makes up the difference.
    events = [{"type": "stage_executed", "number": 1, "handed_over": {"side_b": ["B-1"]}}]
    plan = repair(repair_request(two_stage_exchange(max_per_side=3), AGREED, events))
    assert plan.status == "optimal"
    assert stages_of(plan) == [(["A-1", "A-2"], ["B-1"], True), (["A-3"], ["B-2", "B-3"], False)]
    assert changes_of(plan) == {"added": [], "removed": [], "moved": [("side_b", "B-2", 1, 2)]}


def test_repair_imbalance_with_no_stage_left_is_infeasible() -> None:
    events = [
        {"type": "stage_executed", "number": 1},
        {"type": "stage_executed", "number": 2, "handed_over": {"side_b": []}},
    ]
    plan = repair(repair_request(two_stage_exchange(max_per_side=3), AGREED, events))
    assert plan.status == "infeasible"
    assert not plan.stages
    assert not plan.released.side_a
    assert [c.rule for c in plan.conflicts] == ["parity"]
    assert "no stage is left" in plan.conflicts[0].message


def test_repair_someone_crossing_unexpectedly_is_no_change() -> None:
    events = [
        {"type": "stage_executed", "number": 1, "handed_over": {"side_a": ["A-1", "A-4"]}},
        {"type": "stage_executed", "number": 2},
    ]
    plan = repair(repair_request(two_stage_exchange(), AGREED, events))
    # A-4 crossed in A-2's place; A-2 is still to be placed, and no stage is left.
    assert plan.status == "optimal"
    assert stages_of(plan)[0] == (["A-1", "A-4"], ["B-1", "B-2"], True)
    assert changes_of(plan) == {"added": [], "removed": [("side_a", "A-2", 1)], "moved": []}


def test_repair_handed_over_count_for_the_floor() -> None:
    request = two_stage_exchange(min_per_side=3, max_per_side=3)
    events = [
        {"type": "stage_executed", "number": 1},
        {"type": "dropout", "side": "side_b", "id": "B-3", "reason": "deceased"},
    ]
    plan = repair(repair_request(request, AGREED, events))
    assert plan.status == "optimal"
    assert stages_of(plan)[1] == (["A-3"], ["B-4"], False)


def test_repair_added_person_released_counts_one_change() -> None:
    request = two_stage_exchange(max_per_side=3, release_all=["seriously_ill"])
    events = [
        {"type": "add", "side": "side_b", "detainee": {"id": "B-9", "seriously_ill": True}},
        {"type": "dropout", "side": "side_b", "id": "B-3", "reason": "not_found"},
    ]
    plan = repair(repair_request(request, AGREED, events))
    assert plan.status == "optimal"
    assert changes_of(plan) == {"added": [("side_b", "B-9", 2)], "removed": [], "moved": []}
    assert plan.objective is not None
    assert plan.objective.priorities["seriously_ill"] == 1


def test_repair_categories_are_read_after_the_updates() -> None:
    request = two_stage_exchange(max_per_side=3, priorities=["seriously_ill"])
    events = [{"type": "update", "side": "side_a", "id": "A-4", "fields": {"seriously_ill": True}}]
    plan = repair(repair_request(request, AGREED, events))
    # The newly ill A-4 goes in place of A-3 (priorities first), in the first stage it can.
    assert plan.objective is not None
    assert plan.objective.priorities["seriously_ill"] == 1
    assert "A-4" in plan.released.side_a


def test_repair_policies_differ_on_a_newly_ill_person() -> None:
    request = two_stage_exchange(max_per_side=3, priorities=["seriously_ill"])
    events = [{"type": "update", "side": "side_a", "id": "A-4", "fields": {"seriously_ill": True}}]
    first = repair(repair_request(request, AGREED, events, policy="priorities_first"))
    fewest = repair(repair_request(request, AGREED, events, policy="fewest_changes_first"))
    # Priorities first: A-4 takes A-3's place in stage 2 (stage 1 is full), two changes.
    assert stages_of(first) == [(["A-1", "A-2"], ["B-1", "B-2"], False), (["A-4"], ["B-3"], False)]
    assert changes_of(first) == {
        "added": [("side_a", "A-4", 2)],
        "removed": [("side_a", "A-3", 2)],
        "moved": [],
    }
    assert first.changes.count == 2
    # Fewest changes first: the agreed plan stands.
    assert stages_of(fewest) == [(["A-1", "A-2"], ["B-1", "B-2"], False), (["A-3"], ["B-3"], False)]
    assert fewest.changes.count == 0
    assert [level.name for level in first.levels] == [
        "priority:seriously_ill",
        "released",
        "changes",
        "captivity_days",
        "stage_order:seriously_ill",
        "stage_order:all",
    ]
    assert [level.name for level in fewest.levels] == [
        "changes",
        "priority:seriously_ill",
        "released",
        "captivity_days",
        "stage_order:seriously_ill",
        "stage_order:all",
    ]


@pytest.mark.parametrize(
    ("policy", "levels"),
    [
        (
            "priorities_first",
            [
                "priority:seriously_ill",
                "priority:young",
                "priority:civilian",
                "priority:requested",
                "released",
                "changes",
                "captivity_days",
                "stage_order:seriously_ill",
                "stage_order:young",
                "stage_order:civilian",
                "stage_order:requested",
                "stage_order:all",
            ],
        ),
        (
            "fewest_changes_first",
            [
                "changes",
                "priority:seriously_ill",
                "priority:young",
                "priority:civilian",
                "priority:requested",
                "released",
                "captivity_days",
                "stage_order:seriously_ill",
                "stage_order:young",
                "stage_order:civilian",
                "stage_order:requested",
                "stage_order:all",
            ],
        ),
    ],
)
def test_repair_levels_in_the_order_of_the_policy(policy: str, levels: list[str]) -> None:
    events = [{"type": "dropout", "side": "side_a", "id": "A-2", "reason": "refused"}]
    plan = repair(repair_request(two_stage_exchange(max_per_side=3), AGREED, events, policy=policy))
    assert [level.name for level in plan.levels] == levels
    assert all(level.proven for level in plan.levels)
    assert plan.options == []
    with_options = repair(
        repair_request(two_stage_exchange(max_per_side=3), AGREED, events, policy=policy, options=2)
    )
    assert [[level.name for level in o.levels] for o in with_options.options] == [levels, levels]


def test_repair_dropout_lifts_must_include() -> None:
    request = two_stage_exchange(max_per_side=3, must_include=(["A-2"], []))
    events = [{"type": "dropout", "side": "side_a", "id": "A-2", "reason": "held_back"}]
    plan = repair(repair_request(request, AGREED, events))
    assert plan.status == "optimal"
    assert "A-2" not in plan.released.side_a


def test_repair_update_making_must_include_unreleasable_is_infeasible() -> None:
    request = two_stage_exchange(max_per_side=3, must_include=(["A-2"], []))
    events = [{"type": "update", "side": "side_a", "id": "A-2", "fields": {"consents": False}}]
    plan = repair(repair_request(request, AGREED, events))
    assert plan.status == "infeasible"
    assert [c.rule for c in plan.conflicts] == ["must_include"]
    assert "A-2 refuses repatriation" in plan.conflicts[0].message


def test_repair_conflict_names_only_the_must_include_still_to_meet() -> None:
    request = two_stage_exchange(max_per_side=3, must_include=(["A-1", "A-3"], []))
    events = [
        {"type": "stage_executed", "number": 1},
        {"type": "update", "side": "side_a", "id": "A-3", "fields": {"consents": False}},
    ]
    plan = repair(repair_request(request, AGREED, events))
    assert plan.status == "infeasible"
    (conflict,) = plan.conflicts
    assert conflict.rule == "must_include"
    assert "names 1 person of side_a" in conflict.message  # A-1 crossed in stage 1
    assert "A-3 refuses repatriation" in conflict.message


def test_repair_group_members_not_handed_over_travel_together() -> None:
    request = exchange(
        [held("A-1", 9), held("A-2", 8, group="g"), held("A-3", 7, group="g"), held("A-4", 1)],
        [held("B-1", 9), held("B-2", 8), held("B-3", 7), held("B-4", 1)],
        stages=[3, 3],
        max_per_side=4,
    )
    agreed = [(["A-1", "A-2", "A-3"], ["B-1", "B-2", "B-3"]), (["A-4"], ["B-4"])]
    events = [{"type": "stage_executed", "number": 1, "handed_over": {"side_a": ["A-1", "A-2"]}}]
    plan = repair(repair_request(request, agreed, events))
    assert plan.status == "optimal"
    # A-3, left behind by the rest of the group, crosses in stage 2 (one change).
    assert stages_of(plan) == [
        (["A-1", "A-2"], ["B-1", "B-2", "B-3"], True),
        (["A-3", "A-4"], ["B-4"], False),
    ]
    assert changes_of(plan) == {"added": [], "removed": [], "moved": [("side_a", "A-3", 1, 2)]}


def test_repair_options_rank_who_replaces_whom() -> None:
    events = [{"type": "dropout", "side": "side_a", "id": "A-2", "reason": "refused"}]
    plan = repair(repair_request(two_stage_exchange(max_per_side=3), AGREED, events, options=3))
    assert [o.rank for o in plan.options] == [1, 2, 3]
    best, second, third = plan.options
    assert best.changes == plan.changes
    assert best.comparison == "the repaired plan itself"
    # A-4 (held 50 days) replaces A-2; B-... cannot, so the next options release fewer.
    released = [{pid for s in o.stages for pid in s.side_a + s.side_b} for o in plan.options]
    assert len({frozenset(r) for r in released}) == 3
    assert second.levels[0].best == best.levels[0].value
    assert third.comparison.startswith("first differs at")
    # Only the best is the optimum: the others are worse at some level, so `feasible`,
    # their levels proven as far as they equal the best's.
    assert [o.status for o in plan.options] == ["optimal", "feasible", "feasible"]
    assert all(level.proven for level in best.levels)
    for option in (second, third):
        differs = next(k for k, level in enumerate(option.levels) if level.value != level.best)
        assert [level.proven for level in option.levels] == [
            k < differs for k in range(len(option.levels))
        ]


def test_repair_option_as_good_as_the_best_is_optimal_too() -> None:
    # are alike in every way that counts: either replaces A-2 as well.
    request = exchange(
        [held("A-1", 300), held("A-2", 200), held("A-4", 50), held("A-5", 50)],
        [held("B-1", 300), held("B-2", 200)],
        max_per_side=2,
    )
    events = [{"type": "dropout", "side": "side_a", "id": "A-2", "reason": "refused"}]
    agreed = [(["A-1", "A-2"], ["B-1", "B-2"])]
    plan = repair(repair_request(request, agreed, events, options=2))
    first, second = plan.options
    assert {pid for s in second.stages for pid in s.side_a} == {"A-1", "A-5"}
    assert (
        second.comparison == "equal to the repaired plan on every level; it releases other people"
    )
    assert (first.status, second.status) == ("optimal", "optimal")
    assert all(level.proven for level in second.levels)
    picked = repair(repair_request(request, agreed, events, options=2, choose=2))
    assert picked.status == "optimal"
    assert all(level.proven for level in picked.levels)


def test_repair_choose_returns_the_option_the_mediator_picked() -> None:
    events = [{"type": "dropout", "side": "side_a", "id": "A-2", "reason": "refused"}]
    request = repair_request(two_stage_exchange(max_per_side=3), AGREED, events, options=3)
    best = repair(request)
    picked = repair(
        request.model_copy(update={"repair": request.repair.model_copy(update={"choose": 2})})
    )
    second = best.options[1]
    assert picked.stages == second.stages
    assert picked.changes == second.changes
    assert picked.objective == second.objective
    assert picked.options == best.options  # the same ranking, to choose again from
    # Worse than the best at some level: it meets every term, but is not the optimum,
    # and its levels are proven only as far as they equal the best plan's.
    assert picked.status == "feasible"
    differs = next(k for k, level in enumerate(second.levels) if level.value != level.best)
    assert [level.proven for level in picked.levels] == [
        k < differs for k in range(len(picked.levels))
    ]
    # Labelled as the ranking labels it.
    assert picked.status == second.status
    assert [level.proven for level in picked.levels] == [level.proven for level in second.levels]
    violations, _ = recheck_repair(request, picked)
    assert violations == []
    # Choosing ranks at least as many alternatives as the rank chosen.
    alone = request.model_copy(
        update={"repair": request.repair.model_copy(update={"options": 0, "choose": 3})}
    )
    third = repair(alone)
    assert third.stages == best.options[2].stages
    assert [o.rank for o in third.options] == [1, 2, 3]


def test_repair_choose_beyond_the_alternatives_keeps_the_best_plan_and_warns() -> None:
    request = exchange([held("A-1", 5)], [held("B-1", 5)], min_per_side=1)
    plan = repair(repair_request(request, [(["A-1"], ["B-1"])], [], options=2, choose=2))
    assert plan.status == "optimal"
    assert [o.rank for o in plan.options] == [1]
    (warning,) = [w for w in plan.warnings if w.code == "option_unavailable"]
    assert "only 1 plan(s)" in warning.message


def test_repair_options_stop_when_no_other_plan_exists() -> None:
    request = exchange([held("A-1", 5)], [held("B-1", 5)], min_per_side=1)
    plan = repair(repair_request(request, [(["A-1"], ["B-1"])], [], options=4))
    assert [o.rank for o in plan.options] == [1]


def test_repair_rechecked_plan_is_valid_and_its_values_match() -> None:
    events = [
        {"type": "stage_executed", "number": 1, "handed_over": {"side_b": ["B-1"]}},
        {"type": "dropout", "side": "side_a", "id": "A-3", "reason": "refused"},
    ]
    request = repair_request(two_stage_exchange(max_per_side=3), AGREED, events)
    plan = repair(request)
    violations, values = recheck_repair(request, plan)
    assert violations == []
    assert values == tuple(level.value for level in plan.levels)


def test_recheck_repair_catches_a_changed_executed_stage_and_wrong_changes() -> None:
    events = [{"type": "stage_executed", "number": 1}]
    request = repair_request(two_stage_exchange(max_per_side=3), AGREED, events)
    plan = repair(request)
    tampered = plan.model_copy(deep=True)
    tampered.stages[0].side_a = ["A-1", "A-4"]
    tampered.stages[1].side_a = ["A-2"]
    rules = {v.rule for v in recheck_repair(request, tampered)[0]}
    assert {"executed", "changes"} <= rules


def test_recheck_repair_catches_wrong_reasons_for_not_releasing() -> None:
    events = [
        {"type": "dropout", "side": "side_a", "id": "A-2", "reason": "refused"},
        {"type": "update", "side": "side_b", "id": "B-4", "fields": {"eligible": False}},
    ]
    request = repair_request(two_stage_exchange(max_per_side=3), AGREED, events)
    plan = repair(request)
    assert recheck_repair(request, plan)[0] == []
    reasons = {(e.side.value, e.id): (e.reason, e.detail) for e in plan.not_released}
    assert reasons[("side_a", "A-2")] == ("dropout", "refused")
    assert reasons[("side_b", "B-4")] == ("ineligible", None)

    def tampered(side: str, pid: str, **change: Any) -> set[tuple[str, tuple[str, ...]]]:
        copy = plan.model_copy(deep=True)
        entries = []
        for entry in copy.not_released:
            if (entry.side.value, entry.id) == (side, pid):
                if not change:
                    continue  # left out
                for name, value in change.items():
                    setattr(entry, name, value)
            entries.append(entry)
        copy.not_released = entries
        return {(v.rule, v.ids) for v in recheck_repair(request, copy)[0]}

    wrong_a2 = {("not_released", ("A-2",))}
    assert tampered("side_a", "A-2", detail="deceased") == wrong_a2
    assert tampered("side_a", "A-2", detail=None) == wrong_a2
    assert tampered("side_a", "A-2", reason="ineligible", detail=None) == wrong_a2
    assert tampered("side_a", "A-2") == wrong_a2
    assert tampered("side_b", "B-4", reason="not_selected") == {("not_released", ("B-4",))}
    assert tampered("side_b", "B-4", reason="dropout", detail="refused") == {
        ("not_released", ("B-4",))
    }
    released = plan.model_copy(deep=True)
    released.not_released = [*plan.not_released, NotReleased(Side.A, "A-1", "not_selected")]
    assert {(v.rule, v.ids) for v in recheck_repair(request, released)[0]} == {
        ("not_released", ("A-1",))
    }


# --------------------------------------------------------------------------- input errors


def problems(body: dict[str, Any]) -> list[tuple[str | None, str | None, str, str]]:
    with pytest.raises(InvalidRequest) as raised:
        parse_repair_request(body)
    return [(p.side, p.id, p.field, p.rule) for p in raised.value.problems]


def body_with(events: list[Any], stages: Any = None) -> dict[str, Any]:
    request = two_stage_exchange(max_per_side=3)
    plan_stages = [
        {"number": k, "side_a": a, "side_b": b} for k, (a, b) in enumerate(AGREED, start=1)
    ]
    return {
        **request.model_dump(mode="json", exclude_unset=True),
        "plan": {"stages": plan_stages if stages is None else stages},
        "events": events,
    }


def test_repair_input_unknown_id_in_a_dropout() -> None:
    events = [{"type": "dropout", "side": "side_a", "id": "A-99", "reason": "refused"}]
    assert problems(body_with(events)) == [("side_a", "A-99", "events[0].id", "unknown_id")]


def test_repair_input_unknown_stage_and_stages_out_of_order() -> None:
    events = [
        {"type": "stage_executed", "number": 2},
        {"type": "stage_executed", "number": 3},
    ]
    assert problems(body_with(events)) == [
        (None, None, "events[0].number", "stage_order"),
        (None, None, "events[1].number", "unknown_stage"),
    ]


def test_repair_input_stage_executed_twice() -> None:
    events = [{"type": "stage_executed", "number": 1}, {"type": "stage_executed", "number": 1}]
    assert problems(body_with(events)) == [(None, None, "events[1].number", "stage_executed_twice")]


def test_repair_input_handed_over_someone_not_listed_or_twice() -> None:
    events = [
        {"type": "stage_executed", "number": 1, "handed_over": {"side_a": ["A-1", "A-77"]}},
        {"type": "stage_executed", "number": 2, "handed_over": {"side_a": ["A-1"]}},
    ]
    assert problems(body_with(events)) == [
        ("side_a", "A-77", "events[0].handed_over.side_a[1]", "unknown_id"),
        ("side_a", "A-1", "events[1].handed_over.side_a[0]", "already_handed_over"),
    ]


def test_repair_input_dropout_after_the_handover() -> None:
    events = [
        {"type": "stage_executed", "number": 1},
        {"type": "dropout", "side": "side_b", "id": "B-1", "reason": "refused"},
    ]
    assert problems(body_with(events)) == [("side_b", "B-1", "events[1].id", "already_handed_over")]


def test_repair_input_plan_names_unknown_ids_and_stages() -> None:
    stages = [{"number": 1, "side_a": ["A-1", "A-50"]}, {"number": 4, "side_b": ["B-1"]}]
    assert problems(body_with([], stages)) == [
        (None, None, "plan.stages[1].number", "unknown_stage"),
        ("side_a", "A-50", "plan.stages[0].side_a[1]", "unknown_id"),
    ]


def test_repair_input_plan_breaking_a_group() -> None:
    request = exchange(
        [person("A-1", group="g"), person("A-2", group="g")], [person("B-1"), person("B-2")]
    )
    body = {
        **request.model_dump(mode="json", exclude_unset=True),
        "plan": {"stages": [{"number": 1, "side_a": ["A-1"], "side_b": ["B-1"]}]},
    }
    assert problems(body) == [("side_a", "A-1", "plan", "group")]


def test_repair_input_add_of_a_listed_id_and_update_of_the_id() -> None:
    events = [
        {"type": "add", "side": "side_a", "detainee": {"id": "A-1"}},
        {"type": "update", "side": "side_b", "id": "B-1", "fields": {"id": "B-100"}},
        {"type": "dropout", "side": "side_b", "id": "B-1", "reason": "bored"},
        {"type": "teleport"},
    ]
    assert problems(body_with(events)) == [
        ("side_b", "B-1", "events[1].fields.id", "unknown_field"),
        ("side_b", "B-1", "events[2].reason", "invalid_value"),
        (None, None, "events[3].type", "invalid_value"),
    ]
    assert problems(body_with(events[:1])) == [
        ("side_a", "A-1", "events[0].detainee.id", "duplicate_id")
    ]


def test_repair_input_problems_never_quote_personal_fields() -> None:
    events = [
        {"type": "update", "side": "side_a", "id": "A-1", "fields": {"birth_date": "Fict-01"}},
        {"type": "add", "side": "side_a", "detainee": {"id": "A-8", "name": 7}},
    ]
    with pytest.raises(InvalidRequest) as raised:
        parse_repair_request(body_with(events))
    assert "Fict" not in str(raised.value)
    assert [p.field for p in raised.value.problems] == [
        "events[0].fields.birth_date",
        "events[1].detainee.name",
    ]


def test_repair_input_executed_stage_of_a_repaired_plan_needs_its_event() -> None:
    request = repair_request(
        two_stage_exchange(max_per_side=3), AGREED, [{"type": "stage_executed", "number": 1}]
    )
    repaired = repair(request)
    body = body_with([{"type": "dropout", "side": "side_a", "id": "A-3", "reason": "refused"}])
    body["plan"] = repaired.model_dump(mode="json", by_alias=True)
    assert problems(body) == [(None, None, "plan.stages[0].executed", "executed_without_event")]
    body["events"].insert(0, {"type": "stage_executed", "number": 1})
    again = repair(parse_repair_request(body))
    assert again.status == "optimal"
    assert [s.executed for s in again.stages] == [True, False]
    assert again.stages[0] == repaired.stages[0]


def test_repair_input_errors_are_raised_by_repair_too() -> None:
    request = RepairRequest.model_validate(
        body_with([{"type": "dropout", "side": "side_a", "id": "A-99", "reason": "refused"}])
    )
    with pytest.raises(InvalidRequest):
        apply_events(request)
    with pytest.raises(InvalidRequest):
        repair(request)
